/**
 * The size DynamoDB bills an item by (1 WRU per started KB written, 1 RRU per started 4 KB read
 * strongly consistent), by the rules of "Item sizes and formats" in the DynamoDB developer guide:
 * attribute names count, a number takes 1 byte per two significant digits plus 1, a list or map 3
 * bytes plus 1 per element. The support store keeps its STATE item within a budget by it.
 */
const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');

function numberBytes(n: number): number {
  const digits = Math.abs(n).toExponential().replace(/e.*$/, '').replace('.', '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/** The size of one attribute value, as it counts inside an item, list or map. */
export function attributeValueBytes(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8Bytes(value);
  if (typeof value === 'number') return numberBytes(value);
  if (value instanceof Uint8Array) return value.length;
  if (Array.isArray(value)) {
    let size = 3;
    for (const element of value) size += attributeValueBytes(element) + 1;
    return size;
  }
  if (typeof value === 'object') {
    let size = 3;
    for (const [name, element] of Object.entries(value as Record<string, unknown>))
      if (element !== undefined) size += utf8Bytes(name) + attributeValueBytes(element) + 1;
    return size;
  }
  throw new Error(`no DynamoDB size for a ${typeof value}`);
}

/** The billed size of an item (as the document client would marshal it, undefined values removed). */
export function dynamoItemBytes(item: Readonly<Record<string, unknown>>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item))
    if (value !== undefined) size += utf8Bytes(name) + attributeValueBytes(value);
  return size;
}

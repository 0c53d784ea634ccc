import { BatchGetCommand, type BatchGetCommandInput } from '@aws-sdk/lib-dynamodb';

/** The one method of the document client a BatchGetItem needs. */
interface BatchGetClient {
  send(command: BatchGetCommand): Promise<{
    Responses?: Record<string, Record<string, unknown>[]>;
    UnprocessedKeys?: BatchGetCommandInput['RequestItems'];
  }>;
}

/** BatchGetItem takes at most this many keys a request. */
const KEYS_PER_REQUEST = 100;
/** unprocessed keys are asked again, backing off, this many times before it gives up */
const MAX_RETRIES = 8;

/**
 * The items of one table with these keys (those that exist, in no particular order), 100 keys a
 * request, unprocessed keys asked again with a backoff; `projection` reads only those attributes.
 * Eventually consistent (half a read unit per item up to 4 KB). Errors propagate as the SDK threw
 * them: each store names its own.
 */
export async function batchGetAll(
  client: BatchGetClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
  projection?: readonly string[],
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  const asked = projection && {
    ProjectionExpression: projection.map((_, i) => `#p${i}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(projection.map((name, i) => [`#p${i}`, name])),
  };
  for (let i = 0; i < keys.length; i += KEYS_PER_REQUEST) {
    let pending: readonly Record<string, unknown>[] = keys.slice(i, i + KEYS_PER_REQUEST);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > MAX_RETRIES) throw new Error('BatchGetItem kept leaving keys unprocessed');
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const out = await client.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: [...pending], ...asked } } }),
      );
      items.push(...(out.Responses?.[tableName] ?? []));
      pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return items;
}

/**
 * BatchWriteItem over any number of Put or Delete requests: 25 a request (DynamoDB's limit), the
 * chunks in parallel, what DynamoDB leaves unprocessed sent again with a short backoff (its advice;
 * the SDK's own retries cover only a request that failed whole). The caller decides what is left.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CALLS_AT_ONCE, mapLimited } from '../core/settle-limited';

export type WriteRequest =
  | { readonly PutRequest: { readonly Item: Record<string, unknown> } }
  | { readonly DeleteRequest: { readonly Key: Record<string, unknown> } };

/** A request not written, with why: the send's error, or left unprocessed after every attempt. */
export interface Unwritten {
  readonly request: WriteRequest;
  readonly reason: unknown;
}

const PER_REQUEST = 25;
const ATTEMPTS = 5;

export async function batchWrite(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
): Promise<Unwritten[]> {
  const chunks: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += PER_REQUEST) chunks.push(requests.slice(i, i + PER_REQUEST));
  // an erasure's thousands of deletes are hundreds of chunks: a few at a time
  return (await mapLimited(chunks, CALLS_AT_ONCE, (chunk) => writeChunk(client, tableName, chunk))).flat();
}

/** Every request written, or an error naming how many were not (deletes that must all happen). */
export async function batchWriteAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
): Promise<void> {
  const unwritten = await batchWrite(client, tableName, requests);
  if (unwritten.length > 0) {
    const { reason } = unwritten[0]!;
    throw reason instanceof Error && unwritten.every((u) => u.reason === reason)
      ? reason
      : new Error(`${unwritten.length} of ${requests.length} writes to ${tableName} left unprocessed`);
  }
}

async function writeChunk(
  client: DynamoDBDocumentClient,
  tableName: string,
  chunk: readonly WriteRequest[],
): Promise<Unwritten[]> {
  let pending = chunk;
  for (let attempt = 1; ; attempt++) {
    let left: readonly WriteRequest[];
    try {
      const out = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: [...pending] as never } }));
      left = (out.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
    } catch (reason) {
      return pending.map((request) => ({ request, reason }));
    }
    if (left.length === 0) return [];
    if (attempt === ATTEMPTS) {
      const reason = new Error(`left unprocessed by DynamoDB after ${ATTEMPTS} attempts`);
      return left.map((request) => ({ request, reason }));
    }
    pending = left;
    // 50, 100, 200, 400 ms with jitter: unprocessed items mean the partition is at its limit
    await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt * (1 + Math.random())));
  }
}

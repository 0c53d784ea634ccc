import { BatchGetCommand, type BatchGetCommandInput } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailableError } from '../core/errors';

/** The one method of the document client a BatchGetItem needs. */
interface BatchGetClient {
  send(command: BatchGetCommand): Promise<{
    Responses?: Record<string, Record<string, unknown>[]>;
    UnprocessedKeys?: BatchGetCommandInput['RequestItems'];
  }>;
}

/** How the keys a request leaves unprocessed are asked again. */
export interface BatchGetRetries {
  /** requests of one chunk of keys, the first included, before giving up */
  readonly maxRequests: number;
  /** the wait before retry `n` (1, 2, …); 0 asks again at once */
  readonly backoffMs: (retry: number) => number;
  /** what is thrown when keys are still unprocessed after `maxRequests` */
  readonly exhausted: () => Error;
}

/** BatchGetItem takes at most this many keys a request. */
const KEYS_PER_REQUEST = 100;
/** 9 requests, backing off 50 ms to 1 s between them (about 5 s in all), then busy (a 503, never a 500) */
const DEFAULT_RETRIES: BatchGetRetries = {
  maxRequests: 9,
  backoffMs: (retry) => Math.min(1000, 25 * 2 ** retry),
  exhausted: () => new ServiceUnavailableError('The database is busy right now; retry shortly.', 2),
};

/**
 * The items of one table with these keys (those that exist, in no particular order), 100 keys a
 * request, unprocessed keys asked again as `retries` says; `projection` reads only those attributes.
 * Eventually consistent (half a read unit per item up to 4 KB). Errors propagate as the SDK threw
 * them: each store names its own.
 */
export async function batchGetAll(
  client: BatchGetClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
  projection?: readonly string[],
  retries: BatchGetRetries = DEFAULT_RETRIES,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  const asked = projection && {
    ProjectionExpression: projection.map((_, i) => `#p${i}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(projection.map((name, i) => [`#p${i}`, name])),
  };
  for (let i = 0; i < keys.length; i += KEYS_PER_REQUEST) {
    let pending: readonly Record<string, unknown>[] = keys.slice(i, i + KEYS_PER_REQUEST);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= retries.maxRequests) throw retries.exhausted();
      const waitMs = attempt > 0 ? retries.backoffMs(attempt) : 0;
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      const out = await client.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: [...pending], ...asked } } }),
      );
      items.push(...(out.Responses?.[tableName] ?? []));
      pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return items;
}

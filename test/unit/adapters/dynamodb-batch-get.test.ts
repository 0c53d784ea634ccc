import type { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from '#lambdas/adapters/dynamodb-batch-get';
import { ServiceUnavailableError } from '#lambdas/core/errors';

type Key = Record<string, unknown>;

/**
 * A table answering BatchGetItem that leaves the last key of each of its first `throttledRequests`
 * requests unprocessed, as DynamoDB does under throttling (DynamoDB Local never does: stubbed here).
 */
function throttledClient(throttledRequests: number) {
  const requests: Key[][] = [];
  return {
    requests,
    async send(command: BatchGetCommand) {
      const keys = (command.input.RequestItems?.['t']?.Keys ?? []) as Key[];
      requests.push(keys);
      const left = requests.length <= throttledRequests ? keys.slice(-1) : [];
      const read = keys.slice(0, keys.length - left.length);
      return {
        Responses: { t: read.map((k) => ({ ...k, read: true })) },
        ...(left.length > 0 ? { UnprocessedKeys: { t: { Keys: left } } } : {}),
      };
    },
  };
}

const keys = (...ids: string[]) => ids.map((id) => ({ pk: id, sk: 'S' }));

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('batchGetAll', () => {
  it('asks the keys left unprocessed again, backing off 50 ms then 100 ms, until none is left', async () => {
    // Arrange
    const client = throttledClient(2);

    // Act
    const reading = batchGetAll(client, 't', keys('a', 'b', 'c'));
    await jest.advanceTimersByTimeAsync(49);
    const requestsAt49Ms = client.requests.length;
    await jest.advanceTimersByTimeAsync(1 + 99);
    const requestsAt149Ms = client.requests.length;
    await jest.advanceTimersByTimeAsync(1);
    const items = await reading;

    // Assert
    expect([requestsAt49Ms, requestsAt149Ms]).toEqual([1, 2]);
    expect(client.requests).toEqual([keys('a', 'b', 'c'), keys('c'), keys('c')]);
    expect(items).toEqual(keys('a', 'b', 'c').map((k) => ({ ...k, read: true })));
  });

  it("gives up with the caller's error once the caller's requests are spent, after the caller's waits", async () => {
    // Arrange
    const client = throttledClient(Number.POSITIVE_INFINITY);
    const retries = { maxRequests: 3, backoffMs: (retry: number) => 10 * retry, exhausted: () => new Error('busy') };

    // Act
    const reading = batchGetAll(client, 't', keys('a', 'b'), undefined, retries).catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(29);
    const requestsAt29Ms = client.requests.length;
    await jest.advanceTimersByTimeAsync(1);
    const outcome = await reading;

    // Assert
    expect(requestsAt29Ms).toBe(2);
    expect(client.requests).toEqual([keys('a', 'b'), keys('b'), keys('b')]);
    expect(outcome).toEqual(new Error('busy'));
  });

  it('answers busy (a 503 with Retry-After) by default once 9 requests over about 4.5 s left keys unprocessed', async () => {
    // Arrange
    const client = throttledClient(Number.POSITIVE_INFINITY);

    // Act
    const reading = batchGetAll(client, 't', keys('a', 'b')).catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(4549);
    const requestsBeforeTheLast = client.requests.length;
    await jest.advanceTimersByTimeAsync(1);
    const outcome = await reading;

    // Assert
    expect([requestsBeforeTheLast, client.requests.length]).toEqual([8, 9]);
    expect(outcome).toBeInstanceOf(ServiceUnavailableError);
    expect(outcome).toMatchObject({ retryAfterSeconds: 2 });
  });
});

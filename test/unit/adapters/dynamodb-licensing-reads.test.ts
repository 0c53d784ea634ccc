import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbLicensingReads } from '#lambdas/adapters/dynamodb-licensing-reads';
import { ServiceUnavailableError } from '#lambdas/core/errors';

// Unprocessed keys and throttling are what DynamoDB Local will not produce on demand: mocked here.
const dynamo = mockClient(DynamoDBDocumentClient);
const reads = () =>
  new DynamoDbLicensingReads(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-central-1' })), 'licensing');

beforeEach(() => jest.useFakeTimers());
afterEach(() => {
  jest.useRealTimers();
  dynamo.reset();
});

describe('DynamoDbLicensingReads.getLastPolls', () => {
  it('asks unprocessed keys again 4 times over 3 s, then answers that the store is busy (503)', async () => {
    // Arrange: every key left unprocessed
    dynamo.on(BatchGetCommand).callsFake(async (input) => ({ UnprocessedKeys: input.RequestItems }));

    // Act
    const reading = reads()
      .getLastPolls(['inst_1'])
      .catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(2999);
    const requestsBefore3s = dynamo.commandCalls(BatchGetCommand).length;
    await jest.advanceTimersByTimeAsync(1);
    const outcome = await reading;

    // Assert
    expect(requestsBefore3s).toBe(4);
    expect(dynamo.commandCalls(BatchGetCommand)).toHaveLength(5);
    expect(outcome).toBeInstanceOf(ServiceUnavailableError);
    expect((outcome as ServiceUnavailableError).retryAfterSeconds).toBe(2);
  });

  it('reads the POLL items, then META of those without one, eventually consistent, two attributes only', async () => {
    // Arrange
    dynamo
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { licensing: [{ installationId: 'inst_1', lastPollAt: '2026-03-02T09:00:00Z' }] } })
      .resolvesOnce({ Responses: { licensing: [{ installationId: 'inst_2', lastPollAt: '2026-03-01T09:00:00Z' }] } });

    // Act
    const lastPolls = await reads().getLastPolls(['inst_1', 'inst_2']);

    // Assert
    expect([...lastPolls].sort()).toEqual([
      ['inst_1', '2026-03-02T09:00:00Z'],
      ['inst_2', '2026-03-01T09:00:00Z'],
    ]);
    const [poll, meta] = dynamo.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems?.['licensing']);
    expect(poll?.Keys).toEqual([
      { pk: 'INST#inst_1', sk: 'POLL' },
      { pk: 'INST#inst_2', sk: 'POLL' },
    ]);
    expect(meta?.Keys).toEqual([{ pk: 'INST#inst_2', sk: 'META' }]);
    for (const request of [poll, meta]) {
      expect(request?.ConsistentRead).toBeUndefined();
      const projected = request?.ProjectionExpression?.split(', ').map((p) => request.ExpressionAttributeNames?.[p]);
      expect(projected).toEqual(['installationId', 'lastPollAt']);
    }
  });

  it('turns throttling into a 503 the caller retries', async () => {
    // Arrange
    dynamo
      .on(BatchGetCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));

    // Act
    const reading = reads().getLastPolls(['inst_1']);

    // Assert
    await expect(reading).rejects.toThrow(ServiceUnavailableError);
  });
});

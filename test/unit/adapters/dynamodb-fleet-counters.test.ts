import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbFleetCounters } from '#lambdas/adapters/dynamodb-fleet-counters';
import { ServiceUnavailableError } from '#lambdas/core/errors';

// Unprocessed keys and throttling are what DynamoDB Local will not produce on demand: mocked here.
const dynamo = mockClient(DynamoDBDocumentClient);
const counters = () =>
  new DynamoDbFleetCounters(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-central-1' })), 'support');

beforeEach(() => jest.useFakeTimers());
afterEach(() => {
  jest.useRealTimers();
  dynamo.reset();
});

describe('DynamoDbFleetCounters.factsOf', () => {
  it('asks unprocessed keys again backing off, 9 requests in about 5 s, then answers busy (503)', async () => {
    // Arrange: every key left unprocessed
    dynamo.on(BatchGetCommand).callsFake(async (input) => ({ UnprocessedKeys: input.RequestItems }));

    // Act
    const reading = counters()
      .factsOf(['inst_1'])
      .catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(1000);
    const early = dynamo.commandCalls(BatchGetCommand).length;
    await jest.advanceTimersByTimeAsync(10_000);
    const outcome = await reading;

    // Assert: not all at once (the first second holds 5 of them), then the batch helper's 503
    expect(early).toBeLessThan(9);
    expect(dynamo.commandCalls(BatchGetCommand)).toHaveLength(9);
    expect(outcome).toBeInstanceOf(ServiceUnavailableError);
  });

  it('reads the facts items of 100 installations a request, three attributes only', async () => {
    // Arrange
    const ids = Array.from({ length: 150 }, (_, n) => `inst_${n}`);
    dynamo.on(BatchGetCommand).resolves({ Responses: { support: [{ sk: 'inst_7', suiteVersion: '2025.4.1' }] } });

    // Act
    const facts = await counters().factsOf(ids);

    // Assert
    expect(facts).toEqual(new Map([['inst_7', { suiteVersion: '2025.4.1' }]]));
    const requests = dynamo.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems?.['support']);
    expect(requests.map((r) => r?.Keys?.length)).toEqual([100, 50]);
    expect(requests[1]?.Keys?.[0]).toEqual({ pk: 'FLEETFACTS', sk: 'inst_100' });
    for (const request of requests) {
      expect(request?.ConsistentRead).toBeUndefined();
      const projected = request?.ProjectionExpression?.split(', ').map(
        (p) => request.ExpressionAttributeNames?.[p] ?? p,
      );
      expect(projected).toEqual(['sk', 'suiteVersion', 'sqlEdition']);
    }
  });

  it('lets throttling through as the SDK threw it', async () => {
    // Arrange
    const throttled = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
    dynamo.on(BatchGetCommand).rejects(throttled);

    // Act
    const reading = counters().factsOf(['inst_1']);

    // Assert
    await expect(reading).rejects.toBe(throttled);
  });
});

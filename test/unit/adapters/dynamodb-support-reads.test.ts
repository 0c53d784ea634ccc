import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ServiceUnavailableError } from '#lambdas/core/errors';
import { DynamoDbSupportReads } from '#lambdas/adapters/dynamodb-support-reads';

// Throttling and a paged answer are what DynamoDB Local will not produce on demand: mocked here.
const dynamo = mockClient(DynamoDBDocumentClient);
const reads = () =>
  new DynamoDbSupportReads(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-central-1' })), 'support');
const ack = (ackId: string) => ({
  ackId,
  findingId: 'fnd_x',
  installationId: 'inst_x',
  accountId: 'acc_x',
  at: '2026-03-02T09:00:00.000Z',
  by: 'sub-1',
  note: 'n',
});

afterEach(() => dynamo.reset());

describe('DynamoDbSupportReads', () => {
  it('follows every page of a query', async () => {
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: [ack('ack_1')], LastEvaluatedKey: { pk: 'INST#inst_x', sk: 'ACK#1' } })
      .resolvesOnce({ Items: [ack('ack_2')] });

    const acks = await reads().acknowledgements('inst_x');

    expect(acks.map((a) => a.ackId)).toEqual(['ack_1', 'ack_2']);
    const calls = dynamo.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(calls[1]).toMatchObject({ TableName: 'support', ExclusiveStartKey: { pk: 'INST#inst_x', sk: 'ACK#1' } });
  });

  it('turns throttling into a 503 the caller retries', async () => {
    dynamo
      .on(QueryCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    dynamo.on(PutCommand).rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));

    await expect(reads().findings('inst_x')).rejects.toThrow(ServiceUnavailableError);
    await expect(reads().acknowledge(ack('ack_1'))).rejects.toThrow(ServiceUnavailableError);
  });

  it('writes an acknowledgement under its own sort key, never over another item', async () => {
    dynamo.on(PutCommand).resolves({});

    await reads().acknowledge(ack('ack_1'));

    expect(dynamo.commandCalls(PutCommand)[0]!.args[0].input).toMatchObject({
      Item: { pk: 'INST#inst_x', sk: 'ACK#fnd_x#2026-03-02T09:00:00.000Z#ack_1', note: 'n', by: 'sub-1' },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });
});

import { KinesisClient, PutRecordsCommand, ProvisionedThroughputExceededException } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { ServiceUnavailableError } from '#lambdas/core/errors';
import { KinesisTelemetryStream } from '#lambdas/adapters/kinesis-telemetry-stream';

// Partial PutRecords failures and throttling are faults kinesalite cannot produce: mocked here.
const kinesis = mockClient(KinesisClient);
const records = [0, 1, 2].map((n) => ({ partitionKey: 'inst_x', data: new TextEncoder().encode(`{"n":${n}}`) }));

afterEach(() => kinesis.reset());

describe('KinesisTelemetryStream', () => {
  it('answers the indexes of the records Kinesis refused', async () => {
    kinesis.on(PutRecordsCommand).resolves({
      FailedRecordCount: 1,
      Records: [
        { SequenceNumber: '1', ShardId: 's' },
        { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow down' },
        { SequenceNumber: '3', ShardId: 's' },
      ],
    });
    const stream = new KinesisTelemetryStream('telemetry', new KinesisClient({ region: 'eu-central-1' }));

    const result = await stream.put(records);

    expect(result).toEqual({ failed: [1] });
    const sent = kinesis.commandCalls(PutRecordsCommand)[0]!.args[0].input;
    expect(sent).toMatchObject({
      StreamName: 'telemetry',
      Records: [{ PartitionKey: 'inst_x' }, { PartitionKey: 'inst_x' }, { PartitionKey: 'inst_x' }],
    });
  });

  it('turns a throttled call into a 503 the agent retries', async () => {
    kinesis
      .on(PutRecordsCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'throttled', $metadata: {} }));
    const stream = new KinesisTelemetryStream('telemetry', new KinesisClient({ region: 'eu-central-1' }));

    await expect(stream.put(records)).rejects.toThrow(ServiceUnavailableError);
  });
});

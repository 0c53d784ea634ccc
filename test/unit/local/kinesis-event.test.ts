import { KinesisDataStreamSchema } from '@aws-lambda-powertools/parser/schemas/kinesis';
import {
  batchOutcome,
  compareSequenceNumbers,
  kinesisStreamEvent,
  shiftArrivals,
  type ShardRecord,
} from '#local/kinesis-event';

const source = {
  shardId: 'shardId-000000000000',
  eventSourceArn: 'arn:aws:kinesis:eu-central-1:111111111111:stream/ucx-eu-telemetry',
  awsRegion: 'eu-central-1',
  invokeIdentityArn: 'arn:aws:iam::111111111111:role/ucx-eu-archiver-role',
};
const record = (n: number, data: unknown = { n }): ShardRecord => ({
  sequenceNumber: `4959033827149025660855969253836157109592157598913658889${n}`,
  partitionKey: `pk-${n}`,
  data: Buffer.from(JSON.stringify(data)),
  approximateArrivalTimestamp: new Date(`2026-03-12T19:03:5${n}.123Z`),
});

describe('kinesisStreamEvent', () => {
  it('builds the event Lambda sends, which Powertools KinesisDataStreamSchema parses', () => {
    // Arrange
    const records = [record(1, { beat: 'a' }), record(2, { beat: 'b' })];

    // Act
    const event = kinesisStreamEvent(records, source);
    const parsed = KinesisDataStreamSchema.parse(event);

    // Assert
    expect(parsed.Records).toHaveLength(2);
    expect(parsed.Records[0]!.kinesis.data).toEqual({ beat: 'a' });
    expect(event.Records[0]).toEqual({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: 'pk-1',
        sequenceNumber: records[0]!.sequenceNumber,
        data: Buffer.from('{"beat":"a"}').toString('base64'),
        approximateArrivalTimestamp: 1773342231.123,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000000:${records[0]!.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: source.invokeIdentityArn,
      awsRegion: 'eu-central-1',
      eventSourceARN: source.eventSourceArn,
    });
  });

  it('keeps binary data byte for byte', () => {
    const bytes = Uint8Array.from([0, 255, 31, 139, 8]);

    const event = kinesisStreamEvent([{ ...record(1), data: bytes }], source);

    expect([...Buffer.from(event.Records[0]!.kinesis.data, 'base64')]).toEqual([...bytes]);
  });
});

describe('shiftArrivals', () => {
  it("moves every arrival by the local clock's offset and leaves the rest of the event as it was", () => {
    // Arrange
    const event = kinesisStreamEvent([record(1), record(2)], source);

    // Act
    const shifted = shiftArrivals(event, 2 * 86_400_000);

    // Assert
    expect(shifted.Records.map((r) => new Date(r.kinesis.approximateArrivalTimestamp * 1000).toISOString())).toEqual([
      '2026-03-14T19:03:51.123Z',
      '2026-03-14T19:03:52.123Z',
    ]);
    expect(shifted.Records.map((r) => ({ ...r, kinesis: { ...r.kinesis, approximateArrivalTimestamp: 0 } }))).toEqual(
      event.Records.map((r) => ({ ...r, kinesis: { ...r.kinesis, approximateArrivalTimestamp: 0 } })),
    );
    expect(shiftArrivals(event, 0)).toBe(event);
  });
});

describe('batchOutcome', () => {
  const seqs = ['11', '12', '13'];
  it('reads results as Lambda does under ReportBatchItemFailures', () => {
    expect(batchOutcome({ result: null }, seqs, true)).toEqual({ kind: 'success' });
    expect(batchOutcome({ result: { batchItemFailures: [] } }, seqs, true)).toEqual({ kind: 'success' });
    expect(batchOutcome({ result: {} }, seqs, true)).toEqual({ kind: 'success' });
    expect(
      batchOutcome({ result: { batchItemFailures: [{ itemIdentifier: '13' }, { itemIdentifier: '12' }] } }, seqs, true),
    ).toEqual({ kind: 'partial', failedIndex: 1 });
    expect(batchOutcome({ result: { batchItemFailures: [{ itemIdentifier: '99' }] } }, seqs, true)).toMatchObject({
      kind: 'failure',
      functionError: false,
    });
    expect(batchOutcome({ result: { batchItemFailures: [{ itemIdentifier: '' }] } }, seqs, true)).toMatchObject({
      kind: 'failure',
    });
    expect(batchOutcome({ error: { errorType: 'Error', errorMessage: 'boom' } }, seqs, true)).toMatchObject({
      kind: 'failure',
      functionError: true,
    });
  });

  it('ignores the result without ReportBatchItemFailures', () => {
    expect(batchOutcome({ result: { batchItemFailures: [{ itemIdentifier: '12' }] } }, seqs, false)).toEqual({
      kind: 'success',
    });
  });

  it('compares sequence numbers as numbers', () => {
    expect(compareSequenceNumbers('9', '10')).toBeLessThan(0);
    expect(compareSequenceNumbers('12', '11')).toBeGreaterThan(0);
  });
});

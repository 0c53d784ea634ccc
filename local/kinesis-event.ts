/**
 * What Lambda's Kinesis event source mapping hands a function, and how it reads the answer: the
 * `KinesisStreamEvent` of a batch, and the batch outcome of a result under
 * `ReportBatchItemFailures`. Pure, so the unit tests pin it against Powertools' schema.
 */
import type { KinesisStreamEvent } from 'aws-lambda';
import type { InvokeError, InvokeOutcome } from './lambda-runtime';

/** One record as read from the shard. */
export interface ShardRecord {
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly approximateArrivalTimestamp: Date;
}

export interface KinesisEventSource {
  readonly shardId: string;
  /** the stream ARN */
  readonly eventSourceArn: string;
  /** the stream's AWS region name, e.g. `eu-central-1` */
  readonly awsRegion: string;
  /** the function's execution role ARN */
  readonly invokeIdentityArn: string;
}

export function kinesisStreamEvent(records: readonly ShardRecord[], source: KinesisEventSource): KinesisStreamEvent {
  return {
    Records: records.map((record) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: record.partitionKey,
        sequenceNumber: record.sequenceNumber,
        data: Buffer.from(record.data).toString('base64'),
        // epoch seconds with milliseconds, as Lambda sends it
        approximateArrivalTimestamp: record.approximateArrivalTimestamp.getTime() / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${source.shardId}:${record.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: source.invokeIdentityArn,
      awsRegion: source.awsRegion,
      eventSourceARN: source.eventSourceArn,
    })),
  };
}

/**
 * The event with every `approximateArrivalTimestamp` moved by the local clock's offset at delivery,
 * so a function sees arrivals on the clock it reads (kinesalite stamps them on real time, and the
 * mapping's batching windows and record ages stay on real time with it).
 */
export function shiftArrivals(event: KinesisStreamEvent, offsetMs: number): KinesisStreamEvent {
  if (offsetMs === 0) return event;
  return {
    Records: event.Records.map((record) => ({
      ...record,
      kinesis: {
        ...record.kinesis,
        approximateArrivalTimestamp: (record.kinesis.approximateArrivalTimestamp * 1000 + offsetMs) / 1000,
      },
    })),
  };
}

/** Lambda's synchronous invocation payload limit; a batch is cut below it. */
export const maxInvokePayloadBytes = 6 * 1024 * 1024;

/** JSON size of one record in the event, near enough (base64 data plus the fixed fields). */
export const eventRecordBytes = (record: ShardRecord, source: KinesisEventSource): number =>
  Math.ceil(record.data.length / 3) * 4 +
  record.partitionKey.length +
  2 * record.sequenceNumber.length +
  source.eventSourceArn.length +
  source.invokeIdentityArn.length +
  400;

/** Kinesis sequence numbers are decimal strings of growing length: compare as numbers. */
export const compareSequenceNumbers = (a: string, b: string): number =>
  a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;

export type BatchOutcome =
  | { readonly kind: 'success' }
  /** the records before `failedIndex` are done; the rest is retried */
  | { readonly kind: 'partial'; readonly failedIndex: number }
  | { readonly kind: 'failure'; readonly error: InvokeError; readonly functionError: boolean };

/**
 * The outcome of one invocation for a batch, as Lambda judges it. Without
 * ReportBatchItemFailures any result is a success. With it: a null or empty result, or an empty
 * or null `batchItemFailures`, is a success; a failure entry whose `itemIdentifier` is missing,
 * empty or not a sequence number of the batch fails the whole batch; otherwise the batch is done
 * up to the LOWEST failed sequence number. A thrown error or a timeout fails the whole batch.
 */
export function batchOutcome(
  outcome: InvokeOutcome,
  sequenceNumbers: readonly string[],
  reportBatchItemFailures: boolean,
): BatchOutcome {
  if ('error' in outcome) return { kind: 'failure', error: outcome.error, functionError: true };
  if (!reportBatchItemFailures) return { kind: 'success' };
  const result = outcome.result;
  if (result === null || result === undefined || result === '') return { kind: 'success' };
  const invalid = (why: string): BatchOutcome => ({
    kind: 'failure',
    error: { errorType: 'InvalidBatchItemFailures', errorMessage: why },
    functionError: false,
  });
  if (typeof result !== 'object' || Array.isArray(result))
    return invalid(`the result is not an object: ${JSON.stringify(result).slice(0, 200)}`);
  const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === null || failures === undefined) return { kind: 'success' };
  if (!Array.isArray(failures)) return invalid('batchItemFailures is not a list');
  if (failures.length === 0) return { kind: 'success' };
  let lowest = Number.POSITIVE_INFINITY;
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const index = typeof id === 'string' && id !== '' ? sequenceNumbers.indexOf(id) : -1;
    if (index < 0) return invalid(`itemIdentifier ${JSON.stringify(id)} is not a sequence number of the batch`);
    lowest = Math.min(lowest, index);
  }
  return { kind: 'partial', failedIndex: lowest };
}

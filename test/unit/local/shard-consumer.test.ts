import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KinesisStreamEvent } from 'aws-lambda';
import type { ShardRecord } from '#local/kinesis-event';
import type { InvokeOutcome } from '#local/lambda-runtime';
import {
  fileCheckpointStore,
  ShardConsumer,
  type Checkpoint,
  type CheckpointStore,
  type KinesisFailureRecord,
  type ShardReader,
  type StreamMappingSettings,
} from '#local/shard-consumer';

const t0 = Date.parse('2026-03-12T19:00:00.000Z');
const seq = (n: number) => `4960000000000000000000000000000000000000000000000000${String(n).padStart(4, '0')}`;
const record = (n: number, body: string = `ok-${n}`, arrivedAt = t0 + n): ShardRecord => ({
  sequenceNumber: seq(n),
  partitionKey: `pk-${n}`,
  data: Buffer.from(body),
  approximateArrivalTimestamp: new Date(arrivedAt),
});

/** A shard as an array; reads start after the checkpoint, as the kinesalite reader's do. */
function fakeShard(records: ShardRecord[], checkpoints: CheckpointStore): ShardReader & { records: ShardRecord[] } {
  const after = checkpoints.load()?.sequenceNumber;
  let position = after === undefined ? 0 : records.findIndex((r) => r.sequenceNumber === after) + 1;
  return {
    records,
    read: async (limit) => {
      const out = records.slice(position, position + limit);
      position += out.length;
      return { records: out, closed: false };
    },
  };
}

const memoryCheckpoints = (initial?: Checkpoint): CheckpointStore & { saved: Checkpoint[] } => {
  const saved: Checkpoint[] = initial ? [initial] : [];
  return { saved, load: () => saved[saved.length - 1], save: (c) => void saved.push(c) };
};

/** A handler like the archiver under Powertools: a record whose data is `poison` fails. */
function fakeFunction(mode: 'partial' | 'throw') {
  const invocations: string[][] = [];
  const processed = new Set<string>();
  const invoke = async (event: KinesisStreamEvent): Promise<InvokeOutcome> => {
    const bodies = event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString());
    invocations.push(bodies);
    const failed = event.Records.filter((r) => Buffer.from(r.kinesis.data, 'base64').toString() === 'poison');
    if (failed.length > 0 && mode === 'throw') return { error: { errorType: 'Error', errorMessage: 'poison record' } };
    for (const body of bodies) if (body !== 'poison') processed.add(body);
    return { result: { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })) } };
  };
  return { invoke, invocations, processed };
}

const settings = (over: Partial<StreamMappingSettings> = {}): StreamMappingSettings => ({
  batchSize: 100,
  maximumBatchingWindowSeconds: 0,
  bisectBatchOnFunctionError: true,
  maximumRetryAttempts: 2,
  maximumRecordAgeSeconds: -1,
  reportBatchItemFailures: true,
  ...over,
});

function consumerOf(opts: {
  records: ShardRecord[];
  settings: StreamMappingSettings;
  fn: ReturnType<typeof fakeFunction>;
  checkpoints?: CheckpointStore;
  now?: () => number;
}) {
  const checkpoints = opts.checkpoints ?? memoryCheckpoints();
  const sent: KinesisFailureRecord[] = [];
  const shard = fakeShard(opts.records, checkpoints);
  const consumer = new ShardConsumer({
    source: {
      shardId: 'shardId-000000000000',
      eventSourceArn: 'arn:aws:kinesis:eu-central-1:111111111111:stream/s',
      awsRegion: 'eu-central-1',
      invokeIdentityArn: 'arn:aws:iam::111111111111:role/r',
    },
    settings: opts.settings,
    functionArn: 'arn:aws:lambda:eu-central-1:111111111111:function:f',
    reader: shard,
    invoke: opts.fn.invoke,
    checkpoints,
    destination: { name: 'dlq', send: (r) => void sent.push(r) },
    now: opts.now ?? (() => t0 + 60_000),
  });
  /** ticks until a tick neither invokes nor has work waiting (retry delays are not slept here) */
  const drain = async () => {
    for (let i = 0; i < 200; i++) {
      const { invoked } = await consumer.tick();
      if (invoked === 0 && consumer.status().buffered === 0) return i;
    }
    throw new Error('did not settle in 200 ticks');
  };
  return { consumer, sent, drain, checkpoints, shard };
}

describe('ShardConsumer', () => {
  it('isolates a poison record by bisecting, retries it a bounded number of times, sends it to the destination and moves on', async () => {
    // Arrange
    const records = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => record(n, n === 3 ? 'poison' : `ok-${n}`));
    const fn = fakeFunction('partial');
    const { consumer, sent, drain } = consumerOf({ records, settings: settings(), fn });

    // Act
    await drain();

    // Assert: every good record delivered, the poison one alone in the destination
    expect([...fn.processed].sort()).toEqual(['ok-1', 'ok-2', 'ok-4', 'ok-5', 'ok-6', 'ok-7', 'ok-8']);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      requestContext: {
        condition: 'RetryAttemptsExhausted',
        functionArn: 'arn:aws:lambda:eu-central-1:111111111111:function:f',
      },
      version: '1.0',
      KinesisBatchInfo: {
        shardId: 'shardId-000000000000',
        startSequenceNumber: seq(3),
        endSequenceNumber: seq(3),
        batchSize: 1,
        streamArn: 'arn:aws:kinesis:eu-central-1:111111111111:stream/s',
      },
    });
    // the poison record alone: first try + MaximumRetryAttempts (2)
    expect(fn.invocations.filter((bodies) => bodies.length === 1 && bodies[0] === 'poison')).toHaveLength(3);
    expect(consumer.status().checkpoint).toBe(seq(8));

    // …and the shard moved on: later records flow
    records.push(record(9));
    await drain();
    expect(fn.processed.has('ok-9')).toBe(true);
    expect(consumer.status().checkpoint).toBe(seq(9));
  });

  it('retries the whole batch on a thrown error and, without bisect, hands the whole batch to the destination', async () => {
    // Arrange
    const records = [record(1), record(2, 'poison'), record(3)];
    const fn = fakeFunction('throw');
    const { sent, drain, consumer } = consumerOf({
      records,
      settings: settings({ bisectBatchOnFunctionError: false, maximumRetryAttempts: 1 }),
      fn,
    });

    // Act
    await drain();

    // Assert
    expect(fn.invocations).toEqual([
      ['ok-1', 'poison', 'ok-3'],
      ['ok-1', 'poison', 'ok-3'],
    ]);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.KinesisBatchInfo).toMatchObject({
      startSequenceNumber: seq(1),
      endSequenceNumber: seq(3),
      batchSize: 3,
    });
    expect(sent[0]!.responseContext).toEqual({
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: 'Unhandled',
    });
    expect(sent[0]!.requestContext.approximateInvokeCount).toBe(2);
    expect(consumer.status().checkpoint).toBe(seq(3));
  });

  it('retries from the lowest failed sequence number under ReportBatchItemFailures, without bisect', async () => {
    const records = [record(1), record(2), record(3, 'poison'), record(4)];
    const fn = fakeFunction('partial');
    const { sent, drain, consumer } = consumerOf({
      records,
      settings: settings({ bisectBatchOnFunctionError: false, maximumRetryAttempts: 1 }),
      fn,
    });

    await drain();

    expect(fn.invocations).toEqual([
      ['ok-1', 'ok-2', 'poison', 'ok-4'],
      ['poison', 'ok-4'],
    ]);
    expect(sent[0]!.KinesisBatchInfo).toMatchObject({
      startSequenceNumber: seq(3),
      endSequenceNumber: seq(4),
      batchSize: 2,
    });
    expect(sent[0]!.responseContext.functionError).toBeUndefined();
    // both invocations failed in part; the two records from the poison one were handed again once
    expect(consumer.status()).toMatchObject({ invocations: 2, failedInvocations: 2, retried: 2, delivered: 2 });
  });

  it('keeps BatchSize and waits for the batching window', async () => {
    // Arrange
    let now = t0 + 5;
    const records = [1, 2, 3, 4, 5].map((n) => record(n, `ok-${n}`, t0));
    const fn = fakeFunction('partial');
    const { consumer } = consumerOf({
      records,
      settings: settings({ batchSize: 2, maximumBatchingWindowSeconds: 1 }),
      fn,
      now: () => now,
    });

    // Act: full batches go at once, the last record waits for the window
    for (let i = 0; i < 5; i++) await consumer.tick();
    const beforeWindow = fn.invocations.map((b) => b.length);
    now = t0 + 1000;
    await consumer.tick();

    // Assert
    expect(beforeWindow).toEqual([2, 2]);
    expect(fn.invocations.map((b) => b.length)).toEqual([2, 2, 1]);
  });

  it('invokes a batch full at 6 MB of payload without waiting out the window, and reads no more meanwhile', async () => {
    // Arrange: records of ~2.1 MB in the event (base64), far below BatchSize, a 300 s window
    const big = (n: number) => ({ ...record(n, 'x', t0), data: Buffer.alloc(1_600_000, n) });
    const fn = fakeFunction('partial');
    const { consumer, shard } = consumerOf({
      records: [big(1), big(2), big(3), big(4)],
      settings: settings({ batchSize: 10_000, maximumBatchingWindowSeconds: 300 }),
      fn,
      now: () => t0 + 5,
    });
    let reads = 0;
    const read = shard.read;
    shard.read = (limit) => {
      reads++;
      return read(limit);
    };

    // Act
    await consumer.tick();
    await consumer.tick();

    // Assert: two records make a full payload and go at once; the rest waits for the window
    expect(fn.invocations.map((b) => b.length)).toEqual([2]);
    expect(consumer.status().buffered).toBe(2);
    expect(reads).toBe(2);
  });

  it('does not invoke records older than MaximumRecordAgeInSeconds: they go to the destination', async () => {
    const records = [record(1, 'ok-1', t0), record(2, 'ok-2', t0 + 120_000)];
    const fn = fakeFunction('partial');
    const { sent, drain } = consumerOf({
      records,
      settings: settings({ maximumRecordAgeSeconds: 60 }),
      fn,
      now: () => t0 + 121_000,
    });

    await drain();

    expect(sent).toHaveLength(1);
    expect(sent[0]!.requestContext).toMatchObject({ condition: 'RecordAgeExceeded', approximateInvokeCount: 0 });
    expect(sent[0]!.KinesisBatchInfo.startSequenceNumber).toBe(seq(1));
    expect(fn.invocations).toEqual([['ok-2']]);
  });

  it('persists its checkpoint, so a restarted consumer neither loses nor replays records', async () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'ucx-checkpoints-'));
    try {
      const records = [record(1), record(2), record(3)];
      const first = fakeFunction('partial');
      await consumerOf({
        records,
        settings: settings(),
        fn: first,
        checkpoints: fileCheckpointStore(dir, 'shardId-000000000000'),
      }).drain();
      records.push(record(4), record(5));

      // Act: a new consumer (a restart) on the same checkpoint file
      const second = fakeFunction('partial');
      const restarted = consumerOf({
        records,
        settings: settings(),
        fn: second,
        checkpoints: fileCheckpointStore(dir, 'shardId-000000000000'),
      });
      await restarted.drain();

      // Assert
      expect(first.invocations).toEqual([['ok-1', 'ok-2', 'ok-3']]);
      expect(second.invocations).toEqual([['ok-4', 'ok-5']]);
      expect(fileCheckpointStore(dir, 'shardId-000000000000').load()?.sequenceNumber).toBe(seq(5));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not checkpoint, retry or give up when the cloud stops under an invocation', async () => {
    // Arrange
    const checkpoints = memoryCheckpoints();
    let consumer: ShardConsumer | undefined;
    const fn = {
      invocations: [] as string[][],
      processed: new Set<string>(),
      invoke: async (): Promise<InvokeOutcome> => {
        consumer!.stop();
        return { error: { errorType: 'Runtime.ExitError', errorMessage: 'the sandbox exited' } };
      },
    };
    const built = consumerOf({ records: [record(1)], settings: settings(), fn, checkpoints });
    consumer = built.consumer;

    // Act
    await consumer.tick();

    // Assert
    expect(checkpoints.saved).toEqual([]);
    expect(built.sent).toEqual([]);
    expect(consumer.status().state).toBe('stopped');
  });
});

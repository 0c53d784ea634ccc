/**
 * One event source mapping on one shard, with Lambda's stream semantics: batches of up to
 * BatchSize records (and below the 6 MB payload limit) after a batching window (not waited
 * out by a full batch, records or payload), one invocation
 * at a time in shard order, checkpoints, partial batch responses, bisection, bounded retries,
 * record age, and the on-failure destination. The reader, the invoker, the checkpoint store and
 * the destination are injected, so the unit tests drive it without kinesalite or a worker.
 *
 * Retry semantics (as Lambda's, see local/README.md "Kinesis event sources"):
 * - success: checkpoint after the batch's last record;
 * - partial (ReportBatchItemFailures): checkpoint before the lowest failed sequence number and
 *   retry from there (the failed record and everything after it in the batch);
 * - an error, a timeout or an invalid batchItemFailures: retry the whole batch;
 * - a failed set of more than one record is halved when BisectBatchOnFunctionError is on (a split
 *   does not count as a retry attempt, as in Lambda); otherwise it is retried as it is, after a
 *   growing delay, at most MaximumRetryAttempts times (-1: until the records expire);
 * - records older than MaximumRecordAgeInSeconds are not invoked again;
 * - when retries are exhausted or the records are too old, the set is described to the
 *   on-failure destination (without it: discarded) and the checkpoint moves past it.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KinesisStreamEvent } from 'aws-lambda';
import {
  batchOutcome,
  compareSequenceNumbers,
  eventRecordBytes,
  kinesisStreamEvent,
  maxInvokePayloadBytes,
  type KinesisEventSource,
  type ShardRecord,
} from './kinesis-event';
import type { InvokeOutcome } from './lambda-runtime';

export interface ShardReader {
  /** the next records of the shard in order (after the checkpoint at first), at most `limit` */
  read(limit: number): Promise<{ records: ShardRecord[]; closed: boolean; millisBehindLatest?: number }>;
}

export interface Checkpoint {
  /** the last sequence number processed (delivered, or handed to the on-failure destination) */
  readonly sequenceNumber?: string;
  /** for `LATEST` before any record was processed: where the mapping started, epoch ms */
  readonly startedAtMs?: number;
}

export interface CheckpointStore {
  load(): Checkpoint | undefined;
  save(checkpoint: Checkpoint): void;
}

/** A Lambda on-failure destination record for a Kinesis batch. */
export interface KinesisFailureRecord {
  readonly requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
    approximateInvokeCount: number;
  };
  readonly responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly KinesisBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

export interface FailureDestination {
  /** the queue's (or topic's) name, for logs and status */
  readonly name: string;
  send(record: KinesisFailureRecord): void;
}

export interface StreamMappingSettings {
  readonly batchSize: number;
  readonly maximumBatchingWindowSeconds: number;
  readonly bisectBatchOnFunctionError: boolean;
  /** -1: no limit */
  readonly maximumRetryAttempts: number;
  /** -1: no limit */
  readonly maximumRecordAgeSeconds: number;
  readonly reportBatchItemFailures: boolean;
}

export interface ShardConsumerOptions {
  readonly source: KinesisEventSource;
  readonly settings: StreamMappingSettings;
  readonly functionArn: string;
  readonly reader: ShardReader;
  readonly invoke: (event: KinesisStreamEvent) => Promise<InvokeOutcome>;
  readonly checkpoints: CheckpointStore;
  readonly destination?: FailureDestination;
  /** delay before the n-th retry of the same records: base × 2^(n-1), capped. @default 200 */
  readonly retryBaseDelayMs?: number;
  /** @default 5000 */
  readonly retryMaxDelayMs?: number;
  /** a tick with nothing to do asks to be called again after this. @default 250 */
  readonly pollIntervalMs?: number;
  /** GetRecords limit per read. @default max(BatchSize, 100), at most 10000 */
  readonly readLimit?: number;
  readonly now?: () => number;
  /** one line per invocation */
  readonly log?: (line: string) => void;
  /** prefix of log lines, e.g. `eu kinesis ucx-eu-telemetry shardId-000000000000 → Archiver` */
  readonly label?: string;
}

interface PendingSet {
  readonly records: readonly ShardRecord[];
  /** retries of exactly these records so far (a split does not count) */
  readonly attempts: number;
  /** invocations that held these records */
  readonly invocations: number;
}

export interface ShardStatus {
  readonly shardId: string;
  readonly checkpoint?: string;
  readonly state: 'polling' | 'retrying' | 'closed' | 'stopped';
  readonly buffered: number;
  readonly invocations: number;
  /** invocations that failed, whole or for some records */
  readonly failedInvocations: number;
  /** records handed to the function again after a failure (a bisected half counts) */
  readonly retried: number;
  readonly delivered: number;
  readonly sentToDestination: number;
  readonly discarded: number;
  readonly lastInvocation?: { at: string; records: number; outcome: string; ms: number };
  readonly lastError?: { at: string; message: string };
}

/** What a tick did, and when the caller should tick again. */
export interface TickResult {
  readonly invoked: number;
  readonly delayMs: number;
}

export class ShardConsumer {
  private buffer: ShardRecord[] = [];
  /** the buffer's size in the event (eventRecordBytes), kept as records come and go */
  private bufferBytes = 0;
  private readonly pending: PendingSet[] = [];
  private checkpoint: Checkpoint;
  private closed = false;
  private stopped = false;
  private readonly stats = {
    invocations: 0,
    failedInvocations: 0,
    retried: 0,
    delivered: 0,
    sentToDestination: 0,
    discarded: 0,
  };
  private lastInvocation: ShardStatus['lastInvocation'];
  private lastError: ShardStatus['lastError'];
  private readonly now: () => number;

  constructor(private readonly options: ShardConsumerOptions) {
    this.now = options.now ?? Date.now;
    this.checkpoint = options.checkpoints.load() ?? {};
  }

  get shardId(): string {
    return this.options.source.shardId;
  }

  /** all read records processed and the shard closed (after a reshard): the consumer is done */
  get finished(): boolean {
    return this.closed && this.buffer.length === 0 && this.pending.length === 0;
  }

  stop(): void {
    this.stopped = true;
  }

  status(): ShardStatus {
    return {
      shardId: this.shardId,
      ...(this.checkpoint.sequenceNumber !== undefined && { checkpoint: this.checkpoint.sequenceNumber }),
      state: this.stopped
        ? 'stopped'
        : this.finished
          ? 'closed'
          : this.pending.some((p) => p.attempts > 0 || p.invocations > 0)
            ? 'retrying'
            : 'polling',
      buffered: this.buffer.length + this.pending.reduce((n, p) => n + p.records.length, 0),
      ...this.stats,
      ...(this.lastInvocation && { lastInvocation: this.lastInvocation }),
      ...(this.lastError && { lastError: this.lastError }),
    };
  }

  recordError(message: string): void {
    this.lastError = { at: new Date(this.now()).toISOString(), message };
  }

  /**
   * Bounded work: at most one read and one invocation. Returns when to tick again: 0 when more
   * work is waiting, the retry delay while retrying, the poll interval when idle.
   */
  async tick(): Promise<TickResult> {
    const poll = this.options.pollIntervalMs ?? 250;
    if (this.stopped) return { invoked: 0, delayMs: poll };
    let behind = false;
    const { batchSize, maximumBatchingWindowSeconds } = this.options.settings;
    if (this.pending.length === 0) {
      // A batch is full at BatchSize records or at the 6 MB payload, as in Lambda: a full one goes
      // without waiting out the window, and no more is read into memory than a batch holds.
      const full = () => this.buffer.length >= batchSize || this.bufferBytes >= maxInvokePayloadBytes;
      if (!full() && !this.closed) {
        const limit = Math.min(10_000, this.options.readLimit ?? Math.max(batchSize, 100));
        const read = await this.options.reader.read(limit);
        this.buffer.push(...read.records);
        for (const r of read.records) this.bufferBytes += eventRecordBytes(r, this.options.source);
        this.closed = read.closed;
        behind = read.records.length >= limit || (read.millisBehindLatest ?? 0) > 0;
      }
      if (this.buffer.length === 0) return { invoked: 0, delayMs: poll };
      const windowMs = maximumBatchingWindowSeconds * 1000;
      const waitedMs = this.now() - this.buffer[0]!.approximateArrivalTimestamp.getTime();
      if (!full() && !this.closed && !behind && windowMs > 0 && waitedMs < windowMs) {
        return { invoked: 0, delayMs: Math.min(poll, windowMs - waitedMs) };
      }
      this.pending.push({ records: this.takeBatch(), attempts: 0, invocations: 0 });
    }
    const delayMs = await this.runPending();
    return { invoked: 1, delayMs: delayMs ?? (this.pending.length > 0 || this.buffer.length > 0 || behind ? 0 : poll) };
  }

  private takeBatch(): ShardRecord[] {
    let bytes = 0;
    let count = 0;
    while (count < this.buffer.length && count < this.options.settings.batchSize) {
      const next = eventRecordBytes(this.buffer[count]!, this.options.source);
      if (count > 0 && bytes + next > maxInvokePayloadBytes) break;
      bytes += next;
      count++;
    }
    this.bufferBytes -= bytes;
    return this.buffer.splice(0, count);
  }

  /** Invokes the first pending set; returns a delay when its records wait for a retry. */
  private async runPending(): Promise<number | undefined> {
    const set = this.pending[0]!;
    const { settings } = this.options;
    // Records past the maximum age are not invoked (again): they go to the destination.
    if (settings.maximumRecordAgeSeconds >= 0) {
      const oldest = this.now() - settings.maximumRecordAgeSeconds * 1000;
      const expired = set.records.filter((r) => r.approximateArrivalTimestamp.getTime() < oldest).length;
      if (expired > 0) {
        this.pending.shift();
        this.giveUp(set.records.slice(0, expired), 'RecordAgeExceeded', set.invocations, undefined);
        if (expired < set.records.length) this.pending.unshift({ ...set, records: set.records.slice(expired) });
        return undefined;
      }
    }
    const event = kinesisStreamEvent(set.records, this.options.source);
    const started = this.now();
    const outcome = await this.options.invoke(event);
    // The cloud is stopping and the sandbox was ended under this invocation: no retry, no
    // destination, no checkpoint; the next start reads these records again.
    if (this.stopped && 'error' in outcome) return undefined;
    this.stats.invocations++;
    const sequenceNumbers = set.records.map((r) => r.sequenceNumber);
    const result = batchOutcome(outcome, sequenceNumbers, settings.reportBatchItemFailures);
    const ms = this.now() - started;
    const described =
      result.kind === 'success'
        ? 'ok'
        : result.kind === 'partial'
          ? `${set.records.length - result.failedIndex} from ${sequenceNumbers[result.failedIndex]} failed`
          : `failed: ${result.error.errorType}: ${result.error.errorMessage}`;
    this.lastInvocation = { at: new Date(started).toISOString(), records: set.records.length, outcome: described, ms };
    this.log(
      `${set.records.length} records${set.attempts > 0 ? ` (retry ${set.attempts})` : ''} → ${described} ${ms} ms`,
    );
    this.pending.shift();
    if (result.kind === 'success') {
      this.stats.delivered += set.records.length;
      this.commit(set.records[set.records.length - 1]!);
      return undefined;
    }
    this.stats.failedInvocations++;
    let failed = set.records;
    if (result.kind === 'partial') {
      this.stats.delivered += result.failedIndex;
      if (result.failedIndex > 0) this.commit(set.records[result.failedIndex - 1]!);
      failed = set.records.slice(result.failedIndex);
      this.recordError(`${described}`);
    } else {
      this.recordError(`${result.error.errorType}: ${result.error.errorMessage}`);
    }
    const invocations = set.invocations + 1;
    const functionError = result.kind === 'failure' && result.functionError;
    if (settings.bisectBatchOnFunctionError && failed.length > 1) {
      const half = Math.ceil(failed.length / 2);
      this.stats.retried += failed.length;
      this.pending.unshift(
        { records: failed.slice(0, half), attempts: set.attempts, invocations },
        { records: failed.slice(half), attempts: set.attempts, invocations },
      );
      return undefined;
    }
    if (settings.maximumRetryAttempts >= 0 && set.attempts >= settings.maximumRetryAttempts) {
      this.giveUp(failed, 'RetryAttemptsExhausted', invocations, functionError);
      return undefined;
    }
    const attempts = set.attempts + 1;
    this.stats.retried += failed.length;
    this.pending.unshift({ records: failed, attempts, invocations });
    const base = this.options.retryBaseDelayMs ?? 200;
    return Math.min(this.options.retryMaxDelayMs ?? 5000, base * 2 ** (attempts - 1));
  }

  private giveUp(
    records: readonly ShardRecord[],
    condition: KinesisFailureRecord['requestContext']['condition'],
    invocations: number,
    functionError: boolean | undefined,
  ): void {
    const first = records[0]!;
    const last = records[records.length - 1]!;
    const destination = this.options.destination;
    if (destination) {
      destination.send({
        requestContext: {
          requestId: randomUUID(),
          functionArn: this.options.functionArn,
          condition,
          approximateInvokeCount: invocations,
        },
        responseContext: {
          statusCode: invocations > 0 ? 200 : 0,
          executedVersion: invocations > 0 ? '$LATEST' : '',
          ...(functionError && { functionError: 'Unhandled' }),
        },
        version: '1.0',
        timestamp: new Date(this.now()).toISOString(),
        KinesisBatchInfo: {
          shardId: this.shardId,
          startSequenceNumber: first.sequenceNumber,
          endSequenceNumber: last.sequenceNumber,
          approximateArrivalOfFirstRecord: first.approximateArrivalTimestamp.toISOString(),
          approximateArrivalOfLastRecord: last.approximateArrivalTimestamp.toISOString(),
          batchSize: records.length,
          streamArn: this.options.source.eventSourceArn,
        },
      });
      this.stats.sentToDestination += records.length;
    } else {
      this.stats.discarded += records.length;
    }
    this.log(
      `${records.length} records ${first.sequenceNumber}…${last.sequenceNumber} ${condition} → ${destination ? `on-failure destination ${destination.name}` : 'discarded (no on-failure destination)'}`,
    );
    this.commit(last);
  }

  private commit(record: ShardRecord): void {
    const current = this.checkpoint.sequenceNumber;
    if (current !== undefined && compareSequenceNumbers(record.sequenceNumber, current) <= 0) return;
    this.checkpoint = { sequenceNumber: record.sequenceNumber };
    this.options.checkpoints.save(this.checkpoint);
  }

  private log(line: string): void {
    this.options.log?.(`${this.options.label ?? this.shardId} ${line}`);
  }
}

/** Checkpoints of one mapping's shard in `<dir>/<shardId>.json`, written atomically. */
export function fileCheckpointStore(dir: string, shardId: string): CheckpointStore {
  const file = join(dir, `${shardId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
  return {
    load: () => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Checkpoint) : undefined),
    save: (checkpoint) => {
      mkdirSync(dirname(file), { recursive: true });
      const tmp = `${file}.tmp`;
      writeFileSync(tmp, `${JSON.stringify({ ...checkpoint, updatedAt: new Date().toISOString() })}\n`);
      renameSync(tmp, file);
    },
  };
}

/** The local stand-in for an SQS queue (or SNS topic) destination: `<dir>/<name>.jsonl`. */
export function fileFailureDestination(dir: string, name: string): FailureDestination {
  return {
    name,
    send: (record) => {
      mkdirSync(dir, { recursive: true });
      appendFileSync(join(dir, `${name}.jsonl`), `${JSON.stringify(record)}\n`);
    },
  };
}

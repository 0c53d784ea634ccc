/**
 * Kinesis event source mappings of the templates, run locally: for every
 * `AWS::Lambda::EventSourceMapping` whose EventSourceArn is a local Kinesis stream, one poller per
 * shard reads kinesalite and invokes the function's sandbox with Lambda's semantics (see
 * shard-consumer.ts). Checkpoints live in `<dataDir>/checkpoints/<stack>.<mapping>/<shard>.json`,
 * on-failure destinations in `<dataDir>/queues/<queue name>.jsonl`.
 */
import { setMaxListeners } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  InvalidArgumentException,
  ListShardsCommand,
  type KinesisClient,
  type Shard,
} from '@aws-sdk/client-kinesis';
import type { Assembly, LocalEventSourceMapping, RegionKey } from './assembly';
import { localKinesis } from './clients';
import { shiftArrivals, type ShardRecord } from './kinesis-event';
import type { LambdaSandbox } from './lambda-runtime';
import {
  fileCheckpointStore,
  fileFailureDestination,
  ShardConsumer,
  type Checkpoint,
  type CheckpointStore,
  type ShardReader,
  type ShardStatus,
} from './shard-consumer';

export interface EventSourcesOptions {
  readonly assembly: Assembly;
  /** function key → sandbox, the ones the routers use */
  readonly sandboxes: ReadonlyMap<string, LambdaSandbox>;
  readonly kinesisEndpoint: string;
  readonly dataDir: string;
  /** per shard, when there is nothing to do. @default 250 */
  readonly pollIntervalMs?: number;
  /** first retry delay of a failed batch, doubled per retry up to 25× (5 s by default). @default 200 */
  readonly retryBaseDelayMs?: number;
  /** caps every mapping's MaximumBatchingWindowInSeconds (the templates' value is kept otherwise) */
  readonly maxBatchingWindowSeconds?: number;
  /** how often the shard list is read again (reshards). @default 10000 */
  readonly shardRefreshMs?: number;
  /** the local clock's offset (ms), added to the arrival times a function is handed. @default none */
  readonly clockOffsetMs?: () => number;
  readonly log?: (line: string) => void;
}

export interface EventSourceStatus {
  /** `<stack>/<logical id>` of the mapping */
  readonly id: string;
  readonly region: RegionKey;
  readonly function: string;
  readonly functionName: string;
  readonly eventSourceArn: string;
  readonly state: 'polling' | 'disabled' | 'unsupported' | 'stopped';
  readonly settings: Omit<
    LocalEventSourceMapping,
    'regionKey' | 'stackName' | 'logicalId' | 'functionKey' | 'eventSourceArn' | 'invokeIdentityArn'
  >;
  /** the on-failure destination's local file, `<dataDir>/queues/<name>.jsonl` */
  readonly destination?: { readonly arn: string; readonly queue: string; readonly file: string };
  readonly shards: readonly ShardStatus[];
  readonly lastError?: { readonly at: string; readonly message: string };
}

export interface EventSources {
  status(region?: RegionKey): EventSourceStatus[];
  /** on-failure destination contents, per queue name (every destination of the region's mappings) */
  queues(region?: RegionKey): Record<string, unknown[]>;
  stop(): Promise<void>;
}

/** `arn:aws:kinesis:<region>:<account>:stream/<name>` (or a consumer of it) → the stream name. */
export const kinesisStreamName = (arn: string): string | undefined =>
  /^arn:[^:]+:kinesis:[^:]*:[^:]*:stream\/([^/]+)/.exec(arn)?.[1];

/** The last ARN segment: an SQS queue's or SNS topic's name (an S3 bucket's too). */
export const destinationName = (arn: string): string => arn.split(':').pop()!.split('/').pop()!;

export const queuesDir = (dataDir: string): string => join(dataDir, 'queues');
export const checkpointsDir = (
  dataDir: string,
  mapping: Pick<LocalEventSourceMapping, 'stackName' | 'logicalId'>,
): string => join(dataDir, 'checkpoints', `${mapping.stackName}.${mapping.logicalId}`.replace(/[^A-Za-z0-9._-]/g, '_'));

/** Reads the `.jsonl` of a local failure destination (no file yet: empty). */
export function readQueue(dataDir: string, name: string): unknown[] {
  const file = join(queuesDir(dataDir), `${name}.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((done) => {
    if (signal.aborted) return done();
    const onAbort = () => {
      clearTimeout(timer);
      done();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      done();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** Reads one shard of kinesalite in order, from a checkpoint or the mapping's starting position. */
class KinesisShardReader implements ShardReader {
  private iterator: string | undefined;
  private lastRead: string | undefined;

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    private readonly shardId: string,
    private readonly mapping: LocalEventSourceMapping,
    private readonly checkpoints: CheckpointStore,
  ) {
    this.lastRead = checkpoints.load()?.sequenceNumber;
  }

  async read(limit: number): Promise<{ records: ShardRecord[]; closed: boolean; millisBehindLatest?: number }> {
    this.iterator ??= await this.startIterator();
    let out: GetRecordsCommandOutput;
    try {
      out = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: this.iterator, Limit: limit }));
    } catch (error) {
      // Iterators last five minutes; read on from the last record read.
      if (error instanceof ExpiredIteratorException) {
        this.iterator = undefined;
        return { records: [], closed: false };
      }
      throw error;
    }
    const records: ShardRecord[] = (out.Records ?? []).map((r) => ({
      sequenceNumber: r.SequenceNumber!,
      partitionKey: r.PartitionKey ?? '',
      data: r.Data ?? new Uint8Array(),
      approximateArrivalTimestamp: r.ApproximateArrivalTimestamp ?? new Date(),
    }));
    if (records.length > 0) this.lastRead = records[records.length - 1]!.sequenceNumber;
    this.iterator = out.NextShardIterator;
    return {
      records,
      closed: !out.NextShardIterator,
      ...(out.MillisBehindLatest !== undefined && { millisBehindLatest: out.MillisBehindLatest }),
    };
  }

  private async startIterator(): Promise<string> {
    const get = async (
      input: Omit<ConstructorParameters<typeof GetShardIteratorCommand>[0], 'StreamName' | 'ShardId'>,
    ) =>
      (
        await this.kinesis.send(
          new GetShardIteratorCommand({ StreamName: this.streamName, ShardId: this.shardId, ...input }),
        )
      ).ShardIterator!;
    if (this.lastRead !== undefined) {
      try {
        return await get({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: this.lastRead });
      } catch (error) {
        // The stream's data was wiped but not the checkpoint: start over, as a new mapping would.
        if (!(error instanceof InvalidArgumentException)) throw error;
        this.lastRead = undefined;
      }
    }
    const checkpoint: Checkpoint | undefined = this.checkpoints.load();
    let startedAtMs = checkpoint?.sequenceNumber === undefined ? checkpoint?.startedAtMs : undefined;
    if (startedAtMs === undefined && this.mapping.startingPosition === 'AT_TIMESTAMP')
      startedAtMs = (this.mapping.startingPositionTimestamp ?? 0) * 1000;
    if (startedAtMs === undefined && this.mapping.startingPosition === 'LATEST') {
      // LATEST is where the mapping was created: remember it, so a restart before the first
      // record neither skips what arrived meanwhile nor replays the stream.
      startedAtMs = Date.now();
      this.checkpoints.save({ startedAtMs });
    }
    if (startedAtMs !== undefined) return get({ ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(startedAtMs) });
    return get({ ShardIteratorType: 'TRIM_HORIZON' });
  }
}

export function startEventSources(options: EventSourcesOptions): EventSources {
  const log = options.log ?? (() => undefined);
  const { assembly } = options;
  const kinesis = localKinesis(options.kinesisEndpoint);
  const abort = new AbortController();
  // every shard's poll sleeps on it (each listener removed when its sleep ends): no leak past 10
  setMaxListeners(0, abort.signal);
  const loops: Promise<void>[] = [];
  const localStreams = new Set<string>();
  for (const stack of assembly.stacks) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      const name = assembly.resources[stack.regionKey][logicalId];
      if (resource.Type === 'AWS::Kinesis::Stream' && name) localStreams.add(`${stack.regionKey}/${name}`);
    }
  }

  interface Running {
    readonly mapping: LocalEventSourceMapping;
    readonly sandbox: LambdaSandbox | undefined;
    readonly state: EventSourceStatus['state'];
    readonly consumers: Map<string, ShardConsumer>;
    lastError?: { at: string; message: string };
  }
  const running: Running[] = [];
  const regionName = (key: RegionKey) => assembly.stacks.find((s) => s.regionKey === key)?.region ?? key;

  for (const mapping of assembly.eventSourceMappings) {
    // Queues are the SQS stand-in's (local/sqs.ts).
    if (/^arn:[^:]+:sqs:/.test(mapping.eventSourceArn)) continue;
    const sandbox = options.sandboxes.get(mapping.functionKey);
    const streamName = kinesisStreamName(mapping.eventSourceArn);
    const supported =
      streamName !== undefined && localStreams.has(`${mapping.regionKey}/${streamName}`) && sandbox !== undefined;
    const state: Running['state'] = !supported ? 'unsupported' : mapping.enabled ? 'polling' : 'disabled';
    const entry: Running = { mapping, sandbox, state, consumers: new Map() };
    running.push(entry);
    const id = `${mapping.stackName}/${mapping.logicalId}`;
    if (state === 'unsupported') {
      log(
        `${mapping.regionKey} event source ${id} (${mapping.eventSourceArn}) is not a local Kinesis stream: not polled`,
      );
      continue;
    }
    if (state === 'disabled') continue;
    loops.push(runMapping(entry, streamName!, sandbox!));
  }

  const effectiveSettings = (mapping: LocalEventSourceMapping): LocalEventSourceMapping => ({
    ...mapping,
    maximumBatchingWindowSeconds: Math.min(
      mapping.maximumBatchingWindowSeconds,
      options.maxBatchingWindowSeconds ?? Number.POSITIVE_INFINITY,
    ),
  });

  async function runMapping(entry: Running, streamName: string, sandbox: LambdaSandbox): Promise<void> {
    const { mapping } = entry;
    const shardLoops: Promise<void>[] = [];
    const destination = mapping.onFailureDestinationArn
      ? fileFailureDestination(queuesDir(options.dataDir), destinationName(mapping.onFailureDestinationArn))
      : undefined;
    const functionArn = `arn:aws:lambda:${regionName(mapping.regionKey)}:${assembly.account}:function:${sandbox.fn.name}`;
    while (!abort.signal.aborted) {
      try {
        const shards: Shard[] = [];
        let nextToken: string | undefined;
        do {
          const out = await kinesis.send(
            new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: streamName }),
          );
          shards.push(...(out.Shards ?? []));
          nextToken = out.NextToken;
        } while (nextToken);
        for (const shard of shards) {
          const shardId = shard.ShardId!;
          if (entry.consumers.has(shardId)) continue;
          // A child shard waits until its parent is read to its end, as Lambda keeps key order.
          const parent = shard.ParentShardId ? entry.consumers.get(shard.ParentShardId) : undefined;
          if (parent && !parent.finished) continue;
          const checkpoints = fileCheckpointStore(checkpointsDir(options.dataDir, mapping), shardId);
          const consumer = new ShardConsumer({
            source: {
              shardId,
              eventSourceArn: mapping.eventSourceArn,
              awsRegion: regionName(mapping.regionKey),
              invokeIdentityArn: mapping.invokeIdentityArn,
            },
            settings: effectiveSettings(mapping),
            functionArn,
            reader: new KinesisShardReader(kinesis, streamName, shardId, mapping, checkpoints),
            invoke: (event) => sandbox.invoke(shiftArrivals(event, options.clockOffsetMs?.() ?? 0)),
            checkpoints,
            ...(destination && { destination }),
            pollIntervalMs: options.pollIntervalMs ?? 250,
            retryBaseDelayMs: options.retryBaseDelayMs ?? 200,
            retryMaxDelayMs: 25 * (options.retryBaseDelayMs ?? 200),
            log,
            label: `${mapping.regionKey} kinesis ${streamName} ${shardId} → ${sandbox.fn.logicalId}`,
          });
          entry.consumers.set(shardId, consumer);
          shardLoops.push(runShard(consumer));
        }
        entry.lastError = undefined;
      } catch (error) {
        entry.lastError = { at: new Date().toISOString(), message: (error as Error).message };
        log(
          `${mapping.regionKey} event source ${mapping.stackName}/${mapping.logicalId}: listing shards of ${streamName} failed: ${(error as Error).message}`,
        );
      }
      await sleep(options.shardRefreshMs ?? 10_000, abort.signal);
    }
    for (const consumer of entry.consumers.values()) consumer.stop();
    await Promise.all(shardLoops);
  }

  async function runShard(consumer: ShardConsumer): Promise<void> {
    let failures = 0;
    while (!abort.signal.aborted && !consumer.finished) {
      let delayMs: number;
      try {
        delayMs = (await consumer.tick()).delayMs;
        failures = 0;
      } catch (error) {
        failures++;
        consumer.recordError((error as Error).message);
        if (failures === 1 || failures % 20 === 0) log(`${consumer.shardId}: ${(error as Error).message}`);
        delayMs = Math.min(5000, 250 * failures);
      }
      if (delayMs > 0) await sleep(delayMs, abort.signal);
      else await new Promise((done) => setImmediate(done));
    }
  }

  const statusOf = (entry: Running): EventSourceStatus => {
    const { regionKey, stackName, logicalId, functionKey, eventSourceArn, invokeIdentityArn, ...settings } =
      effectiveSettings(entry.mapping);
    const arn = entry.mapping.onFailureDestinationArn;
    const queue = arn ? destinationName(arn) : undefined;
    return {
      id: `${stackName}/${logicalId}`,
      region: regionKey,
      function: functionKey,
      functionName: entry.sandbox?.fn.name ?? '',
      eventSourceArn,
      state: abort.signal.aborted && entry.state === 'polling' ? 'stopped' : entry.state,
      settings,
      ...(arn && queue && { destination: { arn, queue, file: join(queuesDir(options.dataDir), `${queue}.jsonl`) } }),
      shards: [...entry.consumers.values()].map((c) => c.status()),
      ...(entry.lastError && { lastError: entry.lastError }),
    };
  };

  return {
    status: (region) => running.filter((e) => region === undefined || e.mapping.regionKey === region).map(statusOf),
    queues: (region) => {
      const names = new Set(
        running
          .filter((e) => (region === undefined || e.mapping.regionKey === region) && e.mapping.onFailureDestinationArn)
          .map((e) => destinationName(e.mapping.onFailureDestinationArn!)),
      );
      return Object.fromEntries([...names].sort().map((name) => [name, readQueue(options.dataDir, name)]));
    },
    stop: async () => {
      abort.abort();
      for (const entry of running) for (const consumer of entry.consumers.values()) consumer.stop();
      // An invocation in flight ends with its sandbox (terminated right after this); do not wait longer.
      await Promise.race([Promise.all(loops), new Promise((done) => setTimeout(done, 2000).unref())]);
      kinesis.destroy();
    },
  };
}

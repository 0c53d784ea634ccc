/**
 * The rules consumer's whole stored path: the real `evaluate-rules` handler (source module) over
 * Kinesis events made of the agent's posts as ingest turns them into records (the licence facts
 * in them), against the local cloud's DynamoDB Local (state read and written, findings, snapshots)
 * and its EventBridge stand-in. Runs in the handler child, so the CPU counted is the handler's and
 * its SDK clients' only. DynamoDB's own count of the capacity consumed (ReturnConsumedCapacity,
 * added to every call on the way out) gives the read and write units per post, by kind of item.
 * The installations are warmed up over hours of the agent's cycles before the measured rounds (a
 * fleet is almost all steady installations), with the handler's clock moved to each round's
 * arrival; the first rounds of the fresh installations are kept as a detail.
 */
import type { Beat } from '../lambdas/core/telemetry/catalogue';
import type { Installation } from '../lambdas/core/licensing/model';
import { kinesisStreamEvent, type ShardRecord } from '../local/kinesis-event';
import { writeKinds, type WriteKind } from './results-schema';
import { lambdaContext } from './workload';

/** The kind of item a DynamoDB write wrote, from its `sk` (a transaction is the STATE#APART's). */
export function writeKindOf(commandName: string, input: Record<string, unknown>): WriteKind {
  if (commandName.startsWith('TransactWrite')) return 'STATE#APART/transaction';
  // a batch of Puts: one kind a batch (the history's 1-minute blocks of the invocation)
  const batch = Object.values(
    (input['RequestItems'] ?? {}) as Record<string, { PutRequest?: { Item?: unknown } }[]>,
  )[0];
  const item = (input['Item'] ?? input['Key'] ?? batch?.[0]?.PutRequest?.Item) as { sk?: unknown } | undefined;
  const sk = item?.sk;
  if (sk === 'STATE') return 'STATE';
  if (sk === 'STATE#APART') return 'STATE#APART/transaction';
  if (sk === 'SNAP#counters' || sk === 'SNAP#inventory') return sk;
  if (typeof sk === 'string' && sk.startsWith('FINDING#')) return 'FINDING';
  if (typeof sk === 'string' && sk.startsWith('HIST#')) return 'HIST';
  return 'other';
}

/** Whether a read is the installation history's (a Query of its HIST# blocks). */
export const isHistoryRead = (input: Record<string, unknown>) =>
  Object.values((input['ExpressionAttributeValues'] ?? {}) as Record<string, unknown>).some(
    (v) => typeof v === 'string' && v.startsWith('HIST#'),
  );

/** Whether a read is the rules' state (the Query of STATE and STATE#APART). */
export const isStateRead = (input: Record<string, unknown>) =>
  Object.values((input['ExpressionAttributeValues'] ?? {}) as Record<string, unknown>).includes('STATE');

/** One round as measured: the handler's CPU, the units DynamoDB counted, the beats and posts. */
export interface RoundMeasure {
  cpuMs: number;
  wcu: number;
  rcu: number;
  /** of `rcu`, the history's reads */
  historyRcu: number;
  /** of `rcu`, the state's reads (none while the sandbox keeps the state it wrote) */
  stateRcu: number;
  beats: number;
  posts: number;
  byKind: Record<WriteKind, number>;
}

/** A window of rounds summed, per post. */
export function windowOf(rounds: readonly RoundMeasure[]) {
  const sum = (f: (r: RoundMeasure) => number) => rounds.reduce((n, r) => n + f(r), 0);
  const posts = sum((r) => r.posts);
  const cpu = sum((r) => r.cpuMs);
  return {
    rounds: rounds.length,
    posts,
    beats: sum((r) => r.beats),
    beatsPerSecondPerCore: sum((r) => r.beats) / (cpu / 1000),
    cpuMsPerPost: cpu / posts,
    writeUnitsPerPost: sum((r) => r.wcu) / posts,
    readUnitsPerPost: sum((r) => r.rcu) / posts,
    historyReadUnitsPerPost: sum((r) => r.historyRcu) / posts,
    stateReadUnitsPerPost: sum((r) => r.stateRcu) / posts,
    writeUnitsByKind: Object.fromEntries(writeKinds.map((k) => [k, sum((r) => r.byKind[k]) / posts])) as Record<
      WriteKind,
      number
    >,
  };
}

export interface RulesStoredMeasures {
  installations: number;
  /** measured rounds (the steady window): each is one post of every installation */
  rounds: number;
  /** rounds run before them (the installations' hours of cycles so far) */
  warmupRounds: number;
  cycleSeconds: number;
  beats: number;
  posts: number;
  /** beats ÷ the handler's CPU seconds (decode, codec, engine, DynamoDB and EventBridge clients) */
  beatsPerSecondPerCore: number;
  cpuMsPerPost: number;
  /** as DynamoDB Local counted them (ConsumedCapacity), null when it did not say */
  writeUnitsPerPost: number | null;
  readUnitsPerPost: number | null;
  /** the write units per post by kind of item (null when DynamoDB did not say) */
  writeUnitsByKind: Record<WriteKind, number> | null;
  /** of the read units per post, the history's (its blocks read to merge a tier) */
  historyReadUnitsPerPost: number | null;
  /** of the read units per post, the state's */
  stateReadUnitsPerPost: number | null;
  /** the fresh installations' first rounds (after `warmup` of them), as the row measured before */
  firstRounds: { warmup: number; rounds: number; cpuMsPerPost: number; writeUnitsPerPost: number | null };
  /** write units per post over each hour of rounds since the first: they stop falling at the steady state */
  writeUnitsPerPostByHour: number[] | null;
  failures: number;
  /** records sent again after their installation failed (a timeout on a loaded machine), as Lambda does */
  retried: number;
  /** the first failure the handler logged, when any */
  firstFailure?: string;
}

type Handler = (event: unknown, context: unknown) => Promise<{ batchItemFailures: unknown[] }>;

const DAY_MS = 86_400_000;
/** where the rounds end: 18:00 UTC (the warm-up from 06:00, the counted hours 12:00–18:00 for 6 h each) */
const WINDOW_END_UTC_MS = 18 * 3_600_000;

export async function measureRulesStored(opts: {
  installations: readonly { installationId: string; accountId: string }[];
  /** each agent's posts in order (several agents' days, concatenated: postsPerAgent each) */
  posts: readonly Beat[][];
  postsPerAgent: number;
  cycleSeconds: number;
  /** the measured rounds, after `warmup` rounds */
  rounds: number;
  warmup: number;
  /** the fresh installations' window kept as a detail: `rounds` rounds after `warmup` */
  first: { warmup: number; rounds: number };
  /** records per invocation */
  perInvocation: number;
  functionName: string;
  memoryMb: number;
  timeoutSeconds: number;
  log: (line: string) => void;
}): Promise<RulesStoredMeasures> {
  const { ingestTelemetry } = await import('../lambdas/core/telemetry/ingest-telemetry');
  const { dynamoDocumentClient } = await import('../lambdas/adapters/aws-clients');
  const { DynamoDbLicensingRepository } = await import('../lambdas/adapters/dynamodb-licensing-repository');
  const { handler } = (await import('../lambdas/handlers/evaluate-rules')) as { handler: Handler };
  const { shiftedDate } = await import('../local/shifted-date.mjs');

  const reads = /^(Get|BatchGet|Query|Scan|TransactGet)/;
  let round = emptyRound();
  let reported = false;
  dynamoDocumentClient().middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input['ReturnConsumedCapacity'] = 'TOTAL';
      const out = await next(args);
      const consumed = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const command = context.commandName ?? '';
      for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
        const units = (c as { CapacityUnits?: number }).CapacityUnits ?? 0;
        reported = true;
        if (reads.test(command)) {
          round.rcu += units;
          if (isHistoryRead(input)) round.historyRcu += units;
          if (isStateRead(input)) round.stateRcu += units;
        } else {
          round.wcu += units;
          round.byKind[writeKindOf(command, input)] += units;
        }
      }
      return out;
    },
    { step: 'initialize', name: 'benchConsumedCapacity' },
  );

  // Beats re-stamped so the last round ends at the last 18:00 UTC; the handler's clock (Date.now,
  // new Date) is moved to each round's arrival, so the state's hours and the silence rule pass as
  // the agent's do. Every run counts the same hours of the day, none closing a day (its 1-hour
  // points, once a day: a window across midnight counted them at 4 times their share).
  const totalRounds = opts.warmup + opts.rounds;
  if (totalRounds > opts.postsPerAgent || opts.first.warmup + opts.first.rounds > totalRounds)
    throw new Error(`rules stored: ${totalRounds} rounds, ${opts.postsPerAgent} posts per agent`);
  const cycleMs = opts.cycleSeconds * 1000;
  const firstAt = Date.parse(opts.posts[0]![0]!.collectedAt);
  const windowEndAt = Math.floor((Date.now() - WINDOW_END_UTC_MS) / DAY_MS) * DAY_MS + WINDOW_END_UTC_MS;
  if (totalRounds * cycleMs > WINDOW_END_UTC_MS) throw new Error('rules stored: the rounds would cross midnight');
  const shift = windowEndAt - (firstAt + totalRounds * cycleMs);
  const source = {
    shardId: 'shardId-000000000000',
    eventSourceArn: 'arn:aws:kinesis:eu-central-1:000000000000:stream/ucx-bench-telemetry',
    awsRegion: 'eu-central-1',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/ucx-bench-rules',
  };
  // The installations as ingest reads them, licence included, so their records carry the rules'
  // licence facts as in production (before the counting starts: these reads are ingest's).
  const licensing = new DynamoDbLicensingRepository(dynamoDocumentClient(), process.env['TABLE_NAME'] ?? '');
  const stored = new Map<string, Installation>();
  for (const { installationId } of opts.installations) {
    const installation = await licensing.getInstallation(installationId).catch(() => null);
    if (installation) stored.set(installationId, installation);
  }
  let sequence = 49_700_000_000_000_000_000n;
  const agents = Math.max(1, Math.floor(opts.posts.length / opts.postsPerAgent));
  const roundOf = async (round: number) => {
    const records: ShardRecord[] = [];
    let beats = 0;
    let arrivedAt = new Date();
    for (const [i, { installationId, accountId }] of opts.installations.entries()) {
      const post = opts.posts[(i % agents) * opts.postsPerAgent + (round % opts.postsPerAgent)]!;
      const stamped = post.map((b) => ({
        ...b,
        collectedAt: new Date(Date.parse(b.collectedAt) + shift).toISOString(),
      }));
      const put: { partitionKey: string; data: Uint8Array }[] = [];
      arrivedAt = new Date(Date.parse(stamped.at(-1)!.collectedAt) + 1000);
      await ingestTelemetry(
        {
          stream: {
            put: async (rs) => {
              put.push(...rs);
              return { failed: [] };
            },
          },
          clock: { now: () => arrivedAt },
        },
        { region: 'eu', endpoints: { eu: 'https://eu.example', us: 'https://us.example' } },
        stored.get(installationId) ??
          ({ installationId, accountId, region: 'eu', telemetryEnabled: true, status: 'active' } as Installation),
        { beats: stamped },
        stored.get(installationId)?.license.etag ?? null,
      );
      for (const r of put)
        records.push({
          sequenceNumber: String(++sequence),
          partitionKey: r.partitionKey,
          data: r.data,
          approximateArrivalTimestamp: arrivedAt,
        });
      beats += stamped.length;
    }
    return { records, beats, arrivedAt };
  };

  const context = lambdaContext(opts.functionName, opts.memoryMb, opts.timeoutSeconds);
  const clock = movableClock(shiftedDate);
  const measured: RoundMeasure[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  let retried = 0;
  try {
    for (let r = 0; r < totalRounds; r++) {
      const { records, beats, arrivedAt } = await roundOf(r);
      round = emptyRound();
      round.beats = beats;
      round.posts = opts.installations.length;
      clock.set(arrivedAt.getTime());
      // As Lambda does: the records of a failed installation are sent again (the state's
      // checkpoints skip what was done), and their CPU counts too; a record failing 3 times is lost.
      // Invocations of at most `perInvocation` records: DynamoDB Local on a loaded 2-core machine
      // times out (3 s attempt caps) under 40 installations' transactions at once.
      for (let from = 0; from < records.length; from += opts.perInvocation) {
        let left = records.slice(from, from + opts.perInvocation);
        for (let attempt = 0; attempt < 3 && left.length > 0; attempt++) {
          if (attempt > 0) retried += left.length;
          const event = kinesisStreamEvent(left, source);
          // the handler logs a failed installation's error (JSON, stdout or stderr): keep the first
          const streams = [process.stdout, process.stderr] as const;
          const writes = streams.map((stream) => stream.write.bind(stream));
          for (const stream of streams)
            stream.write = ((chunk: string | Uint8Array) => {
              const text = chunk.toString();
              if (!firstFailure && /failed/.test(text)) firstFailure = text.slice(0, 600);
              return true;
            }) as typeof stream.write;
          const before = process.cpuUsage();
          const response = await handler(event, context).finally(() => {
            streams.forEach((stream, i) => {
              stream.write = writes[i]!;
            });
          });
          const cpuUsed = process.cpuUsage(before);
          round.cpuMs += (cpuUsed.user + cpuUsed.system) / 1000;
          const failed = new Set(
            response.batchItemFailures.map((f) => (f as { itemIdentifier: string }).itemIdentifier),
          );
          left = left.filter((rec) => failed.has(rec.sequenceNumber));
        }
        failures += left.length;
      }
      measured.push(round);
    }
  } finally {
    clock.restore();
  }
  const steady = windowOf(measured.slice(opts.warmup));
  const first = windowOf(measured.slice(opts.first.warmup, opts.first.warmup + opts.first.rounds));
  const perHour = Math.round(3_600 / opts.cycleSeconds);
  const result: RulesStoredMeasures = {
    installations: opts.installations.length,
    rounds: opts.rounds,
    warmupRounds: opts.warmup,
    cycleSeconds: opts.cycleSeconds,
    beats: steady.beats,
    posts: steady.posts,
    beatsPerSecondPerCore: steady.beatsPerSecondPerCore,
    cpuMsPerPost: steady.cpuMsPerPost,
    writeUnitsPerPost: reported ? steady.writeUnitsPerPost : null,
    readUnitsPerPost: reported ? steady.readUnitsPerPost : null,
    writeUnitsByKind: reported ? steady.writeUnitsByKind : null,
    historyReadUnitsPerPost: reported ? steady.historyReadUnitsPerPost : null,
    stateReadUnitsPerPost: reported ? steady.stateReadUnitsPerPost : null,
    firstRounds: {
      ...opts.first,
      cpuMsPerPost: first.cpuMsPerPost,
      writeUnitsPerPost: reported ? first.writeUnitsPerPost : null,
    },
    writeUnitsPerPostByHour: reported
      ? Array.from({ length: Math.floor(totalRounds / perHour) }, (_, h) =>
          round2(windowOf(measured.slice(h * perHour, (h + 1) * perHour)).writeUnitsPerPost),
        )
      : null,
    failures,
    retried,
    ...(firstFailure && { firstFailure }),
  };
  opts.log(
    `rules stored: ${result.posts} posts after ${opts.warmup} rounds, ${result.beats} beats, ${result.beatsPerSecondPerCore.toFixed(0)} beats/s per core, ${result.cpuMsPerPost.toFixed(2)} ms CPU per post, WRU ${result.writeUnitsPerPost?.toFixed(2) ?? '?'} (${describeKinds(result.writeUnitsByKind)}) RRU ${result.readUnitsPerPost?.toFixed(2) ?? '?'} per post; first rounds ${result.firstRounds.cpuMsPerPost.toFixed(2)} ms, WRU ${result.firstRounds.writeUnitsPerPost?.toFixed(2) ?? '?'}; WRU per post by hour ${result.writeUnitsPerPostByHour?.join(' ') ?? '?'}; ${retried} records retried, ${failures} lost${firstFailure ? `: ${firstFailure}` : ''}`,
  );
  return result;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

const emptyRound = (): RoundMeasure => ({
  cpuMs: 0,
  wcu: 0,
  rcu: 0,
  historyRcu: 0,
  stateRcu: 0,
  beats: 0,
  posts: 0,
  byKind: Object.fromEntries(writeKinds.map((k) => [k, 0])) as Record<WriteKind, number>,
});

/** "STATE 1.00, STATE#APART/transaction 0.50, …" (the kinds that wrote anything) */
export function describeKinds(byKind: Record<WriteKind, number> | null): string {
  if (!byKind) return 'by kind ?';
  return writeKinds
    .filter((k) => byKind[k] > 0)
    .map((k) => `${k} ${byKind[k].toFixed(2)}`)
    .join(', ');
}

/**
 * This process's Date moved to a chosen instant (then running on), as the local cloud moves its
 * sandboxes' (local/shifted-date.mjs); restore() puts the real one back.
 */
function movableClock(shiftedDate: (real: DateConstructor, offsetMs: () => number) => DateConstructor) {
  const RealDate = globalThis.Date;
  let offset = 0;
  const Shifted = shiftedDate(RealDate, () => offset);
  const setConstructor = (value: DateConstructor) =>
    Object.defineProperty(RealDate.prototype, 'constructor', { value, writable: true, configurable: true });
  setConstructor(Shifted);
  globalThis.Date = Shifted;
  return {
    set: (at: number) => {
      offset = at - RealDate.now();
    },
    restore: () => {
      globalThis.Date = RealDate;
      setConstructor(RealDate);
    },
  };
}

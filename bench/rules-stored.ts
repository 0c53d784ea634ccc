/**
 * The rules consumer's whole stored path: the real `evaluate-rules` handler (source module) over
 * Kinesis events made of the agent's posts as ingest turns them into records (the licence facts
 * in them), against the local cloud's DynamoDB Local (state read and written, findings, snapshots)
 * and its EventBridge stand-in. Runs in the handler child, so the CPU counted is the handler's and
 * its SDK clients' only. DynamoDB's own count of the capacity consumed (ReturnConsumedCapacity,
 * added to every call on the way out) gives the read and write units per post.
 */
import type { Beat } from '../lambdas/core/telemetry/catalogue';
import type { Installation } from '../lambdas/core/licensing/model';
import { kinesisStreamEvent, type ShardRecord } from '../local/kinesis-event';
import { lambdaContext } from './workload';

export interface RulesStoredMeasures {
  installations: number;
  /** measured rounds: each is one invocation holding one post of every installation */
  rounds: number;
  beats: number;
  posts: number;
  /** beats ÷ the handler's CPU seconds (decode, codec, engine, DynamoDB and EventBridge clients) */
  beatsPerSecondPerCore: number;
  cpuMsPerPost: number;
  /** as DynamoDB Local counted them (ConsumedCapacity), null when it did not say */
  writeUnitsPerPost: number | null;
  readUnitsPerPost: number | null;
  failures: number;
  /** records sent again after their installation failed (a timeout on a loaded machine), as Lambda does */
  retried: number;
  /** the first failure the handler logged, when any */
  firstFailure?: string;
}

type Handler = (event: unknown, context: unknown) => Promise<{ batchItemFailures: unknown[] }>;

export async function measureRulesStored(opts: {
  installations: readonly { installationId: string; accountId: string }[];
  /** each agent's posts in order (several agents' days, concatenated: postsPerAgent each) */
  posts: readonly Beat[][];
  postsPerAgent: number;
  cycleSeconds: number;
  rounds: number;
  warmup: number;
  /** records per invocation */
  perInvocation: number;
  functionName: string;
  memoryMb: number;
  log: (line: string) => void;
}): Promise<RulesStoredMeasures> {
  const { ingestTelemetry } = await import('../lambdas/core/telemetry/ingest-telemetry');
  const { dynamoDocumentClient } = await import('../lambdas/adapters/aws-clients');
  const { DynamoDbLicensingRepository } = await import('../lambdas/adapters/dynamodb-licensing-repository');
  const { handler } = (await import('../lambdas/handlers/evaluate-rules')) as { handler: Handler };

  let wcu = 0;
  let rcu = 0;
  let reported = false;
  const reads = /^(Get|BatchGet|Query|Scan|TransactGet)/;
  dynamoDocumentClient().middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as Record<string, unknown>)['ReturnConsumedCapacity'] = 'TOTAL';
      const out = await next(args);
      const consumed = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
        const units = (c as { CapacityUnits?: number }).CapacityUnits ?? 0;
        reported = true;
        if (reads.test(context.commandName ?? '')) rcu += units;
        else wcu += units;
      }
      return out;
    },
    { step: 'initialize', name: 'benchConsumedCapacity' },
  );

  // Beats re-stamped so the last round ends now: the engine judges them at the handler's Date.now().
  const totalRounds = opts.warmup + opts.rounds;
  const cycleMs = opts.cycleSeconds * 1000;
  const firstAt = Date.parse(opts.posts[0]![0]!.collectedAt);
  const shift = Date.now() - (firstAt + totalRounds * cycleMs);
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
    for (const [i, { installationId, accountId }] of opts.installations.entries()) {
      const post = opts.posts[(i % agents) * opts.postsPerAgent + (round % opts.postsPerAgent)]!;
      const stamped = post.map((b) => ({
        ...b,
        collectedAt: new Date(Date.parse(b.collectedAt) + shift).toISOString(),
      }));
      const put: { partitionKey: string; data: Uint8Array }[] = [];
      const arrivedAt = new Date(Date.parse(stamped.at(-1)!.collectedAt) + 1000);
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
    return { records, beats };
  };

  const context = lambdaContext(opts.functionName, opts.memoryMb);
  let beats = 0;
  let cpu = 0;
  let failures = 0;
  const totals = { wcu: 0, rcu: 0 };
  let firstFailure: string | undefined;
  let retried = 0;
  for (let round = 0; round < totalRounds; round++) {
    const { records, beats: n } = await roundOf(round);
    const counting = round >= opts.warmup;
    if (counting) {
      wcu = 0;
      rcu = 0;
    }
    // As Lambda does: the records of a failed installation are sent again (the state's
    // checkpoints skip what was done), and their CPU counts too; a record failing 3 times is lost.
    let used = 0;
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
        used += (cpuUsed.user + cpuUsed.system) / 1000;
        const failed = new Set(response.batchItemFailures.map((f) => (f as { itemIdentifier: string }).itemIdentifier));
        left = left.filter((r) => failed.has(r.sequenceNumber));
      }
      failures += left.length;
    }
    if (counting) {
      cpu += used;
      beats += n;
      totals.wcu += wcu;
      totals.rcu += rcu;
    }
  }
  const posts = opts.rounds * opts.installations.length;
  const result: RulesStoredMeasures = {
    installations: opts.installations.length,
    rounds: opts.rounds,
    beats,
    posts,
    beatsPerSecondPerCore: beats / (cpu / 1000),
    cpuMsPerPost: cpu / posts,
    writeUnitsPerPost: reported ? totals.wcu / posts : null,
    readUnitsPerPost: reported ? totals.rcu / posts : null,
    failures,
    retried,
    ...(firstFailure && { firstFailure }),
  };
  opts.log(
    `rules stored: ${result.posts} posts, ${beats} beats, ${result.beatsPerSecondPerCore.toFixed(0)} beats/s per core, ${result.cpuMsPerPost.toFixed(2)} ms CPU per post, WRU ${result.writeUnitsPerPost?.toFixed(2) ?? '?'} RRU ${result.readUnitsPerPost?.toFixed(2) ?? '?'} per post, ${retried} records retried, ${failures} lost${firstFailure ? `: ${firstFailure}` : ''}`,
  );
  return result;
}

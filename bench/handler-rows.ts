/**
 * The 304 poll and telemetry ingest rows, and the archive figures (results.json `archive`): the
 * real handlers (source modules, this process) against the bench's local cloud's DynamoDB Local
 * and Kinesis, each measured against a floor in the same process and run alternately with it
 * (ABAB), CPU from process.cpuUsage. The SDK clients run for real against the local endpoints
 * (their CPU counts; the emulators' does not: they run in the parent process).
 *
 * The ingest floor is the work a post cannot skip: verify the signature with the installation's
 * key (one GetItem), gunzip, JSON.parse, the catalogue's schema per beat, and one PutRecord of the
 * body. The archiver's S3 client is a fake: the archive figures are the real archiver handler over
 * one full invocation of distinct posts (as many records as Lambda's 6 MB payload takes).
 */
import { type KeyObject, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, KinesisClient, PutRecordCommand, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { generateIdentityKeys, signRequest } from '../agent/sdk/signing';
import type { Installation } from '../lambdas/core/licensing/model';
import type { Beat } from '../lambdas/core/telemetry/catalogue';
import { counterSnapshotSeconds } from '../lambdas/core/telemetry/cadence';
import type { LocalFunction } from '../local/assembly';
import { lambdaEnvironment, type CloudInfo } from '../local/cloud';
import { eventRecordBytes, kinesisStreamEvent, maxInvokePayloadBytes, type ShardRecord } from '../local/kinesis-event';
import { type IngestMemoryMeasure, ingestMemoryRow, largestPost, measureIngestMemory } from './ingest-memory';
import { measureRulesStored, type RulesStoredMeasures } from './rules-stored';
import { abab, median, pairedRatio, type Row } from './stats';
import {
  agentHours,
  agentPosts,
  gzipJson,
  lambdaContext,
  measureAgentCycle,
  signedEvent,
  type AgentCycleMeasures,
} from './workload';

type Handler = (event: APIGatewayProxyEventV2, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

export interface HandlerMeasures {
  poll: { handlerCpuMs: number; floorCpuMs: number; ratio: number; wallMs: number; logBytes: number; status: number };
  ingest: {
    handlerCpuMsPerBeat: number;
    floorCpuMsPerBeat: number;
    ratio: number;
    beatsPerBatch: number;
    batchGzipBytes: number;
    batchJsonBytes: number;
    handlerCpuMsPerBatch: number;
    wallMsPerBatch: number;
    logBytes: number;
    /** stream bytes (data + partition key) per beat: recordBytesPerBatch ÷ beatsPerBatch */
    recordBytesPerBeat: number;
    /** Kinesis records put per agent batch (1 unless a batch passes the 1 MiB record limit) */
    recordsPerBatch: number;
    /** compressed bytes put on the stream per agent batch (data + partition key of its records) */
    recordBytesPerBatch: number;
    status: number;
  };
  /** the ingest's peak memory on the largest post (ingest-memory.ts) */
  ingestMemory: IngestMemoryMeasure;
  archive: ArchiveMeasures;
  /** the rules handler's whole stored path against DynamoDB Local (rules-stored.ts) */
  rulesStored: RulesStoredMeasures;
  /** what the simulated agent posts at the default cadence (workload.ts measureAgentCycle) */
  agent: AgentCycleMeasures;
}

export interface ArchiveMeasures {
  /** archive gzip bytes per beat when an object holds a full invocation */
  bytesPerBeat: number;
  /**
   * an hour of installations, each with its every cycle of the hour, archived and compacted by
   * local/archive-compaction.ts (DuckDB: Parquet, zstd, sorted) as the hourly compaction does
   */
  parquetBytesPerBeat: number;
  parquetRows: number;
  /** records (agent batches) in one invocation: what the 6 MB payload takes */
  recordsPerInvocation: number;
  beatsPerInvocation: number;
  /** S3 objects one invocation writes (one per arrival hour; the bench's records share one) */
  objectsPerInvocation: number;
  /** the archiver handler's CPU for that invocation (median of its rounds) */
  cpuMsPerInvocation: number;
  /** the same per record, i.e. per agent batch archived */
  cpuMsPerBatch: number;
  payloadBytesPerInvocation: number;
}

async function call(api: string, method: string, path: string, body: unknown, keyid: string, privateKey: KeyObject) {
  const bytes = body === undefined ? undefined : new TextEncoder().encode(JSON.stringify(body));
  const headers = await signRequest(
    { method, url: api + path, headers: bytes ? { 'content-type': 'application/json' } : {}, body: bytes },
    { keyid, privateKey },
  );
  const res = await fetch(api + path, { method, headers, body: bytes });
  const json: unknown = await res.json().catch(() => undefined);
  return { status: res.status, json, etag: res.headers.get('etag') };
}

/** Counts what the handlers write to stdout (EMF metrics, logs) instead of printing it. */
function stdoutSink() {
  const original = process.stdout.write.bind(process.stdout);
  let bytes = 0;
  return {
    start() {
      process.stdout.write = ((chunk: string | Uint8Array) => {
        bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
        return true;
      }) as typeof process.stdout.write;
    },
    stop() {
      process.stdout.write = original;
    },
    take() {
      const b = bytes;
      bytes = 0;
      return b;
    },
  };
}

export async function measureHandlers(
  info: CloudInfo,
  functions: readonly LocalFunction[],
  opts: {
    rounds: number;
    pollsPerRound: number;
    batchesPerRound: number;
    rulesInstallations: number;
    rulesRounds: number;
    log: (line: string) => void;
  },
): Promise<HandlerMeasures> {
  const eu = info.regions.eu;
  const demo = info.demo.accounts.find((a) => a.region === 'eu');
  if (!demo) throw new Error('the local cloud has no EU demo account');

  // One real installation, activated through the API.
  const { privateKey, publicJwk, thumbprint } = await generateIdentityKeys();
  const activation = await call(
    eu.api,
    'POST',
    '/v1/activations',
    {
      activationKey: demo.activationKey,
      publicKey: publicJwk,
      installation: { suiteVersion: '2025.2.1', nodes: ['bench-node-1'] },
    },
    thumbprint,
    privateKey,
  );
  if (activation.status !== 201)
    throw new Error(`activation answered ${activation.status}: ${JSON.stringify(activation.json)}`);
  const { installationId } = z.object({ installationId: z.string() }).parse(activation.json);
  const first = await call(
    eu.api,
    'GET',
    `/v1/installations/${installationId}/license`,
    undefined,
    installationId,
    privateKey,
  );
  if (first.status !== 200 || !first.etag) throw new Error(`first poll answered ${first.status}`);

  // The functions' own environments (template + local overrides), merged: both handlers share this process.
  const fnOf = (entry: string) =>
    functions.find(
      (f) => f.regionKey === 'eu' && f.logicalId.toLowerCase().startsWith(`${entry.replace(/-/g, '')}function`),
    );
  const pollFn = fnOf('get-license');
  const ingestFn = fnOf('ingest-telemetry');
  const archiveFn = fnOf('archive-telemetry');
  const rulesFn = fnOf('evaluate-rules');
  if (!pollFn || !ingestFn || !archiveFn || !rulesFn)
    throw new Error(
      'get-license / ingest-telemetry / archive-telemetry / evaluate-rules functions not found in the assembly',
    );
  const local = {
    region: eu.region,
    dataDir: info.dataDir,
    endpoints: eu.endpoints,
    apis: { eu: info.regions.eu.api, us: info.regions.us.api },
  };
  Object.assign(
    process.env,
    lambdaEnvironment(rulesFn, local),
    lambdaEnvironment(archiveFn, local),
    lambdaEnvironment(ingestFn, local),
    lambdaEnvironment(pollFn, local),
  );
  delete process.env['AWS_EXECUTION_ENV'];
  // Measured as deployed: the local cloud writes every count at once for its dashboard, Lambda
  // sums them per container-minute (lib/routes.ts metricsFlushSeconds).
  const flush = pollFn.environment['METRICS_FLUSH_SECONDS'] ?? ingestFn.environment['METRICS_FLUSH_SECONDS'];
  if (flush) process.env['METRICS_FLUSH_SECONDS'] = flush;

  const { handler: pollHandler } = (await import('../lambdas/handlers/get-license')) as { handler: Handler };
  const { handler: ingestHandler } = (await import('../lambdas/handlers/ingest-telemetry')) as { handler: Handler };
  const { kinesisClient } = await import('../lambdas/adapters/kinesis-telemetry-stream');
  const { verifyAgentRequest } = await import('../lambdas/shared/agent-signature');
  const { beatDataSchemas, beatEnvelopeSchema } = await import('../lambdas/core/telemetry/catalogue');
  // Counted on the way out, the client's send untouched: the SDK's CPU is part of the measure.
  let recordBytes = 0;
  let records = 0;
  kinesisClient().middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { Records?: { Data: Uint8Array; PartitionKey: string }[] };
      for (const r of input.Records ?? []) {
        recordBytes += r.Data.byteLength + r.PartitionKey.length;
        records++;
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchRecordCounter' },
  );

  const tableName = process.env['TABLE_NAME']!;
  const floorClient = new DynamoDBClient({});
  // HTTP/1.1 as the function's own client (the SDK's default for Kinesis is HTTP/2, for SubscribeToShard)
  const floorKinesis = new KinesisClient({ requestHandler: new NodeHttpHandler() });
  // The floor's PutRecord carries the agent's raw body: on a stream of its own, never on the one the
  // archiver and the rules consume (they would fail on it and stall the fleet row's shard behind it).
  const floorStream = `${process.env['TELEMETRY_STREAM_NAME']!}-bench-floor`;
  await floorKinesis
    .send(new CreateStreamCommand({ StreamName: floorStream, ShardCount: 1 }))
    .catch((error: unknown) => {
      if ((error as Error).name !== 'ResourceInUseException') throw error;
    });
  await waitUntilStreamExists({ client: floorKinesis, maxWaitTime: 30 }, { StreamName: floorStream });
  const context = lambdaContext(pollFn.name, pollFn.memoryMb, pollFn.timeoutSeconds);
  const sink = stdoutSink();

  // ---- 304 poll ------------------------------------------------------------------------------
  const pollPath = `/v1/installations/${installationId}/license`;
  const pollEvent = () =>
    signedEvent({
      method: 'GET',
      api: eu.api,
      path: pollPath,
      routeKey: 'GET /v1/installations/{id}/license',
      pathParameters: { id: installationId },
      keyid: installationId,
      privateKey,
      headers: { 'if-none-match': first.etag! },
    });
  let pollStatus = 0;
  let wallTotal = 0;
  const event = await pollEvent();
  const runHandler = async () => {
    const t = performance.now();
    for (let i = 0; i < opts.pollsPerRound; i++) pollStatus = (await pollHandler(event, context)).statusCode!;
    wallTotal += performance.now() - t;
  };
  const runFloor = async () => {
    for (let i = 0; i < opts.pollsPerRound; i++) {
      const headers = event.headers as Record<string, string>;
      let etag: string | undefined;
      await verifyAgentRequest({ method: 'GET', path: event.rawPath, headers, body: new Uint8Array(0) }, async () => {
        const out = await floorClient.send(
          new GetItemCommand({ TableName: tableName, Key: { pk: { S: `INST#${installationId}` }, sk: { S: 'META' } } }),
        );
        const item = out.Item!;
        etag = item['license']!.M!['etag']!.S;
        const pk = item['publicKey']!.M!;
        return { kty: 'OKP', crv: 'Ed25519', x: pk['x']!.S! };
      });
      if (headers['if-none-match'] !== etag) throw new Error('floor: etag differs');
    }
  };
  sink.start();
  let poll: Awaited<ReturnType<typeof abab>>;
  try {
    await runHandler();
    if (pollStatus !== 304) throw new Error(`poll handler answered ${pollStatus}, expected 304`);
    sink.take();
    wallTotal = 0;
    poll = await abab(runHandler, runFloor, { rounds: opts.rounds, warmup: 2, units: opts.pollsPerRound });
  } finally {
    sink.stop();
  }
  const pollLogBytes = sink.take() / ((opts.rounds + 2) * opts.pollsPerRound);
  const pollWall = wallTotal / ((opts.rounds + 2) * opts.pollsPerRound);
  opts.log(`poll: handler ${median(poll.a).toFixed(3)} ms CPU, floor ${median(poll.b).toFixed(3)} ms CPU per request`);

  // ---- telemetry ingest ----------------------------------------------------------------------
  // A post of the simulated agent at the default cadence, from mid-day (the mean post's size).
  const { posts: dayPosts, samplePost, ...agent } = await measureAgentCycle();
  opts.log(
    `agent: ${agent.counterBeatsPerCollection} counter beats a minute, ${agent.inventoryBeatsPerDay.toFixed(0)} inventory beats a day, ${agent.beatsPerCycle.toFixed(1)} beats and ${(agent.postGzipBytes / 1024).toFixed(1)} KB gz per ${agent.cycleSeconds / 60}-minute post`,
  );
  const beats = samplePost;
  const gz = gzipJson({ beats });
  // a gzipped post of the installation, signed as its agent signs it
  const signedPost = (body: Uint8Array) =>
    signedEvent({
      method: 'POST',
      api: eu.api,
      path: `/v1/installations/${installationId}/telemetry`,
      routeKey: 'POST /v1/installations/{id}/telemetry',
      pathParameters: { id: installationId },
      keyid: installationId,
      privateKey,
      body,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
  const ingestEvent = await signedPost(gz);
  const ingestContext = lambdaContext(ingestFn.name, ingestFn.memoryMb, ingestFn.timeoutSeconds);
  let ingestStatus = 0;
  let ingestWall = 0;
  const runIngest = async () => {
    const t = performance.now();
    for (let i = 0; i < opts.batchesPerRound; i++)
      ingestStatus = (await ingestHandler(ingestEvent, ingestContext)).statusCode!;
    ingestWall += performance.now() - t;
  };
  const runIngestFloor = async () => {
    for (let i = 0; i < opts.batchesPerRound; i++) {
      const headers = ingestEvent.headers as Record<string, string>;
      const body = Buffer.from(ingestEvent.body!, 'base64');
      await verifyAgentRequest({ method: 'POST', path: ingestEvent.rawPath, headers, body }, async () => {
        const out = await floorClient.send(
          new GetItemCommand({
            TableName: tableName,
            Key: { pk: { S: `INST#${installationId}` }, sk: { S: 'META' } },
            ConsistentRead: false,
          }),
        );
        const pk = out.Item!['publicKey']!.M!;
        return { kty: 'OKP', crv: 'Ed25519', x: pk['x']!.S! };
      });
      const parsed = JSON.parse(gunzipSync(body).toString('utf8')) as {
        beats: { type: keyof typeof beatDataSchemas; data: unknown }[];
      };
      for (const beat of parsed.beats) {
        if (!beatEnvelopeSchema.safeParse(beat).success || !beatDataSchemas[beat.type].safeParse(beat.data).success) {
          throw new Error('floor: a beat does not parse');
        }
      }
      await floorKinesis.send(
        new PutRecordCommand({ StreamName: floorStream, PartitionKey: installationId, Data: body }),
      );
    }
  };
  sink.start();
  let ingest: Awaited<ReturnType<typeof abab>>;
  try {
    await runIngest();
    if (ingestStatus !== 202) throw new Error(`ingest handler answered ${ingestStatus}, expected 202`);
    sink.take();
    ingestWall = 0;
    recordBytes = 0;
    records = 0;
    ingest = await abab(runIngest, runIngestFloor, {
      rounds: opts.rounds,
      warmup: 2,
      units: opts.batchesPerRound * beats.length,
    });
  } finally {
    sink.stop();
  }
  const batches = (opts.rounds + 2) * opts.batchesPerRound;
  const ingestLogBytes = sink.take() / batches;
  opts.log(
    `ingest: handler ${median(ingest.a).toFixed(4)} ms CPU, floor ${median(ingest.b).toFixed(4)} ms CPU per beat`,
  );
  floorClient.destroy();
  floorKinesis.destroy();
  const recordsPerBatch = records / batches;
  const recordBytesPerBatch = recordBytes / batches;

  // ---- the ingest's memory on the largest post (its deployed bundle, a process of its own) ------
  const post = largestPost();
  const ingestMemory = measureIngestMemory({
    bundle: join(ingestFn.assetDir, 'index.mjs'),
    memoryMb: ingestFn.memoryMb,
    post,
    event: await signedPost(post.gz),
  });
  opts.log(`ingest memory: ${ingestMemoryRow(ingestMemory).detail}`);

  // ---- the archiver over one full invocation -------------------------------------------------
  const archive = await measureArchive(archiveFn, {
    rounds: Math.max(3, Math.round(opts.rounds / 4)),
    sink,
    log: opts.log,
    posts: await agentPosts(Array.from({ length: 500 }, (_, i) => 5000 + i)),
    hour: await agentHours(Array.from({ length: 125 }, (_, i) => 6000 + i)),
  });

  // ---- the rules consumer's stored path --------------------------------------------------------
  // An account of its own with Gold Care (the proactive rules' audience), a key per installation.
  const backOffice = async (method: string, path: string, body: unknown) => {
    const res = await fetch(eu.api + path, {
      method,
      headers: { authorization: `Bearer ${info.tokens.ops}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
    return json!;
  };
  const products = ['attendant-console', 'call-recording', 'ivr', 'acd'];
  // Licensed above the simulated usage's peaks (40 recordings): a steady installation, not one
  // whose usage-over-licence finding opens and closes (rewritten) every cycle.
  const capacity = 50;
  // Accounts of 1 to 4 installations, as a fleet's customers (one account for all would read its
  // settings once a batch, a fleet's batch reads those of many accounts).
  const installations: { installationId: string; accountId: string }[] = [];
  for (let size = 1; installations.length < opts.rulesInstallations; size = (size % 4) + 1) {
    const count = Math.min(size, opts.rulesInstallations - installations.length);
    const order = await backOffice('PUT', `/v1/ops/orders/bench-rules-${randomUUID()}`, {
      account: { create: { name: `Bench rules ${installations.length}`, region: 'eu' } },
      lines: products.map((product) => ({
        product,
        quantity: count * capacity,
        kind: 'perpetual',
        care: { level: 'gold', endsAt: new Date(Date.now() + 365 * 86_400_000).toISOString() },
      })),
    });
    const accountId = z.string().parse(order['accountId']);
    for (let n = 0; n < count; n++) {
      const i = installations.length;
      const { activationKey } = z.object({ activationKey: z.string() }).parse(
        await backOffice('POST', `/v1/accounts/${accountId}/activation-keys`, {
          allocation: Object.fromEntries(products.map((p) => [p, capacity])),
        }),
      );
      const keys = await generateIdentityKeys();
      const activated = await call(
        eu.api,
        'POST',
        '/v1/activations',
        {
          activationKey,
          publicKey: keys.publicJwk,
          installation: { suiteVersion: '2025.2.1', nodes: [`bench-rules-${i}`] },
        },
        keys.thumbprint,
        keys.privateKey,
      );
      if (activated.status !== 201)
        throw new Error(`rules activation ${i} answered ${activated.status}: ${JSON.stringify(activated.json)}`);
      installations.push({
        installationId: z.object({ installationId: z.string() }).parse(activated.json).installationId,
        accountId,
      });
    }
  }
  // A fleet is almost all steady installations: 6 hours of cycles warm them up (past the first
  // hour's writes and the first counters snapshot), the next 6 are measured, so the hourly and
  // 6-hourly writes come at their real share; the fresh installations' rounds stay as a detail.
  const steadyRounds = counterSnapshotSeconds / agent.cycleSeconds;
  const rulesStored = await measureRulesStored({
    installations,
    posts: dayPosts,
    postsPerAgent: dayPosts.length / agent.installations,
    cycleSeconds: agent.cycleSeconds,
    rounds: steadyRounds,
    warmup: steadyRounds,
    first: { warmup: 2, rounds: opts.rulesRounds },
    perInvocation: 10,
    functionName: rulesFn.name,
    memoryMb: rulesFn.memoryMb,
    timeoutSeconds: rulesFn.timeoutSeconds,
    log: opts.log,
  });

  return {
    poll: {
      handlerCpuMs: median(poll.a),
      floorCpuMs: median(poll.b),
      ratio: pairedRatio(poll.a, poll.b),
      wallMs: pollWall,
      logBytes: pollLogBytes,
      status: pollStatus,
    },
    ingest: {
      handlerCpuMsPerBeat: median(ingest.a),
      floorCpuMsPerBeat: median(ingest.b),
      ratio: pairedRatio(ingest.a, ingest.b),
      beatsPerBatch: beats.length,
      batchGzipBytes: gz.byteLength,
      batchJsonBytes: Buffer.byteLength(JSON.stringify({ beats })),
      handlerCpuMsPerBatch: median(ingest.a) * beats.length,
      wallMsPerBatch: ingestWall / batches,
      logBytes: ingestLogBytes,
      recordBytesPerBeat: recordBytesPerBatch / beats.length,
      recordsPerBatch,
      recordBytesPerBatch,
      status: ingestStatus,
    },
    ingestMemory,
    archive,
    rulesStored,
    agent,
  };
}

/**
 * The archiver handler (source module, fake S3) over one invocation's worth of distinct agent
 * batches, each made into its stream record by the ingest use case itself: the object bytes per
 * beat, and the handler's CPU.
 */
async function measureArchive(
  archiveFn: LocalFunction,
  opts: {
    rounds: number;
    sink: ReturnType<typeof stdoutSink>;
    log: (line: string) => void;
    /** one post each of distinct installations: an invocation */
    posts: Beat[][];
    /** each installation's posts of one hour: the Parquet sample */
    hour: Beat[][][];
  },
): Promise<ArchiveMeasures> {
  const { ingestTelemetry } = await import('../lambdas/core/telemetry/ingest-telemetry');
  const { s3Client } = await import('../lambdas/adapters/s3-archive-store');
  const { handler: archiveHandler } = (await import('../lambdas/handlers/archive-telemetry')) as {
    handler: (event: unknown, context: unknown) => Promise<{ batchItemFailures: unknown[] }>;
  };
  const puts: { key: string; bytes: number; body: Uint8Array }[] = [];
  (s3Client(false) as unknown as { send: unknown }).send = async (command: {
    input: { Key: string; Body: Uint8Array };
  }) => {
    puts.push({ key: command.input.Key, bytes: command.input.Body.byteLength, body: command.input.Body });
    return {};
  };

  // Distinct installations' batches, as ingest puts them, until the 6 MB payload is full.
  const source = {
    shardId: 'shardId-000000000000',
    eventSourceArn: 'arn:aws:kinesis:eu-central-1:123456789012:stream/ucx-bench-telemetry',
    awsRegion: 'eu-central-1',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/ucx-bench-archiver',
  };
  /** The stream records ingest makes of these posts, as many as fit one invocation's payload when `capped`. */
  const recordsOf = async (
    posts: readonly { installationId: string; beats: Beat[]; arrivedAt: Date }[],
    capped: boolean,
  ) => {
    const shardRecords: ShardRecord[] = [];
    let payload = 0;
    let beats = 0;
    for (const post of posts) {
      const put: { partitionKey: string; data: Uint8Array }[] = [];
      const stream = {
        put: async (rs: readonly { partitionKey: string; data: Uint8Array }[]) => {
          put.push(...rs);
          return { failed: [] };
        },
      };
      await ingestTelemetry(
        { stream, clock: { now: () => post.arrivedAt } },
        { region: 'eu', endpoints: { eu: 'https://eu.example', us: 'https://us.example' } },
        {
          installationId: post.installationId,
          accountId: `acc_${post.installationId}`,
          region: 'eu',
          telemetryEnabled: true,
          status: 'active',
        } as Installation,
        { beats: post.beats },
      );
      const next = put.map((r, i) => ({
        sequenceNumber: String(49_600_000_000_000_000_000n + BigInt(shardRecords.length + i)),
        partitionKey: r.partitionKey,
        data: r.data,
        approximateArrivalTimestamp: post.arrivedAt,
      }));
      const bytes = next.reduce((n, r) => n + eventRecordBytes(r, source), 0);
      if (capped && payload + bytes > maxInvokePayloadBytes) break;
      shardRecords.push(...next);
      payload += bytes;
      beats += post.beats.length;
    }
    return { shardRecords, payload, beats };
  };
  // now: the agent's posts were collected over the day just past (workload.ts measureAgentCycle).
  // One post each of distinct simulated installations, as many as fit (at scale an invocation's are distinct)
  const arrivedAt = new Date();
  const invocation = await recordsOf(
    opts.posts.map((beats, i) => ({
      installationId: `inst_bench${String(100 + i).padStart(10, '0')}`,
      beats,
      arrivedAt,
    })),
    true,
  );
  const { shardRecords, payload } = invocation;
  const beatsInInvocation = invocation.beats;
  const event = kinesisStreamEvent(shardRecords, source);
  const context = lambdaContext(archiveFn.name, archiveFn.memoryMb, archiveFn.timeoutSeconds);

  const cpu: number[] = [];
  opts.sink.start();
  try {
    for (let round = 0; round < opts.rounds + 1; round++) {
      puts.length = 0;
      const before = process.cpuUsage();
      const response = await archiveHandler(event, context);
      const used = process.cpuUsage(before);
      if (response.batchItemFailures.length > 0) throw new Error('archiver: records failed to decode');
      if (round > 0) cpu.push((used.user + used.system) / 1000);
    }
  } finally {
    opts.sink.stop();
  }
  const archivedBytes = puts.reduce((n, p) => n + p.bytes, 0);
  const objectsPerInvocation = puts.length;
  // The Parquet hour: what the compaction rewrites is an hour of the region, every cycle of each
  // installation in it (4 posts at the default cycle), not one post each as an invocation holds
  // (each post arrives 5 s after its last beat was collected)
  const hour = await recordsOf(
    opts.hour.flatMap((posts, i) =>
      posts.map((beats) => ({
        installationId: `inst_benchhour${String(i).padStart(6, '0')}`,
        beats,
        arrivedAt: new Date(Math.max(...beats.map((b) => Date.parse(b.collectedAt))) + 5000),
      })),
    ),
    false,
  );
  puts.length = 0;
  if ((await archiveHandler(kinesisStreamEvent(hour.shardRecords, source), context)).batchItemFailures.length > 0)
    throw new Error('archiver: records of the hour failed to decode');
  const parquet = await parquetOf(puts);
  if (parquet.rows !== hour.beats) throw new Error(`archive: ${parquet.rows} Parquet rows of ${hour.beats} beats`);
  opts.log(
    `archive: ${shardRecords.length} records, ${beatsInInvocation} beats, ${objectsPerInvocation} object(s), ${(archivedBytes / beatsInInvocation).toFixed(0)} B/beat, ${median(cpu).toFixed(0)} ms CPU per invocation; an hour of ${opts.hour.length} installations compacted: parquet ${(parquet.bytes / parquet.rows).toFixed(1)} B/beat`,
  );
  return {
    bytesPerBeat: archivedBytes / beatsInInvocation,
    parquetBytesPerBeat: parquet.bytes / parquet.rows,
    parquetRows: parquet.rows,
    recordsPerInvocation: shardRecords.length,
    beatsPerInvocation: beatsInInvocation,
    objectsPerInvocation,
    cpuMsPerInvocation: median(cpu),
    cpuMsPerBatch: median(cpu) / shardRecords.length,
    payloadBytesPerInvocation: payload,
  };
}

/**
 * The archiver's objects compacted as the Athena compaction does it, by the local stand-in
 * (compactHour) over an in-memory bucket: Parquet bytes and rows.
 */
async function parquetOf(objects: readonly { key: string; body: Uint8Array }[]) {
  const { compactHour, hourOfKey } = await import('../local/archive-compaction');
  const bucket = new Map(objects.map((o) => [o.key, o.body]));
  const s3 = {
    send: async (command: {
      constructor: { name: string };
      input: { Prefix?: string; Key?: string; Body?: Uint8Array };
    }) => {
      const { input } = command;
      switch (command.constructor.name) {
        case 'ListObjectsV2Command':
          return {
            Contents: [...bucket.keys()].filter((k) => k.startsWith(input.Prefix ?? '')).map((Key) => ({ Key })),
          };
        case 'GetObjectCommand': {
          const body = bucket.get(input.Key!)!;
          return { Body: { transformToByteArray: async () => body } };
        }
        case 'PutObjectCommand':
          bucket.set(input.Key!, input.Body!);
          return {};
        default:
          throw new Error(`parquetOf: ${command.constructor.name}`);
      }
    },
  };
  let bytes = 0;
  let rows = 0;
  for (const hour of new Set(objects.map((o) => hourOfKey(o.key)).filter((h) => h !== undefined))) {
    const [, region, dt, hh] = /region=([^/]+)\/dt=([^/]+)\/hour=(\d+)/.exec(hour)!;
    const result = await compactHour(s3 as never, 'bench', {
      region: region!,
      dt: dt!,
      hour: hh!,
      now: new Date('2100-01-01'),
    });
    bytes += bucket.get(result.key)!.byteLength;
    rows += result.rowsWritten;
  }
  return { bytes, rows };
}

export function handlerRows(m: HandlerMeasures): Row[] {
  return [
    {
      name: '304 poll: handler CPU/request ÷ floor',
      value: m.poll.ratio,
      unit: '×',
      goal: { op: '<=', value: 1.3, unit: '×' },
      detail: `handler ${m.poll.handlerCpuMs.toFixed(3)} ms, floor (verify + GetItem + ETag) ${m.poll.floorCpuMs.toFixed(3)} ms; ${m.poll.logBytes.toFixed(0)} B stdout/request`,
    },
    {
      name: 'telemetry ingest: handler CPU/beat ÷ floor',
      value: m.ingest.ratio,
      unit: '×',
      goal: { op: '<=', value: 1.5, unit: '×' },
      detail: `handler ${(m.ingest.handlerCpuMsPerBeat * 1000).toFixed(0)} µs, floor (verify + GetItem + gunzip + JSON.parse + schema + PutRecord) ${(m.ingest.floorCpuMsPerBeat * 1000).toFixed(0)} µs; batch ${m.ingest.beatsPerBatch} beats, ${(m.ingest.batchGzipBytes / 1024).toFixed(1)} KB gz → ${m.ingest.recordsPerBatch} record(s), ${(m.ingest.recordBytesPerBatch / 1024).toFixed(1)} KB; real SDK clients on local endpoints`,
    },
    ingestMemoryRow(m.ingestMemory),
  ];
}

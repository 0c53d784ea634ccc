/**
 * What the bench feeds the handlers: telemetry batches shaped as the agent in this repository
 * sends them at its default cadence (lambdas/core/telemetry/cadence.ts: a collection every minute,
 * one post per cycle; the simulated installation of agent/collectors/simulated.ts, inventory beats
 * only when due, as agent/sdk/telemetry.ts isDue decides) and API Gateway v2 events signed with
 * the agent SDK's own `signRequest`.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { simulatedInstallation, seededRandom } from '../agent/collectors/simulated';
import { beatIdSource } from '../agent/sdk/beat-id';
import { dataHash, INVENTORY_TYPES, isDue, prepareBeat } from '../agent/sdk/telemetry';
import { signRequest } from '../agent/sdk/signing';
import { collectEverySeconds, defaultCycleSeconds, inventoryRefreshSeconds } from '../lambdas/core/telemetry/cadence';
import type { Beat, BeatType } from '../lambdas/core/telemetry/catalogue';

const PROCESS_NAMES = [
  'svchost.exe',
  'RuntimeBroker.exe',
  'conhost.exe',
  'dllhost.exe',
  'w3wp.exe',
  'WmiPrvSE.exe',
  'sqlservr.exe',
  'UCX.AttendantConsole.Service.exe',
  'UCX.Recording.Service.exe',
  'UCX.Ivr.Engine.exe',
  'UCX.Acd.Service.exe',
  'UCX.Web.exe',
  'MsMpEng.exe',
  'lsass.exe',
  'services.exe',
  'csrss.exe',
  'winlogon.exe',
  'spoolsv.exe',
];
const SERVICE_NAMES = [
  'wuauserv',
  'BITS',
  'Dnscache',
  'EventLog',
  'W32Time',
  'WinRM',
  'Spooler',
  'MSSQL$UCX',
  'UcxWeb',
];

/** The products the bench's installations run: every product the simulated collector has a counter for. */
const PRODUCTS = ['attendant-console', 'ivr', 'acd', 'call-recording'];

/** Collections per cycle at the default cadence: 15. */
export const roundsPerCycle = (cycleSeconds = defaultCycleSeconds) => Math.round(cycleSeconds / collectEverySeconds);

export interface BatchOptions {
  readonly seed?: number;
  /** collection rounds of counter beats per batch. @default roundsPerCycle() (one a minute, a post per cycle) */
  readonly rounds?: number;
  /** replace the simulated process list by this many processes (a heavier server); @default as simulated */
  readonly processes?: number;
  /** include the inventory beats in the first round (a day's first post). @default false: a cycle's typical post */
  readonly inventory?: boolean;
  /** collection time of the first round. @default now */
  readonly start?: number;
}

/** One installation's telemetry batch, as the agent would send it. */
export async function telemetryBatch(opts: BatchOptions = {}): Promise<Beat[]> {
  const seed = opts.seed ?? 1;
  const r = seededRandom(seed);
  const rounds = opts.rounds ?? roundsPerCycle();
  const start = opts.start ?? Date.now() - rounds * collectEverySeconds * 1000;
  const collector = simulatedInstallation({ seed, products: PRODUCTS, faults: [] });
  const nextId = beatIdSource();
  const beats: Beat[] = [];
  for (let round = 0; round < rounds; round++) {
    const at = new Date(start + round * collectEverySeconds * 1000);
    for (const collected of await collector.collect()) {
      const inventory = INVENTORY_TYPES.has(collected.type as never);
      if (inventory && (round > 0 || !opts.inventory)) continue;
      let data = collected.data as Record<string, unknown>;
      if (opts.processes && collected.type === 'processes.running') data = { processes: processes(r, opts.processes) };
      if (opts.processes && collected.type === 'processes.windows_services') data = { services: services(r, 60) };
      const prepared = prepareBeat(collected.type, data, at, nextId());
      if ('beat' in prepared && prepared.beat) beats.push(prepared.beat as unknown as Beat);
    }
  }
  return beats;
}

export interface AgentCycleMeasures {
  cycleSeconds: number;
  collectEverySeconds: number;
  /** counter beats per collection (one per counter type the simulated installation reports) */
  counterBeatsPerCollection: number;
  /** inventory beats the agent sends per day (on change, and at least daily: isDue) */
  inventoryBeatsPerDay: number;
  /** mean beats per post: a cycle's counters plus the day's inventory spread over its cycles */
  beatsPerCycle: number;
  /** mean gzip bytes of a post's body, inventory included pro rata */
  postGzipBytes: number;
  installations: number;
}

/**
 * What the agent of this repository posts, measured rather than assumed: simulated installations
 * collect every minute for a day, counters go into every cycle's post and inventory beats only
 * when isDue says so (changed, or a day old).
 */
export async function measureAgentCycle(
  opts: { installations?: number; cycleSeconds?: number } = {},
): Promise<AgentCycleMeasures & { posts: Beat[][]; samplePost: Beat[] }> {
  const installations = opts.installations ?? 5;
  const cycleSeconds = opts.cycleSeconds ?? defaultCycleSeconds;
  const collections = Math.round(inventoryRefreshSeconds / collectEverySeconds);
  const perCycle = roundsPerCycle(cycleSeconds);
  // the day just past: the cloud refuses beats collected too long ago
  const start = Date.now() - (inventoryRefreshSeconds + cycleSeconds) * 1000;
  let counters = 0;
  let inventory = 0;
  let gzipBytes = 0;
  const posts: Beat[][] = [];
  for (let i = 0; i < installations; i++) {
    for (const post of await cyclesOf(1000 + i, 0, Math.floor(collections / perCycle), { start, cycleSeconds })) {
      for (const beat of post) {
        if (INVENTORY_TYPES.has(beat.type)) inventory++;
        else counters++;
      }
      gzipBytes += gzipJson({ beats: post }).byteLength;
      posts.push(post);
    }
  }
  const cyclesPerDay = inventoryRefreshSeconds / cycleSeconds;
  const beatsPerCycle = (counters + inventory) / installations / cyclesPerDay;
  // the post whose size is nearest the mean: what the handlers are measured with
  const samplePost = posts.reduce((best, p) =>
    Math.abs(p.length - beatsPerCycle) < Math.abs(best.length - beatsPerCycle) ? p : best,
  );
  return {
    cycleSeconds,
    collectEverySeconds,
    counterBeatsPerCollection: counters / installations / collections,
    inventoryBeatsPerDay: inventory / installations,
    beatsPerCycle,
    postGzipBytes: gzipBytes / posts.length,
    installations,
    posts,
    samplePost,
  };
}

/**
 * One post of each of these installations (seeds), the agent's `cycle`-th of the day just past
 * (the first carries every inventory beat, first seen): distinct installations, as one archiver
 * invocation takes them at scale.
 */
export async function agentPosts(seeds: readonly number[], cycle = 1): Promise<Beat[][]> {
  const posts: Beat[][] = [];
  for (const seed of seeds) posts.push(...(await cyclesOf(seed, cycle, 1)));
  return posts;
}

/**
 * Each installation's (seed's) posts of one hour at the default cycle (4 at 15 minutes), the day's
 * second to fifth, from one agent: what the hourly compaction rewrites of each installation.
 */
export async function agentHours(seeds: readonly number[]): Promise<Beat[][][]> {
  const perHour = Math.round(3600 / defaultCycleSeconds);
  // the day's second cycle starts on an hour, so the hour's cycles arrive within it
  const hour = Math.floor((Date.now() - inventoryRefreshSeconds * 1000) / 3_600_000) * 3_600_000;
  const hours: Beat[][][] = [];
  for (const seed of seeds) hours.push(await cyclesOf(seed, 1, perHour, { start: hour - defaultCycleSeconds * 1000 }));
  return hours;
}

/**
 * One simulated agent's posts of cycles [from, from + count) from `start` (the day just past: the
 * cloud refuses beats collected too long ago), as agent/sdk/agent.ts collects: prepared first, then
 * due on the prepared data.
 */
async function cyclesOf(
  seed: number,
  from: number,
  count: number,
  {
    cycleSeconds = defaultCycleSeconds,
    start = Date.now() - (inventoryRefreshSeconds + cycleSeconds) * 1000,
  }: { cycleSeconds?: number; start?: number } = {},
): Promise<Beat[][]> {
  const perCycle = roundsPerCycle(cycleSeconds);
  const collector = simulatedInstallation({ seed, products: PRODUCTS, faults: [] });
  const nextId = beatIdSource();
  const lastSent = new Map<BeatType, { hash: string; at: string }>();
  const posts: Beat[][] = Array.from({ length: count }, () => []);
  for (let c = 0; c < (from + count) * perCycle; c++) {
    const at = new Date(start + c * collectEverySeconds * 1000);
    for (const collected of await collector.collect()) {
      const type = collected.type as BeatType;
      const prepared = prepareBeat(type, collected.data, at, nextId());
      if (!('beat' in prepared) || !prepared.beat) continue;
      if (!isDue(type, prepared.beat.data, lastSent.get(type), at)) continue;
      if (INVENTORY_TYPES.has(type)) lastSent.set(type, { hash: dataHash(prepared.beat.data), at: at.toISOString() });
      const cycle = Math.floor(c / perCycle);
      if (cycle >= from) posts[cycle - from]!.push(prepared.beat as unknown as Beat);
    }
  }
  return posts;
}

function processes(r: () => number, n: number) {
  return Array.from({ length: n }, (_, i) => ({
    pid: 400 + i * 4,
    name: PROCESS_NAMES[i % PROCESS_NAMES.length]!,
    memoryBytes: Math.floor(r() * 600) * 1024 * 1024,
    handleCount: 100 + Math.floor(r() * 900),
    threadCount: 4 + Math.floor(r() * 60),
    cpuPercent: Math.round(r() * 500) / 100,
  }));
}

function services(r: () => number, n: number) {
  return Array.from({ length: n }, (_, i) => ({
    pid: r() < 0.2 ? null : 1000 + i * 8,
    name: `${SERVICE_NAMES[i % SERVICE_NAMES.length]}${i >= SERVICE_NAMES.length ? i : ''}`,
    status: r() < 0.2 ? 'Stopped' : 'Running',
  }));
}

export const gzipJson = (value: unknown) => gzipSync(JSON.stringify(value));

/** A signed API Gateway HTTP API (payload 2.0) event, as the router of the local cloud builds it. */
export async function signedEvent(opts: {
  method: 'GET' | 'POST';
  api: string;
  path: string;
  routeKey: string;
  pathParameters: Record<string, string>;
  keyid: string;
  privateKey: KeyObject;
  body?: Uint8Array;
  headers?: Record<string, string>;
}): Promise<APIGatewayProxyEventV2> {
  const url = opts.api.replace(/\/+$/, '') + opts.path;
  const headers = await signRequest(
    { method: opts.method, url, headers: { accept: 'application/json', ...opts.headers }, body: opts.body },
    { keyid: opts.keyid, privateKey: opts.privateKey },
  );
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: opts.routeKey,
    rawPath: opts.path,
    rawQueryString: '',
    headers: { host: new URL(url).host, 'user-agent': 'ucx-agent/bench', ...lower },
    pathParameters: opts.pathParameters,
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: new URL(url).host,
      domainPrefix: 'bench',
      http: {
        method: opts.method,
        path: opts.path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'ucx-agent/bench',
      },
      requestId: randomUUID(),
      routeKey: opts.routeKey,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...(opts.body
      ? { body: Buffer.from(opts.body).toString('base64'), isBase64Encoded: true }
      : { isBase64Encoded: false }),
  };
}

/**
 * A Lambda context good enough for middy and Powertools; each invocation starts with the
 * function's whole timeout left (the SDK calls are budgeted from it, sdk-deadline.ts).
 */
export function lambdaContext(functionName: string, memoryMb: number, timeoutSeconds: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-central-1:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => timeoutSeconds * 1000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

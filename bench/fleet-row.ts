/**
 * End to end: the fleet simulator (scripts/fleet.ts, another engineer's) with N installations
 * against the bench's local cloud, time compressed as the simulator does it (a cycle in
 * --cycle-seconds), its printed summary parsed: errors (every 4xx but a followed 421, every 5xx
 * and unreachable), the p99 of the poll and the post, and the beats accepted; then the archive
 * counted (the fleet's installations only: countFleetRows) until it holds them or the archiver is idle (archiveSettled), with what the archiver
 * gave up on (its on-failure queue); the local cloud's own time per request (router latency minus
 * the function's duration, from the metrics the local dashboards read) and its CPU per request
 * over the cycles (fleet-cpu.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { archivePrefix, findArchiveBucket } from '../local/archive-reader';
import { localS3 } from '../local/clients';
import type { LocalCloud } from '../local/cloud';
import { localApiNamespace, localLambdaNamespace, mergeSeries, type MetricStore } from '../local/metrics';
import { CALLS_OUT_METRIC } from '../local/lambda-runtime';
import { cpuPerRequest, describeCpu, sample, type CpuPerRequest, type CpuSample } from './fleet-cpu';
import type { Row } from './stats';

export interface FleetMeasures {
  ran: boolean;
  reason?: string;
  installations: number;
  durationSeconds: number;
  errors: number;
  pollP99Ms: number | null;
  pollP50Ms: number | null;
  pollRequests: number;
  /** the telemetry post's percentiles (the agent's one request per cycle) */
  postP99Ms: number | null;
  postP50Ms: number | null;
  postRequests: number;
  /** beats the cloud answered 202 for, as the simulator counted them */
  beatsAccepted: number | null;
  /**
   * the fleet's distinct beats (installation, beat id) in the archive once the archiver's window
   * passed, and their rows (re-sent beats included); null when the simulator did not say its installations
   */
  beatsArchived: number | null;
  archiveRows: number | null;
  /** the archiver's stream consumers once the wait ended (both regions), and why it ended */
  archiver?: ConsumerState & { waitedSeconds: number; settled: SettleReason };
  /** the rules consumers then: their failed invocations and retries (DynamoDB Local answering late) */
  rules?: ConsumerState;
  /** the local cloud's CPU per request and the machine's cores over the cycles (Linux) */
  cpu?: CpuPerRequest;
  /** cycles a second the fleet's licences asked for (time compressed) and those it completed */
  cycles?: { offeredPerS: number; servedPerS: number };
  /** posts after each installation's first (no contact stamp, first snapshots or activation burst), and the simulator's event-loop delay */
  steady?: SteadyPosts;
  /** per route: the local router's mean latency, the function's mean duration, the difference */
  overhead: {
    route: string;
    requests: number;
    routerMs: number;
    handlerMs: number;
    overheadMs: number;
    /** of the handler's duration, its calls to the emulators (local/lambda-worker.mjs; since issue 16's fifteenth stop) */
    callsMs?: number;
  }[];
  routes: FleetRoute[];
  exitCode: number | null;
}

export interface FleetRoute {
  route: string;
  requests: number;
  statuses: Record<string, number>;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** A function's Kinesis consumers as the local cloud reports them (GET /local/event-sources, /local/queues). */
export interface ConsumerState {
  /** records (agent posts) handed to the function and answered */
  delivered: number;
  /** invocations that failed, whole or for some records, and the records handed to it again */
  failedInvocations: number;
  retried: number;
  /** records read from the stream and not yet delivered (buffered or being retried) */
  pending: number;
  /** records given up on: to the on-failure queue, or dropped without one */
  sentToDestination: number;
  discarded: number;
  /** shards retrying a failed batch */
  retrying: number;
  /** messages in the archiver's on-failure queue, and the records their batches cover */
  failureMessages: number;
  failureRecords: number;
  lastError?: string;
}

export type SettleReason = 'complete' | 'stopped growing' | 'deadline';

/**
 * When to stop waiting for the archive: every accepted beat is there; or it stopped growing while
 * the archiver has nothing left to do (no buffered or retried records: what is missing will not
 * come); or the deadline passed. A consumer with records in hand keeps the wait going, since its
 * last partial batch waits out the mapping's batching window (300 s of real time).
 */
export function archiveSettled(s: {
  beatsArchived: number;
  beatsAccepted: number | null;
  unchangedCounts: number;
  archiver: ConsumerState | undefined;
  waitedMs: number;
  deadlineMs: number;
}): SettleReason | undefined {
  if (s.beatsAccepted !== null && s.beatsArchived >= s.beatsAccepted) return 'complete';
  if (s.waitedMs >= s.deadlineMs) return 'deadline';
  const idle = s.archiver !== undefined && s.archiver.pending === 0 && s.archiver.retrying === 0;
  if (s.unchangedCounts >= 3 && idle) return 'stopped growing';
  return undefined;
}

interface EventSourceReport {
  eventSources: {
    function: string;
    destination?: { queue: string };
    shards: {
      state: string;
      buffered: number;
      delivered: number;
      failedInvocations?: number;
      retried?: number;
      sentToDestination: number;
      discarded: number;
    }[];
    lastError?: { message: string };
  }[];
}

/** A consumer that has done nothing yet: every count 0. */
export const noConsumerWork: ConsumerState = {
  delivered: 0,
  failedInvocations: 0,
  retried: 0,
  pending: 0,
  sentToDestination: 0,
  discarded: 0,
  retrying: 0,
  failureMessages: 0,
  failureRecords: 0,
};

/** Sums a function's mappings of every region's report, and its on-failure queues' messages. */
export function consumerState(
  reports: readonly { sources: EventSourceReport; queues: Record<string, unknown[]> }[],
  fn: string,
): ConsumerState {
  const state: ConsumerState = { ...noConsumerWork };
  for (const { sources, queues } of reports) {
    for (const mapping of sources.eventSources.filter((m) => m.function.includes(fn))) {
      for (const shard of mapping.shards) {
        state.delivered += shard.delivered;
        state.failedInvocations += shard.failedInvocations ?? 0;
        state.retried += shard.retried ?? 0;
        state.pending += shard.buffered;
        state.sentToDestination += shard.sentToDestination;
        state.discarded += shard.discarded;
        if (shard.state === 'retrying') state.retrying++;
      }
      if (mapping.lastError) state.lastError = mapping.lastError.message;
      const messages = (mapping.destination && queues[mapping.destination.queue]) || [];
      state.failureMessages += messages.length;
      for (const m of messages) {
        state.failureRecords += (m as { KinesisBatchInfo?: { batchSize?: number } }).KinesisBatchInfo?.batchSize ?? 0;
      }
    }
  }
  return state;
}

/** a function key (`<region>/<logical id>`) holds its logical id: the archiver's, the rules' */
const ARCHIVER = 'ArchiveTelemetry';
const RULES = 'EvaluateRules';

async function readConsumers(
  cloud: LocalCloud,
): Promise<{ archiver: ConsumerState; rules: ConsumerState } | undefined> {
  try {
    const reports = await Promise.all(
      Object.values(cloud.info.regions).map(async (region) => {
        const get = async (path: string) => {
          const res = await fetch(region.api + path);
          if (!res.ok) throw new Error(`${path}: ${res.status}`);
          return (await res.json()) as unknown;
        };
        return {
          sources: (await get('/local/event-sources')) as EventSourceReport,
          queues: ((await get('/local/queues')) as { queues: Record<string, unknown[]> }).queues,
        };
      }),
    );
    return { archiver: consumerState(reports, ARCHIVER), rules: consumerState(reports, RULES) };
  } catch {
    return undefined;
  }
}

/**
 * The simulator's line at the end of its cycles: `cycles ended after 90.1 s: 4321 requests, client
 * CPU 5400 ms, cycles offered 116.7/s, served 70.2/s` (the rates are absent from older lines)
 */
export function parseCyclesEnded(
  stdout: string,
): { requests: number; clientCpuMs: number; offeredPerS?: number; servedPerS?: number } | undefined {
  const match =
    /cycles ended after [\d.]+ s: (\d+) requests, client CPU (\d+) ms(?:, cycles offered ([\d.]+)\/s, served ([\d.]+)\/s)?/.exec(
      stdout,
    );
  if (!match) return undefined;
  return {
    requests: Number(match[1]),
    clientCpuMs: Number(match[2]),
    ...(match[3] !== undefined && { offeredPerS: Number(match[3]), servedPerS: Number(match[4]) }),
  };
}

export interface SteadyPosts {
  posts: number;
  p50Ms: number;
  p99Ms: number;
  clientLagP50Ms: number;
  clientLagP99Ms: number;
}

/** The simulator's line on the posts after each installation's first and its own event-loop delay. */
export function parseSteadyPosts(stdout: string): SteadyPosts | undefined {
  const match =
    /posts after each installation's first: (\d+), p50 (\d+) \/ p99 (\d+) ms; the simulator's event-loop delay p50 (\d+) \/ p99 (\d+) ms/.exec(
      stdout,
    );
  if (!match) return undefined;
  const [posts, p50Ms, p99Ms, clientLagP50Ms, clientLagP99Ms] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return { posts, p50Ms, p99Ms, clientLagP50Ms, clientLagP99Ms };
}

/** "4733 posts after each installation's first p50 48 / p99 380 ms; the simulator's own event-loop delay p50 11 / p99 96 ms, …" */
export function describeSteady(s: SteadyPosts): string {
  return `${s.posts} posts after each installation's first p50 ${s.p50Ms} / p99 ${s.p99Ms} ms; the simulator's own event-loop delay p50 ${s.clientLagP50Ms} / p99 ${s.clientLagP99Ms} ms, in every latency it measures`;
}

const POLL_ROUTE = 'GET /v1/installations/{id}/license';
const POST_ROUTE = 'POST /v1/installations/{id}/telemetry';
/** the functions behind the two agent routes (logical ids start with the route's function name) */
const ROUTE_FUNCTIONS: Record<string, string> = { [POLL_ROUTE]: 'GetLicense', [POST_ROUTE]: 'IngestTelemetry' };

/** Mean router latency and function duration of the agent's routes, both regions. */
export function localOverhead(metrics: MetricStore): FleetMeasures['overhead'] {
  return Object.entries(ROUTE_FUNCTIONS).flatMap(([route, fn]) => {
    const mean = (points: ReturnType<typeof mergeSeries>) => {
      const count = points.reduce((n, p) => n + p.count, 0);
      return { count, mean: count ? points.reduce((n, p) => n + p.sum, 0) / count : NaN };
    };
    const router = mean(
      mergeSeries(['eu', 'us'].flatMap((r) => metrics.find(r, localApiNamespace, 'Latency', { route }))),
    );
    const ofFunction = (name: string) =>
      mean(
        mergeSeries(
          ['eu', 'us'].flatMap((r) =>
            metrics.find(r, localLambdaNamespace, name).filter((s) => s.dimensions['function']?.startsWith(fn)),
          ),
        ),
      );
    const handler = ofFunction('Duration');
    const calls = ofFunction(CALLS_OUT_METRIC);
    if (!router.count) return [];
    return [
      {
        route,
        requests: router.count,
        routerMs: router.mean,
        handlerMs: handler.mean,
        overheadMs: router.mean - handler.mean,
        ...(calls.count ? { callsMs: calls.mean } : {}),
      },
    ];
  });
}

/**
 * The fleet's rows in one raw archive object (NDJSON), each beat added to `seen` once by
 * (installation, beat id) as the archive view dedups; other installations' rows (the ingest row's
 * post, in the same archive) are left out, so accepted − archived is exact.
 */
export function countFleetRows(ndjson: string, fleet: ReadonlySet<string>, seen: Set<string>): number {
  let rows = 0;
  for (const line of ndjson.split('\n')) {
    // top-level fields: `data` is a JSON string, its quotes escaped
    const installation = /"installation_id":"([^"]+)"/.exec(line)?.[1];
    const beat = /"beat_id":"([^"]+)"/.exec(line)?.[1];
    if (!installation || !beat || !fleet.has(installation)) continue;
    rows++;
    seen.add(`${installation}|${beat}`);
  }
  return rows;
}

/** The fleet's distinct beats in every raw archive object of both regions, and its rows (re-sent beats included). */
export async function countArchive(
  cloud: LocalCloud,
  fleet: ReadonlySet<string>,
): Promise<{ beats: number; rows: number }> {
  let rows = 0;
  const seen = new Set<string>();
  for (const region of Object.values(cloud.info.regions)) {
    const s3 = localS3(region.endpoints.s3, region.region);
    const bucket = await findArchiveBucket(region, s3);
    let token: string | undefined;
    do {
      const out = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: archivePrefix, ...(token && { ContinuationToken: token }) }),
      );
      for (const object of out.Contents ?? []) {
        if (!object.Key?.endsWith('.ndjson.gz')) continue;
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
        const text = gunzipSync(Buffer.from(await got.Body!.transformToByteArray())).toString('utf8');
        rows += countFleetRows(text, fleet, seen);
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    s3.destroy();
  }
  return { beats: seen.size, rows };
}

/** The simulator's closing line: `… beats sent N, accepted M; …` */
export function parseBeatsAccepted(stdout: string): number | null {
  const match = /beats sent \d+, accepted (\d+)/.exec(stdout);
  return match ? Number(match[1]) : null;
}

/** Parses the markdown table the fleet simulator prints at the end. */
export function parseFleetSummary(stdout: string): FleetRoute[] {
  const routes: FleetRoute[] = [];
  for (const line of stdout.split('\n')) {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells.length !== 7 || cells[0] === 'route' || /^-+$/.test(cells[0]!)) continue;
    const statuses: Record<string, number> = {};
    for (const part of cells[2]!.split(/\s+/).filter(Boolean)) {
      const [status, n] = part.split('×');
      if (status && n) statuses[status] = Number(n);
    }
    routes.push({
      route: cells[0]!,
      requests: Number(cells[1]),
      statuses,
      p50: Number(cells[3]),
      p90: Number(cells[4]),
      p99: Number(cells[5]),
      max: Number(cells[6]),
    });
  }
  return routes;
}

/** Errors: 5xx, unreachable, and 4xx other than a 421 the SDK follows. */
export function countErrors(routes: readonly FleetRoute[]): number {
  let errors = 0;
  for (const r of routes) {
    for (const [status, n] of Object.entries(r.statuses)) {
      if (status === '421') continue;
      if (!/^[23]\d\d$/.test(status)) errors += n;
    }
  }
  return errors;
}

export async function runFleet(opts: {
  repoRoot: string;
  cloud: LocalCloud;
  installations: number;
  durationSeconds: number;
  log: (line: string) => void;
}): Promise<FleetMeasures> {
  const script = join(opts.repoRoot, 'scripts/fleet.ts');
  const base = {
    installations: opts.installations,
    durationSeconds: opts.durationSeconds,
    errors: 0,
    pollP99Ms: null,
    pollP50Ms: null,
    pollRequests: 0,
    postP99Ms: null,
    postP50Ms: null,
    postRequests: 0,
    beatsAccepted: null,
    beatsArchived: null,
    archiveRows: null,
    overhead: [],
    routes: [],
    exitCode: null,
  };
  if (!existsSync(script)) return { ...base, ran: false, reason: 'fleet simulator missing' };
  // the simulator writes its installations' ids here once activated: only their beats are counted
  const idsDir = mkdtempSync(join(tmpdir(), 'ucx-fleet-'));
  const idsFile = join(idsDir, 'installations.json');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      script,
      '--installations',
      String(opts.installations),
      '--duration',
      String(opts.durationSeconds),
      '--cloud',
      opts.cloud.cloudJson,
      '--installation-ids',
      idsFile,
    ],
    { cwd: opts.repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  // CPU sampled when the cycles start (the simulator's `activated …` line) and when they end.
  let cpuBefore: CpuSample | undefined;
  let cpuAfter: CpuSample | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (!cpuBefore && /^activated \d+ installations/m.test(stdout)) cpuBefore = sample(child.pid);
    if (!cpuAfter && /^cycles ended/m.test(stdout)) cpuAfter = sample(child.pid);
    const lines = chunk.toString().trim().split('\n');
    for (const l of lines) if (l.startsWith('[') || l.startsWith('activated')) opts.log(`fleet: ${l}`);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await new Promise<number | null>((done) => child.on('close', done));
  const fleet = existsSync(idsFile) ? new Set(JSON.parse(readFileSync(idsFile, 'utf8')) as string[]) : undefined;
  rmSync(idsDir, { recursive: true, force: true });
  const routes = parseFleetSummary(stdout);
  if (routes.length === 0) {
    return {
      ...base,
      ran: false,
      exitCode,
      reason: `no summary (exit ${exitCode}): ${stderr.trim().split('\n').slice(-3).join(' ')}`,
    };
  }
  if (!fleet) return { ...base, ran: false, exitCode, reason: 'the simulator did not write its installations' };
  const poll = routes.find((r) => r.route === POLL_ROUTE);
  const post = routes.find((r) => r.route === POST_ROUTE);
  const overhead = localOverhead(opts.cloud.metrics);
  const ended = parseCyclesEnded(stdout);
  const steady = parseSteadyPosts(stdout);
  const cpu =
    cpuBefore && cpuAfter && ended ? cpuPerRequest(cpuBefore, cpuAfter, ended.requests, ended.clientCpuMs) : undefined;
  // The archive is counted every 20 s until it holds every accepted beat, or stopped growing with
  // the archiver idle, or 15 minutes passed. The mappings' batching windows are on real time (the
  // local clock does not shorten them), so the last partial batch of a shard can wait 300 s.
  const beatsAccepted = parseBeatsAccepted(stdout);
  const waitStarted = Date.now();
  let archived = { beats: -1, rows: -1 };
  let archiver: ConsumerState | undefined;
  let rules: ConsumerState | undefined;
  let unchangedCounts = 0;
  let settled: SettleReason | undefined;
  while (!settled) {
    await new Promise((done) => setTimeout(done, 20_000));
    const counted = await countArchive(opts.cloud, fleet);
    ({ archiver, rules } = (await readConsumers(opts.cloud)) ?? {});
    unchangedCounts = counted.rows === archived.rows ? unchangedCounts + 1 : 0;
    archived = counted;
    opts.log(
      `fleet: archive holds ${counted.beats} beats in ${counted.rows} rows (accepted ${beatsAccepted}); archiver ${archiver ? `delivered ${archiver.delivered} records, ${archiver.pending} pending, ${archiver.retrying} shards retrying, ${archiver.sentToDestination + archiver.discarded} given up${archiver.lastError ? `, last error: ${archiver.lastError}` : ''}` : 'status unavailable'}`,
    );
    settled = archiveSettled({
      beatsArchived: counted.beats,
      beatsAccepted,
      unchangedCounts,
      archiver,
      waitedMs: Date.now() - waitStarted,
      deadlineMs: 15 * 60_000,
    });
  }
  return {
    ...base,
    ran: true,
    exitCode,
    routes,
    errors: countErrors(routes),
    pollP99Ms: poll?.p99 ?? null,
    pollP50Ms: poll?.p50 ?? null,
    pollRequests: poll?.requests ?? 0,
    postP99Ms: post?.p99 ?? null,
    postP50Ms: post?.p50 ?? null,
    postRequests: post?.requests ?? 0,
    beatsAccepted,
    beatsArchived: archived.beats,
    archiveRows: archived.rows,
    ...(archiver && {
      archiver: { ...archiver, waitedSeconds: Math.round((Date.now() - waitStarted) / 1000), settled },
    }),
    ...(rules && { rules }),
    ...(cpu && { cpu }),
    ...(steady && { steady }),
    ...(ended?.offeredPerS !== undefined && {
      cycles: { offeredPerS: ended.offeredPerS, servedPerS: ended.servedPerS! },
    }),
    overhead,
  };
}

export function fleetRows(m: FleetMeasures): Row[] {
  const why = m.ran ? '' : `not run: ${m.reason}`;
  const p99 = m.ran ? Math.max(m.pollP99Ms ?? 0, m.postP99Ms ?? 0) : null;
  const overhead = m.overhead
    .map(
      (o) =>
        `${o.route.split(' ')[0]} ${o.route.endsWith('license') ? 'poll' : 'post'}: router ${o.routerMs.toFixed(1)} ms, handler ${o.handlerMs.toFixed(1)} ms${o.callsMs !== undefined ? ` (its calls to the emulators ${o.callsMs.toFixed(1)} ms)` : ''}, the router's own ${o.overheadMs.toFixed(1)} ms`,
    )
    .join('; ');
  return [
    {
      name: `end to end: fleet of ${m.installations}, errors`,
      value: m.ran ? m.errors : null,
      unit: '',
      goal: { op: '<=', value: 0, unit: '' },
      detail:
        why ||
        `${m.routes.reduce((a, r) => a + r.requests, 0)} requests in ${m.durationSeconds} s of cycles (+ activation)${m.rules ? `; ${describeRules(m.rules)}` : ''}`,
    },
    {
      name: `end to end: fleet of ${m.installations}, lost beats (accepted − archived)`,
      value: m.ran && m.beatsAccepted !== null && m.beatsArchived !== null ? m.beatsAccepted - m.beatsArchived : null,
      unit: '',
      goal: { op: '<=', value: 0, unit: '' },
      detail:
        why ||
        `${m.beatsAccepted ?? '?'} accepted, ${m.beatsArchived ?? '?'} of the fleet's beats in the archive (distinct by installation and beat id; ${m.archiveRows ?? '?'} rows)${m.archiver ? `; ${describeArchiver(m.archiver)}` : ''}`,
    },
    {
      name: `end to end: fleet of ${m.installations}, poll-or-post p99`,
      value: p99,
      unit: ' ms',
      goal: { op: '<=', value: 100, unit: ' ms' },
      detail:
        why ||
        `${m.cycles ? `${describeCycles(m.cycles)}; ` : ''}${m.postRequests} posts p50 ${m.postP50Ms ?? '—'} / p99 ${m.postP99Ms ?? '—'} ms, ${m.pollRequests} polls p50 ${m.pollP50Ms ?? '—'} / p99 ${m.pollP99Ms ?? '—'} ms; ${m.steady ? `${describeSteady(m.steady)}; ` : ''}${overhead}${m.cpu ? `; ${describeCpu(m.cpu, m.cycles)}` : ''}`,
    },
  ];
}

/** "cycles offered 116.7/s, served 70.2/s (60 %): requests queue for the difference" */
export function describeCycles(c: NonNullable<FleetMeasures['cycles']>): string {
  const share = Math.round((100 * c.servedPerS) / c.offeredPerS);
  return `cycles offered ${c.offeredPerS.toFixed(1)}/s, served ${c.servedPerS.toFixed(1)}/s (${share} %)${share < 95 ? ': the cloud fell behind and requests queued' : ''}`;
}

/** "archive complete after 40 s: archiver delivered 45012 records, 0 pending, 0 to its on-failure queue" */
export function describeArchiver(a: NonNullable<FleetMeasures['archiver']>): string {
  const gaveUp =
    a.sentToDestination + a.discarded + a.failureRecords > 0
      ? `${a.sentToDestination} records to its on-failure queue (${a.failureMessages} messages covering ${a.failureRecords}: their beats are lost to the archive), ${a.discarded} dropped`
      : 'none given up on';
  return `wait ended (${a.settled}) after ${a.waitedSeconds} s: the archiver delivered ${a.delivered} records, ${a.pending} pending, ${gaveUp}${a.lastError ? `; last error: ${a.lastError}` : ''}`;
}

/** "the rules consumer: 12 invocations failed in part, 340 records handed to it again, none given up, 0 pending" */
export function describeRules(r: ConsumerState): string {
  const gaveUp = r.sentToDestination + r.discarded;
  return `the rules consumer: ${r.failedInvocations} invocations failed in part or whole, ${r.retried} records handed to it again, ${gaveUp > 0 ? `${gaveUp} given up` : 'none given up'}, ${r.pending} pending at the end${r.lastError ? ` (last error: ${r.lastError})` : ''}`;
}

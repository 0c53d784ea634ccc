/**
 * What the bench feeds the handlers: telemetry batches shaped as an agent sends them (every
 * 5 minutes: five 1-minute collection rounds of the counter beats, `processes.running` with ~200
 * processes, plus the inventory beats when they changed) and API Gateway v2 events signed with
 * the agent SDK's own `signRequest`.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { simulatedInstallation, seededRandom } from '../agent/collectors/simulated';
import { INVENTORY_TYPES, prepareBeat } from '../agent/sdk/telemetry';
import { signRequest } from '../agent/sdk/signing';
import type { Beat } from '../lambdas/core/telemetry/catalogue';

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

export interface BatchOptions {
  readonly seed?: number;
  /** collection rounds of counter beats per batch. @default 5 (one a minute, a batch every 5 minutes) */
  readonly rounds?: number;
  readonly processes?: number;
  /** include the inventory beats (they go out on change, so not in every batch). @default true */
  readonly inventory?: boolean;
  /** collection time of the first round. @default now */
  readonly start?: number;
}

/** One installation's telemetry batch, as the agent would send it. */
export async function telemetryBatch(opts: BatchOptions = {}): Promise<Beat[]> {
  const seed = opts.seed ?? 1;
  const r = seededRandom(seed);
  const rounds = opts.rounds ?? 5;
  const processCount = opts.processes ?? 200;
  const start = opts.start ?? Date.now() - rounds * 60_000;
  const collector = simulatedInstallation({
    seed,
    products: ['attendant-console', 'ivr', 'acd', 'call-recording'],
    faults: [],
  });
  const beats: Beat[] = [];
  for (let round = 0; round < rounds; round++) {
    const at = new Date(start + round * 60_000);
    for (const collected of await collector.collect()) {
      const inventory = INVENTORY_TYPES.has(collected.type as never);
      if (inventory && (round > 0 || opts.inventory === false)) continue;
      let data = collected.data as Record<string, unknown>;
      if (collected.type === 'processes.running') data = { processes: processes(r, processCount) };
      if (collected.type === 'processes.windows_services') data = { services: services(r, 60) };
      const prepared = prepareBeat(collected.type, data, at, randomUUID());
      if ('beat' in prepared && prepared.beat) beats.push(prepared.beat as unknown as Beat);
    }
  }
  return beats;
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

/** A Lambda context good enough for middy and Powertools. */
export function lambdaContext(functionName: string, memoryMb: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-central-1:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

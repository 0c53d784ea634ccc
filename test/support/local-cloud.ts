/**
 * The local cloud from tests. The jest global setup starts one for the whole run (a child
 * process running local/main.ts with real ESM, so jest never loads the cloud's ESM-only
 * dependencies) and puts its cloud.json path into UCX_CLOUD_JSON; `cloud()` reads it.
 * `startCloudProcess` starts another one (e.g. to test a restart) and `tokenFor` signs local
 * tokens like Cognito's without jose (node:crypto only). Tests of time: `withOwnCloud()` gives the
 * file a cloud of its own, `advanceClock(days)` moves its clock and agents keep signing on it.
 */
import { spawn } from 'node:child_process';
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudInfo } from '#local/cloud';
import { findRepoRoot } from '#local/repo-root';

export type { CloudInfo };

let cached: CloudInfo | undefined;
/** set by `withOwnCloud()` while its cloud runs: every helper then talks to that one */
let own: CloudProcess | undefined;

/** The test file's local cloud: its own (`withOwnCloud()`), else the run's, as written to its cloud.json. */
export function cloud(): CloudInfo {
  return own?.info ?? runCloud();
}

/** The run's local cloud, started by the jest global setup and shared by every test file. */
export function runCloud(): CloudInfo {
  const file = process.env['UCX_CLOUD_JSON'];
  if (!file)
    throw new Error(
      'UCX_CLOUD_JSON is not set: the jest global setup starts the local cloud only when test/integration files are selected',
    );
  cached ??= JSON.parse(readFileSync(file, 'utf8')) as CloudInfo;
  return cached;
}

export interface TokenClaims {
  readonly sub?: string;
  /** Cognito groups: backoffice, support, reseller, customer */
  readonly groups: readonly string[];
  readonly accountId?: string;
  readonly resellerId?: string;
  /** extra or overriding claims (e.g. `exp`, `aud`) */
  readonly extra?: Record<string, unknown>;
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** A token of the local issuer (the same claims as local/auth.ts issueLocalToken). */
export function tokenFor(claims: TokenClaims, info: Pick<CloudInfo, 'issuer'> = cloud(), ttlSeconds = 3600): string {
  const jwk = JSON.parse(readFileSync(info.issuer.keyFile, 'utf8')) as { kid?: string };
  // The cloud judges `exp` by its own clock, which a test may have moved.
  const now = Math.floor(('regions' in info ? cloudNow(info as CloudInfo) : new Date()).getTime() / 1000);
  const header = { alg: 'ES256', kid: jwk.kid, typ: 'JWT' };
  const payload = {
    sub: claims.sub ?? `test-${randomUUID()}`,
    iss: info.issuer.iss,
    aud: info.issuer.aud,
    iat: now,
    exp: now + ttlSeconds,
    token_use: 'id',
    'cognito:groups': [...claims.groups],
    ...(claims.accountId !== undefined && { 'custom:accountId': claims.accountId }),
    ...(claims.resellerId !== undefined && { 'custom:resellerId': claims.resellerId }),
    ...claims.extra,
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const key = createPrivateKey({ key: jwk as never, format: 'jwk' });
  const signature = sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${base64url(signature)}`;
}

export interface CloudProcessOptions {
  readonly dataDir: string;
  readonly fresh?: boolean;
  /** reuse a synthesized assembly as it is (e.g. `cloud().assemblyDir`): no synth */
  readonly assemblyDir?: string;
  /** synthesize here, skipping the synth when the app's inputs are unchanged */
  readonly cdkOutDir?: string;
  /** @default 'skip' */
  readonly seed?: 'strict' | 'report' | 'skip';
  /** @default 120 s */
  readonly startTimeoutMs?: number;
  /** more flags for local/main.ts (e.g. a short Kinesis batching window) */
  readonly extraArgs?: readonly string[];
  /** also written here as printed: the run's shared cloud, whose output lives in jest's main process */
  readonly logFile?: string;
}

export interface CloudProcess {
  readonly info: CloudInfo;
  readonly cloudJson: string;
  /** the local/main.ts process (a test may SIGKILL it) */
  readonly pid: number;
  /** what the process printed, for failure messages */
  readonly output: () => string;
  stop(): Promise<void>;
}

/** Starts `local/main.ts` on free ports; it exits when stopped or when this process goes. */
export async function startCloudProcess(options: CloudProcessOptions): Promise<CloudProcess> {
  const repoRoot = findRepoRoot();
  const args = [
    '--import',
    'tsx',
    join(repoRoot, 'local', 'main.ts'),
    '--quiet',
    '--exit-with-stdin',
    '--data-dir',
    options.dataDir,
    '--eu-port',
    '0',
    '--us-port',
    '0',
    '--dynamodb-port',
    '0',
    '--kinesis-port',
    '0',
    '--s3-port',
    '0',
    '--seed',
    options.seed ?? 'skip',
  ];
  if (options.fresh) args.push('--fresh');
  if (options.assemblyDir) args.push('--assembly', options.assemblyDir);
  if (options.cdkOutDir) args.push('--cdk-out', options.cdkOutDir);
  if (options.extraArgs) args.push(...options.extraArgs);
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  if (options.logFile) {
    const log = createWriteStream(options.logFile, { flags: 'a' });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.once('exit', () => log.end());
  }
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));

  const cloudJson = await new Promise<string>((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`local cloud not ready in ${options.startTimeoutMs ?? 120_000} ms:\n${output}`)),
      options.startTimeoutMs ?? 120_000,
    );
    const onData = () => {
      const ready = /^UCX_LOCAL_CLOUD_READY (.+)$/m.exec(output);
      if (ready?.[1]) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        done(ready[1]);
      }
    };
    child.stdout.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      // local/main.ts names the cause (e.g. a missing Java): that alone, not the whole output.
      const cause = /\[local\] START FAILED: (.*)$/s.exec(output)?.[1]?.trim();
      fail(
        new Error(
          cause
            ? `local cloud could not start: ${cause}`
            : `local cloud exited (${code}) before it was ready:\n${output}`,
        ),
      );
    });
  });
  return {
    info: JSON.parse(readFileSync(cloudJson, 'utf8')) as CloudInfo,
    cloudJson,
    pid: child.pid!,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The flags the global setup starts its cloud with: stream consumers at test pace. */
const testPaceArgs = ['--max-batching-window', '1', '--retry-delay-ms', '20', '--poll-ms', '100'] as const;

export interface OwnCloud {
  /** the running cloud's cloud.json (new ports after a restart) */
  readonly info: CloudInfo;
  readonly process: CloudProcess;
  /** stops it and starts it again on the same data dir (`fresh`: wiped, the clock at real time) */
  restart(options?: { readonly fresh?: boolean }): Promise<void>;
}

/**
 * A local cloud of the test file's own, started before its tests (fresh, on the run's assembly,
 * stream consumers at test pace, no demo seed) and stopped after them. While it runs, `cloud()`,
 * and so every helper built on it (`api()`, `tokenFor`, `newAccount`…), means this one. For tests
 * that move the clock: the run's cloud is shared by every test file, whose keys and licences would
 * expire under them.
 */
export function withOwnCloud(
  options: {
    /** @default the run's assembly (`runCloud().assemblyDir`) */
    readonly assemblyDir?: string;
    readonly startTimeoutMs?: number;
  } = {},
): OwnCloud {
  const dataDir = mkdtempSync(join(tmpdir(), 'ucx-own-cloud-'));
  let running: CloudProcess | undefined;
  const start = async (fresh: boolean) => {
    running = await startCloudProcess({
      dataDir,
      fresh,
      assemblyDir: options.assemblyDir ?? runCloud().assemblyDir,
      extraArgs: testPaceArgs,
      ...(options.startTimeoutMs !== undefined && { startTimeoutMs: options.startTimeoutMs }),
    });
    own = running;
    await syncClock(running.info);
  };
  beforeAll(() => start(true), (options.startTimeoutMs ?? 120_000) + 10_000);
  afterAll(async () => {
    own = undefined;
    await running?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);
  const current = () => {
    if (!running) throw new Error('withOwnCloud: its cloud runs only between beforeAll and afterAll');
    return running;
  };
  return {
    get info() {
      return current().info;
    },
    get process() {
      return current();
    },
    async restart(restartOptions = {}) {
      await current().stop();
      await start(restartOptions.fresh ?? false);
    },
  };
}

/** `GET /local/clock`: the cloud's time and how far it is ahead of real time. */
export interface ClockReading {
  readonly now: string;
  readonly offsetSeconds: number;
}

/** What `POST /local/clock` answers: the new reading and the schedules that came due and ran. */
export interface ClockAdvance extends ClockReading {
  readonly schedulesRun: readonly {
    readonly region: 'eu' | 'us';
    readonly schedule: string;
    readonly function: string;
    readonly startedAt: string;
    readonly result?: unknown;
    readonly error?: { readonly errorType: string; readonly errorMessage: string };
  }[];
}

/** The clock offset (ms) last seen per API origin, read by the test agents when they sign. */
const clockOffsets = new Map<string, number>();

const remember = (info: Pick<CloudInfo, 'regions'>, offsetSeconds: number) => {
  for (const region of Object.values(info.regions)) clockOffsets.set(new URL(region.api).origin, offsetSeconds * 1000);
};

/** How far the clock of the cloud serving `url` is ahead, as last read or moved by these helpers. */
export function knownClockOffsetMs(url: string): number {
  return clockOffsets.get(new URL(url).origin) ?? 0;
}

/** The cloud's time as these helpers know it (real time plus its known offset). */
export function cloudNow(info: Pick<CloudInfo, 'regions'> = cloud()): Date {
  return new Date(Date.now() + knownClockOffsetMs(info.regions.eu.api));
}

/** Reads the cloud's clock and remembers its offset (for a cloud whose clock someone else moved). */
export async function syncClock(info: Pick<CloudInfo, 'regions'> = cloud()): Promise<ClockReading> {
  const res = await fetch(`${info.regions.eu.api}/local/clock`);
  if (res.status !== 200) throw new Error(`GET /local/clock: ${res.status} ${await res.text()}`);
  const reading = (await res.json()) as ClockReading;
  remember(info, reading.offsetSeconds);
  return reading;
}

/**
 * Moves the cloud's clock forward (both regions) and waits for the schedules that came due;
 * test agents then sign on the moved clock. Refuses the run's shared cloud: use `withOwnCloud()`.
 */
export async function advanceClock(
  by: number | { readonly days?: number; readonly seconds?: number },
  info: Pick<CloudInfo, 'regions'> = cloud(),
): Promise<ClockAdvance> {
  if (process.env['UCX_CLOUD_JSON'] && info.regions.eu.api === runCloud().regions.eu.api)
    throw new Error("advanceClock: the run's cloud is shared by every test file; move the clock of withOwnCloud()");
  const { days = 0, seconds = 0 } = typeof by === 'number' ? { days: by } : by;
  const res = await fetch(`${info.regions.eu.api}/local/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceSeconds: Math.round(days * 86_400 + seconds) }),
  });
  if (res.status !== 200) throw new Error(`POST /local/clock: ${res.status} ${await res.text()}`);
  const moved = (await res.json()) as ClockAdvance;
  remember(info, moved.offsetSeconds);
  return moved;
}

/**
 * The last `lines` of what the cloud `cloud()` answers for printed: a file's own (withOwnCloud),
 * else the run's (UCX_CLOUD_LOG, written by whoever started it). For a failed test's message.
 */
export function cloudOutputTail(lines = 60): string | undefined {
  const logFile = process.env['UCX_CLOUD_LOG'];
  const output = own?.output() ?? (logFile && existsSync(logFile) ? readFileSync(logFile, 'utf8') : undefined);
  return output?.trimEnd().split('\n').slice(-lines).join('\n');
}

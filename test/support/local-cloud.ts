/**
 * The local cloud from tests. The jest global setup starts one for the whole run (a child
 * process running local/main.ts with real ESM, so jest never loads the cloud's ESM-only
 * dependencies) and puts its cloud.json path into UCX_CLOUD_JSON; `cloud()` reads it.
 * `startCloudProcess` starts another one (e.g. to test a restart) and `tokenFor` signs local
 * tokens like Cognito's without jose (node:crypto only).
 */
import { spawn } from 'node:child_process';
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudInfo } from '#local/cloud';
import { findRepoRoot } from '#local/repo-root';

export type { CloudInfo };

let cached: CloudInfo | undefined;

/** The run's local cloud, as written to its cloud.json. */
export function cloud(): CloudInfo {
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
  const now = Math.floor(Date.now() / 1000);
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
}

export interface CloudProcess {
  readonly info: CloudInfo;
  readonly cloudJson: string;
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

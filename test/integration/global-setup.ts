/**
 * Starts ONE local cloud for the whole jest run, on free ports with a fresh temp data dir, when
 * at least one selected test file lives under test/integration (so `npx jest test/unit` stays
 * instant). Workers inherit UCX_CLOUD_JSON, set here.
 */
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCloudProcess, type CloudProcess } from '#test/support/local-cloud';

interface GlobalConfigLike {
  readonly rootDir?: string;
  readonly testPathPatterns?: { readonly patterns?: readonly string[] };
  readonly listTests?: boolean;
}

function integrationTestFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return integrationTestFiles(path);
    return entry.endsWith('.test.ts') ? [path] : [];
  });
}

/** True when the run's path patterns (none means every file) select an integration test. */
export function selectsIntegrationTests(config: GlobalConfigLike, repoRoot: string): boolean {
  if (config.listTests) return false;
  const files = integrationTestFiles(join(repoRoot, 'test', 'integration'));
  const patterns = config.testPathPatterns?.patterns ?? [];
  if (patterns.length === 0) return files.length > 0;
  return files.some((file) => patterns.some((pattern) => new RegExp(pattern, 'i').test(file)));
}

export default async function globalSetup(globalConfig: GlobalConfigLike): Promise<void> {
  const repoRoot = globalConfig.rootDir ?? process.cwd();
  if (!selectsIntegrationTests(globalConfig, repoRoot)) return;
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'ucx-local-test-'));
  const logFile = join(dataDir, 'cloud.log');
  // The assembly is cached beside the developer's (not in the temp dir), so a second run with
  // unchanged sources skips the synth.
  // Stream consumers run at test pace: a 1 s batching window (the templates' is 60 s) and short
  // retry delays, so archive and rules results show up within seconds.
  const cloud: CloudProcess = await startCloudProcess({
    dataDir,
    fresh: true,
    seed: 'report',
    cdkOutDir: join(repoRoot, '.local', 'test-cdk.out'),
    extraArgs: ['--max-batching-window', '1', '--retry-delay-ms', '20', '--poll-ms', '100'],
    logFile,
  });
  process.env['UCX_CLOUD_JSON'] = cloud.cloudJson;
  // the workers print its last lines when an e2e test fails (test/e2e/support/browser.ts)
  process.env['UCX_CLOUD_LOG'] = logFile;
  (globalThis as { __ucxLocalCloud?: { cloud: CloudProcess; dataDir: string } }).__ucxLocalCloud = { cloud, dataDir };
  process.stdout.write(
    `\nlocal cloud for integration tests ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${cloud.cloudJson}\n`,
  );
}

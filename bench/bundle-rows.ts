/**
 * Lambda bundles: each function asset's `index.mjs` from the synthesized assembly (size), and its
 * module init time (first `import()` in a fresh node process, median of N, alternating) against a
 * baseline bundle built here with the house function's esbuild settings that holds only the same
 * AWS SDK clients, constructed. Also the bundle's composition by package (esbuild metafile).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import type { Row } from './stats';
import { median } from './stats';

/** The house function's bundling (lib/constructs/house-function.ts), as esbuild options. */
export const houseEsbuild: esbuild.BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  logLevel: 'error',
};

const CLIENTS: Record<string, { cls: string; from: string }> = {
  '@aws-sdk/client-dynamodb': { cls: 'DynamoDBClient', from: '@aws-sdk/client-dynamodb' },
  '@aws-sdk/client-kms': { cls: 'KMSClient', from: '@aws-sdk/client-kms' },
  '@aws-sdk/client-kinesis': { cls: 'KinesisClient', from: '@aws-sdk/client-kinesis' },
  '@aws-sdk/client-s3': { cls: 'S3Client', from: '@aws-sdk/client-s3' },
  '@aws-sdk/client-eventbridge': { cls: 'EventBridgeClient', from: '@aws-sdk/client-eventbridge' },
};

export interface BundleMeasure {
  entry: string;
  bytes: number;
  initMs: number;
  baselineBytes: number;
  baselineInitMs: number;
  initRatio: number;
  clients: string[];
  memoryMb: number;
}

export interface FunctionAsset {
  entry: string;
  assetDir: string;
  memoryMb: number;
  environment: Record<string, string>;
}

/** The EU stateless stack's functions with their entry (from the description `UCX <entry>`). */
export function functionAssets(assemblyDir: string): FunctionAsset[] {
  const manifest = JSON.parse(readFileSync(join(assemblyDir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const stack = Object.entries(manifest.artifacts).find(
    ([name, a]) => a.type === 'aws:cloudformation:stack' && /eu-stateless$/.test(name),
  );
  if (!stack) throw new Error(`${assemblyDir}: no EU stateless stack`);
  const template = JSON.parse(readFileSync(join(assemblyDir, stack[1].properties!.templateFile!), 'utf8')) as {
    Resources: Record<
      string,
      {
        Type: string;
        Metadata?: Record<string, string>;
        Properties: {
          Code?: { S3Key?: string };
          Description?: string;
          MemorySize?: number;
          Environment?: { Variables?: Record<string, unknown> };
        };
      }
    >;
  };
  return Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description?.startsWith('UCX '))
    .map((r) => ({
      entry: r.Properties.Description!.slice(4),
      // The asset path metadata is there unless the synth disabled it; the S3 key names the asset's hash either way.
      assetDir: join(
        assemblyDir,
        r.Metadata?.['aws:asset:path'] ?? `asset.${r.Properties.Code!.S3Key!.replace(/\.zip$/, '')}`,
      ),
      memoryMb: r.Properties.MemorySize ?? 128,
      environment: Object.fromEntries(
        Object.entries(r.Properties.Environment?.Variables ?? {}).map(([k, v]) => [
          k,
          typeof v === 'string' ? v : 'placeholder',
        ]),
      ),
    }));
}

/** Bytes per package in an esbuild bundle of a handler (what a bundle is made of). */
export async function composition(
  repoRoot: string,
  entry: string,
  extra: esbuild.BuildOptions = {},
): Promise<{ total: number; packages: Record<string, number> }> {
  const result = await esbuild.build({
    ...houseEsbuild,
    ...extra,
    sourcemap: false,
    entryPoints: [resolve(repoRoot, 'lambdas/handlers', `${entry}.ts`)],
    outfile: '/dev/null/index.mjs',
    write: false,
    metafile: true,
  });
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint)!;
  const packages: Record<string, number> = {};
  for (const [file, input] of Object.entries(output.inputs)) {
    const match = file.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/g);
    const name = match ? match[match.length - 1]!.replace('node_modules/', '') : file.split('/').slice(0, 2).join('/');
    packages[name] = (packages[name] ?? 0) + input.bytesInOutput;
  }
  return { total: output.bytes, packages };
}

async function baselineBundle(dir: string, clients: string[], repoRoot: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const lines = clients.map((c, i) => `import { ${CLIENTS[c]!.cls} as C${i} } from '${CLIENTS[c]!.from}';`);
  const body = clients.map((_, i) => `new C${i}({});`);
  const src = join(dir, 'entry.mjs');
  writeFileSync(
    src,
    `${lines.join('\n')}\n${body.join('\n')}\nexport const handler = async () => ({ statusCode: 204 });\n`,
  );
  const outfile = join(dir, 'index.mjs');
  await esbuild.build({ ...houseEsbuild, entryPoints: [src], outfile, nodePaths: [join(repoRoot, 'node_modules')] });
  return outfile;
}

function initTime(file: string, env: Record<string, string>, probe: string): number {
  const out = execFileSync(process.execPath, ['--enable-source-maps', probe, file], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return Number(out.trim().split('\n').pop());
}

export async function measureBundles(opts: {
  repoRoot: string;
  assemblyDir: string;
  workDir: string;
  samples: number;
  log: (line: string) => void;
}): Promise<{
  bundles: BundleMeasure[];
  composition: Record<string, { total: number; packages: Record<string, number> }>;
}> {
  const probe = resolve(opts.repoRoot, 'bench/init-probe.mjs');
  const assets = functionAssets(opts.assemblyDir);
  const bundles: BundleMeasure[] = [];
  const compositions: Record<string, { total: number; packages: Record<string, number> }> = {};
  const baselines = new Map<string, string>();
  for (const asset of assets) {
    const file = join(asset.assetDir, 'index.mjs');
    const comp = await composition(opts.repoRoot, asset.entry);
    compositions[asset.entry] = comp;
    const clients = Object.keys(CLIENTS).filter((c) => comp.packages[c] !== undefined);
    const key = clients.join('+') || 'none';
    let baseline = baselines.get(key);
    if (!baseline) {
      baseline = await baselineBundle(
        join(opts.workDir, `baseline-${key.replace(/[@/+]/g, '_')}`),
        clients,
        opts.repoRoot,
      );
      baselines.set(key, baseline);
    }
    const env = {
      ...asset.environment,
      AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_LAMBDA_FUNCTION_NAME: asset.entry,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(asset.memoryMb),
      NODE_OPTIONS: '',
    };
    const own: number[] = [];
    const base: number[] = [];
    initTime(file, env, probe); // warm the file cache
    initTime(baseline, env, probe);
    for (let i = 0; i < opts.samples; i++) {
      own.push(initTime(file, env, probe));
      base.push(initTime(baseline, env, probe));
    }
    const m: BundleMeasure = {
      entry: asset.entry,
      bytes: statSync(file).size,
      initMs: median(own),
      baselineBytes: statSync(baseline).size,
      baselineInitMs: median(base),
      initRatio: median(own) / median(base),
      clients,
      memoryMb: asset.memoryMb,
    };
    opts.log(
      `bundle ${m.entry}: ${(m.bytes / 1024).toFixed(0)} KB, init ${m.initMs.toFixed(1)} ms vs ${m.baselineInitMs.toFixed(1)} ms (${clients.join(', ') || 'no SDK'})`,
    );
    bundles.push(m);
  }
  return { bundles, composition: compositions };
}

export function bundleRows(bundles: readonly BundleMeasure[]): Row[] {
  return bundles.flatMap((b): Row[] => {
    // Without an SDK client there is no SDK-only bundle to compare with: size judged as is.
    if (b.clients.length === 0)
      return [
        {
          name: `bundle ${b.entry}: size (no SDK client)`,
          value: b.bytes / 1024,
          unit: ' KB',
          goal: { op: '<=', value: 300, unit: ' KB' },
          detail: `init ${b.initMs.toFixed(1)} ms`,
        },
      ];
    return [
      {
        name: `bundle ${b.entry}: size ÷ SDK-only`,
        value: b.bytes / b.baselineBytes,
        unit: '×',
        goal: { op: '<=', value: 1.3, unit: '×' },
        detail: `${(b.bytes / 1024).toFixed(0)} KB, SDK-only baseline ${(b.baselineBytes / 1024).toFixed(0)} KB (${b.clients.map((c) => c.replace('@aws-sdk/client-', '')).join(', ')})`,
      },
      {
        name: `bundle ${b.entry}: init ÷ SDK-only`,
        value: b.initRatio,
        unit: '×',
        goal: { op: '<=', value: 1.3, unit: '×' },
        detail: `init ${b.initMs.toFixed(1)} ms vs ${b.baselineInitMs.toFixed(1)} ms`,
      },
    ];
  });
}

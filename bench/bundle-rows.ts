/**
 * Lambda bundles: each function asset's `index.mjs` from the synthesized assembly (size), and its
 * module init time (first `import()` in a fresh node process, median of N, alternating) against a
 * baseline bundle built here that holds only the same AWS SDK clients, constructed: the SDK as it
 * bundles by default (the goal's ratio), and as the house bundles it, its default credential chain
 * replaced by the environment provider (a detail: what the function adds to the SDK it ships).
 * Also the bundle's composition by package (esbuild metafile), resolved as the asset was.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { houseAliases, untracedConditions, withoutXraySdk } from '../lib/constructs/house-function';
import { type FunctionSpec, functionSpecs } from '../lib/routes';
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

/** What the house adds to those options for every function: the SDK's credential chain replaced. */
const houseSdkAlias: esbuild.BuildOptions = { alias: { ...houseAliases } };

/** The options an asset of this entry was built with: the untraced condition unless 'active'. */
function assetOptions(entry: string): esbuild.BuildOptions {
  const spec = Object.values(functionSpecs as Record<string, FunctionSpec>).find((s) => s.entry === entry);
  return {
    ...houseSdkAlias,
    ...(withoutXraySdk(spec?.tracing) ? { conditions: [...untracedConditions] } : {}),
  };
}

const CLIENTS: Record<string, { cls: string; from: string }> = {
  '@aws-sdk/client-dynamodb': { cls: 'DynamoDBClient', from: '@aws-sdk/client-dynamodb' },
  '@aws-sdk/client-kms': { cls: 'KMSClient', from: '@aws-sdk/client-kms' },
  '@aws-sdk/client-kinesis': { cls: 'KinesisClient', from: '@aws-sdk/client-kinesis' },
  '@aws-sdk/client-s3': { cls: 'S3Client', from: '@aws-sdk/client-s3' },
  '@aws-sdk/client-eventbridge': { cls: 'EventBridgeClient', from: '@aws-sdk/client-eventbridge' },
  '@aws-sdk/client-athena': { cls: 'AthenaClient', from: '@aws-sdk/client-athena' },
  '@aws-sdk/client-cognito-identity-provider': {
    cls: 'CognitoIdentityProviderClient',
    from: '@aws-sdk/client-cognito-identity-provider',
  },
  '@aws-sdk/client-sqs': { cls: 'SQSClient', from: '@aws-sdk/client-sqs' },
  '@aws-sdk/client-secrets-manager': { cls: 'SecretsManagerClient', from: '@aws-sdk/client-secrets-manager' },
  '@aws-sdk/client-apigatewaymanagementapi': {
    cls: 'ApiGatewayManagementApiClient',
    from: '@aws-sdk/client-apigatewaymanagementapi',
  },
  '@aws-sdk/client-sesv2': { cls: 'SESv2Client', from: '@aws-sdk/client-sesv2' },
};

/** The goal of both ratios (size and init) to the SDK-only bundle. */
export const BUNDLE_RATIO_GOAL = 1.3;
/** An init ratio this near the goal after the first rounds gets as many again and more (its rows flip with noise). */
const NEAR_GOAL = 0.1;

/** Whether the init ratio after `rounds` rounds is too near the goal to judge on them alone. */
export function needsMoreRounds(initRatio: number, rounds: number, firstRounds: number): boolean {
  return rounds === firstRounds && Math.abs(initRatio - BUNDLE_RATIO_GOAL) <= NEAR_GOAL;
}

export interface BundleMeasure {
  entry: string;
  bytes: number;
  initMs: number;
  baselineBytes: number;
  baselineInitMs: number;
  initRatio: number;
  /** the same clients as the house bundles them (its credential chain replaced) */
  houseSdkBytes: number;
  houseSdkInitMs: number;
  clients: string[];
  memoryMb: number;
  /** import rounds the init ratio was judged on: more when the first ones left it near the goal */
  rounds?: number;
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

async function baselineBundle(
  dir: string,
  clients: string[],
  repoRoot: string,
  extra: esbuild.BuildOptions = {},
): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const lines = clients.map((c, i) => `import { ${CLIENTS[c]!.cls} as C${i} } from '${CLIENTS[c]!.from}';`);
  const body = clients.map((_, i) => `new C${i}({});`);
  const src = join(dir, 'entry.mjs');
  writeFileSync(
    src,
    `${lines.join('\n')}\n${body.join('\n')}\nexport const handler = async () => ({ statusCode: 204 });\n`,
  );
  const outfile = join(dir, 'index.mjs');
  await esbuild.build({
    ...houseEsbuild,
    ...extra,
    entryPoints: [src],
    outfile,
    nodePaths: [join(repoRoot, 'node_modules')],
  });
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
  const baselines = new Map<string, { sdk: string; house: string }>();
  for (const asset of assets) {
    const file = join(asset.assetDir, 'index.mjs');
    const comp = await composition(opts.repoRoot, asset.entry, assetOptions(asset.entry));
    compositions[asset.entry] = comp;
    // every SDK client the function bundles is in its baseline: an unknown one stops the row
    const unknown = Object.keys(comp.packages).filter((p) => p.startsWith('@aws-sdk/client-') && !CLIENTS[p]);
    if (unknown.length > 0) throw new Error(`${asset.entry}: no baseline for ${unknown.join(', ')} (CLIENTS)`);
    const clients = Object.keys(CLIENTS).filter((c) => comp.packages[c] !== undefined);
    const key = clients.join('+') || 'none';
    let baseline = baselines.get(key);
    if (!baseline) {
      const dir = join(opts.workDir, `baseline-${key.replace(/[@/+]/g, '_')}`);
      baseline = {
        sdk: await baselineBundle(dir, clients, opts.repoRoot),
        house: await baselineBundle(`${dir}-house`, clients, opts.repoRoot, houseSdkAlias),
      };
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
    const house: number[] = [];
    initTime(file, env, probe); // warm the file cache
    initTime(baseline.sdk, env, probe);
    initTime(baseline.house, env, probe);
    const rounds = (n: number) => {
      for (let i = 0; i < n; i++) {
        // each round in the other order, so neither side always runs first after the other's exit
        if (own.length % 2 === 0) {
          own.push(initTime(file, env, probe));
          base.push(initTime(baseline.sdk, env, probe));
        } else {
          base.push(initTime(baseline.sdk, env, probe));
          own.push(initTime(file, env, probe));
        }
        house.push(initTime(baseline.house, env, probe));
      }
    };
    // the median of each round's ratio: a round's two imports share the machine's moment
    const initRatio = () => median(own.map((ms, i) => ms / base[i]!));
    rounds(opts.samples);
    if (needsMoreRounds(initRatio(), own.length, opts.samples)) rounds(opts.samples + 3);
    const m: BundleMeasure = {
      entry: asset.entry,
      bytes: statSync(file).size,
      initMs: median(own),
      baselineBytes: statSync(baseline.sdk).size,
      baselineInitMs: median(base),
      initRatio: initRatio(),
      houseSdkBytes: statSync(baseline.house).size,
      houseSdkInitMs: median(house),
      clients,
      memoryMb: asset.memoryMb,
      rounds: own.length,
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
        goal: { op: '<=', value: BUNDLE_RATIO_GOAL, unit: '×' },
        detail:
          `${(b.bytes / 1024).toFixed(0)} KB, SDK-only baseline ${(b.baselineBytes / 1024).toFixed(0)} KB (${b.clients.map((c) => c.replace('@aws-sdk/client-', '')).join(', ')}); ` +
          `the SDK as the house bundles it ${(b.houseSdkBytes / 1024).toFixed(0)} KB: ${(b.bytes / b.houseSdkBytes).toFixed(2)}×`,
      },
      {
        name: `bundle ${b.entry}: init ÷ SDK-only`,
        value: b.initRatio,
        unit: '×',
        goal: { op: '<=', value: BUNDLE_RATIO_GOAL, unit: '×' },
        detail: `init ${b.initMs.toFixed(1)} ms vs ${b.baselineInitMs.toFixed(1)} ms${b.rounds ? `, ${b.rounds} rounds` : ''}; the SDK as the house bundles it ${b.houseSdkInitMs.toFixed(1)} ms: ${(b.initMs / b.houseSdkInitMs).toFixed(2)}×`,
      },
    ];
  });
}

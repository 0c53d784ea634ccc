/**
 * The architecture's layer rules (.dependency-cruiser.cjs) hold on the real tree, and each rule
 * fails when its violation is planted in a small tree laid out like the repository.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as z from 'zod';
import { findRepoRoot } from '#local/repo-root';

const root = findRepoRoot();
const config = join(root, '.dependency-cruiser.cjs');
const depcruise = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

const cruiseResultSchema = z.object({
  modules: z.array(z.object({ source: z.string() })),
  summary: z.object({
    violations: z.array(
      z.object({
        from: z.string(),
        to: z.string(),
        rule: z.object({ name: z.string() }),
        via: z.array(z.object({ name: z.string() })).optional(),
        cycle: z.array(z.object({ name: z.string() })).optional(),
      }),
    ),
    ruleSetUsed: z.object({ forbidden: z.array(z.object({ name: z.string() })) }),
  }),
});
type CruiseResult = z.infer<typeof cruiseResultSchema>;

/** Runs the depcruise CLI (dependency-cruiser is ESM-only; jest runs CommonJS) from `cwd` over `.`. */
function cruise(cwd: string): CruiseResult {
  const run = spawnSync(process.execPath, [depcruise, '--config', config, '--output-type', 'json', '.'], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  if (!run.stdout) throw new Error(`depcruise wrote no result (exit ${run.status}): ${run.stderr}`);
  return cruiseResultSchema.parse(JSON.parse(run.stdout));
}

/** One line per violation, as a developer fixes it: `from → to (rule)`, with the cycle or the path a reachability rule found. */
function violationLines(result: CruiseResult): string[] {
  return result.summary.violations
    .map(({ from, to, rule, via, cycle }) => {
      const line = `${from} → ${to} (${rule.name})`;
      if (cycle) return `${line} cycle ${[from, ...cycle.map(({ name }) => name)].join(' → ')}`;
      if (via && via.length > 1) return `${line} via ${via.map(({ name }) => name).join(' → ')}`;
      return line;
    })
    .sort();
}

describe('layer rules on the repository', () => {
  it('finds no violation', () => {
    const result = cruise(root);

    const sources = result.modules.map(({ source }) => source);
    for (const folder of ['lambdas/core/', 'lambdas/handlers/', 'lambdas/adapters/', 'lib/', 'local/', 'agent/']) {
      expect(sources.some((source) => source.startsWith(folder))).toBe(true);
    }
    expect(violationLines(result)).toEqual([]);
  }, 120_000);
});

/** A module whose only content is an import of each specifier. */
const importing = (...specifiers: string[]) =>
  `${specifiers.map((specifier) => `import '${specifier}';\n`).join('')}export {};\n`;

/** A package of that name under the fixture's node_modules. */
const fakePackage = (name: string): Record<string, string> => ({
  [`node_modules/${name}/package.json`]: JSON.stringify({ name, main: 'index.js' }),
  [`node_modules/${name}/index.js`]: 'export {};\n',
});

describe('layer rules on a planted tree', () => {
  let fixture: string;
  let result: CruiseResult;

  const files: Record<string, string> = {
    'package.json': JSON.stringify({
      name: 'layers-fixture',
      type: 'module',
      imports: { '#lambdas/*': './lambdas/*.ts' },
    }),
    'tsconfig.json': JSON.stringify({
      compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true },
    }),
    ...fakePackage('@aws-sdk/client-dynamodb'),
    ...fakePackage('@aws-lambda-powertools/metrics'),
    ...fakePackage('zod'),

    // allowed: the domain uses zod and Node built-ins; shared uses Powertools; adapters use the SDK
    'lambdas/core/pure.ts': importing('node:crypto', 'zod'),
    'lambdas/core/telemetry/archive-row.ts': importing(),
    'lambdas/shared/metrics.ts': importing('@aws-lambda-powertools/metrics'),
    'lambdas/adapters/table.ts': importing('@aws-sdk/client-dynamodb'),
    'lambdas/handlers/clean.ts': importing('../core/pure'),
    'local/archive-reader.ts': importing('../lambdas/core/telemetry/archive-row'),

    // planted violations
    'lambdas/core/aws.ts': importing('@aws-sdk/client-dynamodb'),
    'lambdas/core/uses-shared.ts': importing('#lambdas/shared/metrics'),
    'lambdas/core/cycle-a.ts': importing('./cycle-b'),
    'lambdas/core/cycle-b.ts': importing('./cycle-a'),
    'lambdas/handlers/uses-adapter.ts': importing('../adapters/table'),
    'lambdas/handlers/uses-sdk.ts': importing('@aws-sdk/client-dynamodb'),
    'lambdas/shared/imports-handler.ts': importing('../handlers/clean'),
    'lambdas/shared/uses-test.ts': importing('../../test/support/helper'),
    'lambdas/shared/unresolved.ts': importing('./not-there'),
    'lambdas/adapters/uses-lib.ts': importing('../../lib/imports-handler'),
    'lib/imports-handler.ts': importing('../lambdas/handlers/clean'),
    'lib/reads-metrics.ts': importing('../lambdas/shared/metrics'),
    'agent/uses-adapter.ts': importing('../lambdas/adapters/table'),
    'portal/uses-sdk.ts': importing('@aws-sdk/client-dynamodb'),
    'local/seed.ts': importing('../lambdas/core/pure'),
    'test/support/helper.ts': importing(),
  };

  beforeAll(() => {
    fixture = mkdtempSync(join(tmpdir(), 'ucx-layers-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(fixture, path)), { recursive: true });
      writeFileSync(join(fixture, path), text);
    }
    result = cruise(fixture);
  }, 120_000);

  afterAll(() => rmSync(fixture, { recursive: true, force: true }));

  it('reports exactly the planted violations, each under its rule', () => {
    expect(violationLines(result)).toEqual([
      'agent/uses-adapter.ts → lambdas/adapters/table.ts (agent-portal-no-adapters)',
      'agent/uses-adapter.ts → node_modules/@aws-sdk/client-dynamodb/index.js (agent-portal-never-reach-lambda-runtime) via lambdas/adapters/table.ts → node_modules/@aws-sdk/client-dynamodb/index.js',
      'lambdas/adapters/uses-lib.ts → lib/imports-handler.ts (lambdas-bundle-only-lambdas)',
      'lambdas/core/aws.ts → node_modules/@aws-sdk/client-dynamodb/index.js (core-no-lambda-runtime)',
      'lambdas/core/cycle-a.ts → lambdas/core/cycle-b.ts (no-circular-in-lambdas) cycle lambdas/core/cycle-a.ts → lambdas/core/cycle-b.ts → lambdas/core/cycle-a.ts',
      'lambdas/core/uses-shared.ts → lambdas/shared/metrics.ts (core-imports-only-core)',
      'lambdas/handlers/uses-adapter.ts → lambdas/adapters/table.ts (handlers-no-adapters)',
      'lambdas/handlers/uses-sdk.ts → node_modules/@aws-sdk/client-dynamodb/index.js (handlers-no-aws-sdk)',
      'lambdas/shared/imports-handler.ts → lambdas/handlers/clean.ts (nothing-in-lambdas-imports-a-handler)',
      'lambdas/shared/unresolved.ts → ./not-there (not-to-unresolvable)',
      'lambdas/shared/uses-test.ts → test/support/helper.ts (production-not-to-test)',
      'lib/imports-handler.ts → lambdas/handlers/clean.ts (infra-no-handlers-or-adapters)',
      'lib/reads-metrics.ts → node_modules/@aws-lambda-powertools/metrics/index.js (infra-never-reaches-lambda-runtime) via lambdas/shared/metrics.ts → node_modules/@aws-lambda-powertools/metrics/index.js',
      'local/seed.ts → lambdas/core/pure.ts (local-runs-bundles)',
      'portal/uses-sdk.ts → node_modules/@aws-sdk/client-dynamodb/index.js (agent-portal-never-reach-lambda-runtime)',
    ]);
  });

  it('plants a violation of every rule of the configuration', () => {
    const planted = new Set(result.summary.violations.map(({ rule }) => rule.name));

    const rules = result.summary.ruleSetUsed.forbidden.map(({ name }) => name);

    expect(rules.filter((name) => !planted.has(name))).toEqual([]);
  });
});

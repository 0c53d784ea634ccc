/**
 * Import conventions that keep the Lambda bundles small: `import * as z from 'zod'` lets esbuild
 * tree-shake zod; the named `{ z }` import pulls in all of it, locales included (≈ 350 KB more).
 * Every handler's bundle carries zod/mini alone (docs/performance-and-cost.md), and the vendor
 * events' publisher only where the function may write an audit item (docs/events.md).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { untracedConditions } from '#lib/constructs/house-function';
import { type FunctionSpec, functionSpecs, mayWriteAuditItems } from '#lib/routes';

const root = join(__dirname, '../../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

// the house function's resolution: ESM entry points, and the untraced condition of every function
// not traced with 'active' (lib/routes.ts): one build of all handlers, shared by the tests below
const handlers = readdirSync(join(root, 'lambdas/handlers')).filter((name) => name.endsWith('.ts'));
let bundles: Promise<Metafile['outputs'][string][]> | undefined;
const handlerBundles = () =>
  (bundles ??= build({
    entryPoints: handlers.map((name) => join(root, 'lambdas/handlers', name)),
    bundle: true,
    platform: 'node',
    format: 'esm',
    mainFields: ['module', 'main'],
    conditions: [...untracedConditions],
    write: false,
    metafile: true,
    outdir: join(root, '.local/imports-test'),
    logLevel: 'silent',
  }).then((result) => Object.values(result.metafile.outputs).filter((output) => output.entryPoint)));

describe('lambda source imports', () => {
  const files = ['lambdas', 'agent/sdk'].flatMap((dir) => sourceFiles(join(root, dir)));

  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  // a locale is its own module: `z.locales.en()` would bundle every language (≈ 240 KB)
  it('imports zod only as a namespace (or as types, or one locale)', () => {
    const offenders = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${relative(root, file)}:${i + 1}` }))
        .filter(({ line }) => /^import\s+(?!type\b)(?!\*\s+as\s+\w+\s+from)[^;]*from\s+'zod(\/[^']*)?'/.test(line))
        .filter(({ line }) => !/^import \w+ from 'zod\/v4\/locales\/\w+\.js';$/.test(line))
        .map(({ at, line }) => `${at}: ${line.trim()}`),
    );
    expect(offenders).toEqual([]);
  });

  it('bundles every handler with zod/mini and none of classic zod', async () => {
    const outputs = await handlerBundles();

    const zodOf = (inputs: Record<string, { bytesInOutput: number }>) =>
      Object.entries(inputs)
        .filter(([path, input]) => path.includes('node_modules/zod/') && input.bytesInOutput > 0)
        .map(([path]) => path);
    expect(outputs).toHaveLength(handlers.length);
    const withClassic = outputs
      .filter((output) => zodOf(output.inputs).some((path) => path.includes('zod/v4/classic/')))
      .map((output) => relative(root, output.entryPoint!));
    // zod-openapi, which writes the OpenAPI document, is built on classic zod
    expect(withClassic).toEqual(['lambdas/handlers/openapi.ts']);
    const withoutMini = outputs
      .filter((output) => !zodOf(output.inputs).some((path) => path.includes('zod/v4/mini/')))
      .map((output) => relative(root, output.entryPoint!));
    expect(withoutMini).toEqual([]);
  }, 60_000);

  // Losing a vendor event silently is the failure that matters: every function that may write an
  // audit item (mayWriteAuditItems, lib/routes.ts: those the stack gives the vendor bus) must carry
  // the publisher; the others are spared its schemas and the EventBridge
  // client, but for those that still share a composition root with the audit writers
  // (licensing-deps.ts, user-directory.ts, machine-clients-deps.ts): a list that may only shrink.
  it('bundles the vendor events publisher in exactly the functions that may write an audit item', async () => {
    const publisher = 'lambdas/adapters/eventbridge-vendor-events.ts';
    const outputs = await handlerBundles();

    const bundling = new Set(
      outputs
        .filter((output) => (output.inputs[publisher]?.bytesInOutput ?? 0) > 0)
        .map((output) => relative(join(root, 'lambdas/handlers'), join(root, output.entryPoint!)).replace(/\.ts$/, '')),
    );
    const specs = Object.entries(functionSpecs as Record<string, FunctionSpec>).map(([name, spec]) => ({
      name,
      entry: spec.entry,
      writes: mayWriteAuditItems(spec),
    }));
    expect(specs.filter((spec) => spec.writes).length).toBeGreaterThan(10);
    expect(specs.filter((spec) => spec.writes && !bundling.has(spec.entry)).map((spec) => spec.name)).toEqual([]);
    expect(specs.filter((spec) => !spec.writes && bundling.has(spec.entry)).map((spec) => spec.name)).toEqual([
      'previewOrder',
      'listRecentOrders',
      'searchAccounts',
      'getAccount',
      'listResellerAccounts',
      'authorize',
      'listAuditEvents',
    ]);
    expect(specs.filter((spec) => !spec.writes && !bundling.has(spec.entry)).length).toBeGreaterThan(20);
  }, 60_000);
});

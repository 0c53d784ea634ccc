/**
 * Import conventions that keep the Lambda bundles small: `import * as z from 'zod'` lets esbuild
 * tree-shake zod; the named `{ z }` import pulls in all of it, locales included (≈ 350 KB more).
 * The hot paths' bundles carry zod/mini alone (docs/performance-and-cost.md).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { untracedCondition } from '#lib/constructs/house-function';

const root = join(__dirname, '../../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

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

  it.each(['get-license', 'ingest-telemetry', 'archive-telemetry'])(
    'bundles %s with zod/mini and none of classic zod',
    async (handler) => {
      // the house function's resolution: ESM entry points, and the untraced condition these three run with
      const result = await build({
        entryPoints: [join(root, `lambdas/handlers/${handler}.ts`)],
        bundle: true,
        platform: 'node',
        format: 'esm',
        mainFields: ['module', 'main'],
        conditions: [untracedCondition, 'module'],
        write: false,
        metafile: true,
        outdir: join(root, '.local/imports-test'),
        logLevel: 'silent',
      });
      const bundled = Object.entries(Object.values(result.metafile.outputs)[0]!.inputs)
        .filter(([path, input]) => path.includes('node_modules/zod/') && input.bytesInOutput > 0)
        .map(([path]) => path);
      expect(bundled.some((path) => path.includes('zod/v4/mini/'))).toBe(true);
      expect(bundled.filter((path) => path.includes('zod/v4/classic/'))).toEqual([]);
    },
    30_000,
  );
});

/**
 * Import conventions that keep the Lambda bundles small: `import * as z from 'zod'` lets esbuild
 * tree-shake zod; the named `{ z }` import pulls in all of it, locales included (≈ 350 KB more).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

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

  it('imports zod only as a namespace (or as types)', () => {
    const offenders = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${relative(root, file)}:${i + 1}` }))
        .filter(({ line }) => /^import\s+(?!type\b)(?!\*\s+as\s+\w+\s+from)[^;]*from\s+'zod(\/[^']*)?'/.test(line))
        .map(({ at, line }) => `${at}: ${line.trim()}`),
    );
    expect(offenders).toEqual([]);
  });
});

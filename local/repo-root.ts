/** Finds the repository root without import.meta, so that jest (CommonJS) can use it too. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The nearest directory upwards from `from` whose package.json is the ucx-cloud package. */
export function findRepoRoot(from = process.cwd()): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'ucx-cloud')
      return dir;
    if (dirname(dir) === dir) throw new Error(`no ucx-cloud package.json above ${from}`);
  }
}

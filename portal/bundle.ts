/**
 * The portal build, importable from jest and the CDK app alike (no import.meta, no top-level
 * await): `app.js` (esbuild, minified ESM, one bundle), `index.html` and `styles.css` copied.
 * `portal/build.ts` is its command line; the CDK app calls `buildPortalSync` from local bundling.
 */
import { build, buildSync, type BuildOptions } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { findRepoRoot } from '../local/repo-root';

export const portalDir = join(findRepoRoot(startDir()), 'portal');

function startDir(): string {
  // CommonJS (jest) has __dirname; ESM (tsx) starts from the working directory, inside the repo.
  return typeof __dirname === 'string' ? __dirname : process.cwd();
}

export interface PortalBuild {
  readonly outDir: string;
  /** app.js, gzipped */
  readonly jsGzipBytes: number;
}

const options = (outDir: string): BuildOptions => ({
  entryPoints: [join(portalDir, 'src', 'main.ts')],
  outfile: join(outDir, 'app.js'),
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  sourcemap: 'linked',
  logLevel: 'silent',
});

function finish(outDir: string): PortalBuild {
  for (const file of ['index.html', 'styles.css']) copyFileSync(join(portalDir, file), join(outDir, file));
  return { outDir, jsGzipBytes: gzipSync(readFileSync(join(outDir, 'app.js'))).length };
}

export async function buildPortal(outDir = join(portalDir, 'dist')): Promise<PortalBuild> {
  mkdirSync(outDir, { recursive: true });
  await build(options(outDir));
  return finish(outDir);
}

/** The same build, synchronously: for CDK's local asset bundling, which cannot await. */
export function buildPortalSync(outDir: string): PortalBuild {
  mkdirSync(outDir, { recursive: true });
  buildSync(options(outDir));
  return finish(outDir);
}

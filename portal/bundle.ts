/**
 * The portal build, importable from jest and the CDK app alike (no import.meta, no top-level
 * await): `app.js` (esbuild, minified ESM), the chunks it loads when needed under `chunks/` (uPlot,
 * on the first chart), `index.html`, `styles.css` and uPlot's stylesheet as `uplot.css` copied.
 * `portal/build.ts` is its command line; the CDK app calls `buildPortalSync` from local bundling.
 */
import { build, buildSync, type BuildOptions, type Metafile } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { findRepoRoot } from '../local/repo-root';

const repoRoot = findRepoRoot(startDir());
export const portalDir = join(repoRoot, 'portal');

function startDir(): string {
  // CommonJS (jest) has __dirname; ESM (tsx) starts from the working directory, inside the repo.
  return typeof __dirname === 'string' ? __dirname : process.cwd();
}

export interface PortalBuild {
  readonly outDir: string;
  /** app.js, gzipped: what every page loads */
  readonly jsGzipBytes: number;
  /** each chunk loaded when needed (`chunks/…js`), gzipped */
  readonly chunkGzipBytes: Readonly<Record<string, number>>;
}

const options = (outDir: string): BuildOptions => ({
  entryPoints: { app: join(portalDir, 'src', 'main.ts') },
  outdir: outDir,
  // A dynamic import() becomes a chunk of its own, fetched on first use (uPlot: only pages with charts).
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'silent',
});

const gzipBytes = (file: string) => gzipSync(readFileSync(file)).length;

/** `metafile`: the chunks of this build only (an earlier build's, under other hashes, may lie beside them). */
function finish(outDir: string, metafile: Metafile | undefined): PortalBuild {
  for (const file of ['index.html', 'styles.css']) copyFileSync(join(portalDir, file), join(outDir, file));
  copyFileSync(join(repoRoot, 'node_modules', 'uplot', 'dist', 'uPlot.min.css'), join(outDir, 'uplot.css'));
  const chunkGzipBytes: Record<string, number> = {};
  for (const output of Object.keys(metafile?.outputs ?? {})) {
    const file = relative(outDir, output).split('\\').join('/');
    if (file.startsWith('chunks/') && file.endsWith('.js')) chunkGzipBytes[file] = gzipBytes(join(outDir, file));
  }
  return { outDir, jsGzipBytes: gzipBytes(join(outDir, 'app.js')), chunkGzipBytes };
}

export async function buildPortal(outDir = join(portalDir, 'dist')): Promise<PortalBuild> {
  mkdirSync(outDir, { recursive: true });
  return finish(outDir, (await build(options(outDir))).metafile);
}

/** The same build, synchronously: for CDK's local asset bundling, which cannot await. */
export function buildPortalSync(outDir: string): PortalBuild {
  mkdirSync(outDir, { recursive: true });
  return finish(outDir, buildSync(options(outDir)).metafile);
}

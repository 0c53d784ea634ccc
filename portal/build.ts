/**
 * Builds the portal into `portal/dist`: `app.js` (esbuild, minified ESM, one bundle), `index.html`
 * and `styles.css` copied. `npx tsx portal/build.ts`; the local cloud calls `buildPortal` itself.
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const portalDir = dirname(fileURLToPath(import.meta.url));

export interface PortalBuild {
  readonly outDir: string;
  /** app.js, gzipped */
  readonly jsGzipBytes: number;
}

export async function buildPortal(outDir = join(portalDir, 'dist')): Promise<PortalBuild> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(portalDir, 'src', 'main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022'],
    sourcemap: 'linked',
    logLevel: 'silent',
  });
  for (const file of ['index.html', 'styles.css']) copyFileSync(join(portalDir, file), join(outDir, file));
  return { outDir, jsGzipBytes: gzipSync(readFileSync(join(outDir, 'app.js'))).length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { outDir, jsGzipBytes } = await buildPortal();
  process.stdout.write(`portal built into ${outDir}: app.js ${(jsGzipBytes / 1024).toFixed(1)} KB gzipped\n`);
}

/**
 * Builds the portal into `portal/dist` (portal/bundle.ts): `npx tsx portal/build.ts`; the local
 * cloud calls `buildPortal` itself, the CDK app `buildPortalSync` at synth time.
 */
import { fileURLToPath } from 'node:url';
import { buildPortal } from './bundle';

export { buildPortal, buildPortalSync, portalDir, type PortalBuild } from './bundle';

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { outDir, jsGzipBytes, chunkGzipBytes } = await buildPortal();
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const chunks = Object.entries(chunkGzipBytes).map(([file, bytes]) => `, ${file} ${kb(bytes)}`);
  process.stdout.write(`portal built into ${outDir} (gzipped): app.js ${kb(jsGzipBytes)}${chunks.join('')}\n`);
}

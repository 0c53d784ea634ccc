/**
 * Builds the portal into `portal/dist` (portal/bundle.ts): `npx tsx portal/build.ts`; the local
 * cloud calls `buildPortal` itself, the CDK app `buildPortalSync` at synth time.
 */
import { fileURLToPath } from 'node:url';
import { buildPortal } from './bundle';

export { buildPortal, buildPortalSync, portalDir, type PortalBuild } from './bundle';

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { outDir, jsGzipBytes } = await buildPortal();
  process.stdout.write(`portal built into ${outDir}: app.js ${(jsGzipBytes / 1024).toFixed(1)} KB gzipped\n`);
}

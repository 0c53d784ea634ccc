/** Stops the local cloud of the global setup and removes its temp data dir. */
import { rmSync } from 'node:fs';
import type { CloudProcess } from '#test/support/local-cloud';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as { __ucxLocalCloud?: { cloud: CloudProcess; dataDir: string } }).__ucxLocalCloud;
  if (!state) return;
  await state.cloud.stop();
  rmSync(state.dataDir, { recursive: true, force: true });
}

/** The installation's latest snapshot: the newest beat of each type (support and back office). */
import { assertRole, type Principal } from '../licensing/access';
import type { BeatType } from '../telemetry/catalogue';
import { readableInstallation } from './access';
import type { SupportDeps } from './ports';

export interface SnapshotView {
  installationId: string;
  beats: Partial<Record<BeatType, { beatId: string; collectedAt: string; data: unknown }>>;
}

export async function getInstallationSnapshot(
  deps: SupportDeps,
  principal: Principal,
  installationId: string,
): Promise<SnapshotView> {
  assertRole(principal, 'support', 'backoffice');
  const [, snapshots] = await Promise.all([
    readableInstallation(deps, principal, installationId),
    deps.store.snapshot(installationId),
  ]);
  const beats: SnapshotView['beats'] = {};
  for (const s of [...snapshots].sort((a, b) => (a.type < b.type ? -1 : 1))) {
    beats[s.type] = { beatId: s.beatId, collectedAt: s.collectedAt, data: s.data };
  }
  return { installationId, beats };
}

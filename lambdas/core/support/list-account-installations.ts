/**
 * An account's installations at a glance: last beat, Care and open findings of each, and active
 * installations that never sent a beat (lastBeatAt null). The account's own data, so its customer
 * and reseller read it too.
 */
import type { Principal } from '../licensing/access';
import { audienceOf, type Audience } from '../rules/engine';
import { severityRank } from '../rules/rule';
import { readableAccount } from './access';
import type { InstallationHealth, OpenFindingSummary, SupportDeps } from './ports';

export interface InstallationHealthView {
  installationId: string;
  lastBeatAt: string | null;
  careLevel: NonNullable<InstallationHealth['careLevel']> | null;
  /** who acts on its findings: proactive (Gold, Platinum), support (Basic), customer (no Care) */
  audience: Audience | null;
  /** most severe first */
  openFindings: OpenFindingSummary[];
}

const mostSevereFirst = (a: OpenFindingSummary, b: OpenFindingSummary) =>
  severityRank[b.severity] - severityRank[a.severity] || (a.openedAt < b.openedAt ? -1 : 1);

export function viewOf(health: InstallationHealth): InstallationHealthView {
  return {
    installationId: health.installationId,
    lastBeatAt: health.lastBeatAt ?? null,
    careLevel: health.careLevel ?? null,
    audience: health.careLevel ? audienceOf(health.careLevel) : null,
    openFindings: [...health.openFindings].sort(mostSevereFirst),
  };
}

export async function listAccountInstallations(
  deps: SupportDeps,
  principal: Principal,
  accountId: string,
): Promise<{ installations: InstallationHealthView[] }> {
  const account = await readableAccount(deps, principal, accountId);
  const reporting = await deps.store.installationsOfAccount(accountId);
  const known = new Set(reporting.map((h) => h.installationId));
  const neverReported = account.installations
    .filter((i) => i.status === 'active' && !known.has(i.installationId))
    .map((i): InstallationHealth => ({ installationId: i.installationId, accountId, openFindings: [] }));
  const installations = [...reporting, ...neverReported]
    .map(viewOf)
    .sort((a, b) => (a.installationId < b.installationId ? -1 : 1));
  return { installations };
}

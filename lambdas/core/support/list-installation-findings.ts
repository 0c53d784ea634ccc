/**
 * One installation's findings with evidence and history. Support and back office see every
 * audience with the acknowledgements; the account's customer and reseller see every audience
 * without support's notes.
 */
import type { Principal } from '../licensing/access';
import { isStaff, readableInstallation } from './access';
import { newestFirst, statusFilter, withAcknowledgements, type FindingsQuery, type FindingView } from './findings-view';
import type { SupportDeps } from './ports';

export async function listInstallationFindings(
  deps: SupportDeps,
  principal: Principal,
  installationId: string,
  query: FindingsQuery,
): Promise<{ findings: FindingView[] }> {
  await readableInstallation(deps, principal, installationId);
  if (!isStaff(principal)) {
    return { findings: newestFirst(await deps.store.findings(installationId, statusFilter(query))) };
  }
  const [findings, acknowledgements] = await Promise.all([
    deps.store.findings(installationId, statusFilter(query)),
    deps.store.acknowledgements(installationId),
  ]);
  return { findings: withAcknowledgements(newestFirst(findings), acknowledgements) };
}

/**
 * An account's findings across its installations (default: the open ones). Customer, its reseller,
 * support and back office; only staff get support's acknowledgements.
 */
import type { Principal } from '../licensing/access';
import { CALLS_AT_ONCE, mapLimited } from '../settle-limited';
import { isStaff, readableAccount } from './access';
import { newestFirst, statusFilter, withAcknowledgements, type FindingsQuery, type FindingView } from './findings-view';
import type { SupportDeps } from './ports';

export async function listAccountFindings(
  deps: SupportDeps,
  principal: Principal,
  accountId: string,
  query: FindingsQuery,
): Promise<{ findings: FindingView[] }> {
  await readableAccount(deps, principal, accountId);
  const findings = newestFirst(await deps.store.findingsOfAccount(accountId, statusFilter(query)));
  if (!isStaff(principal)) return { findings };
  const installationIds = [...new Set(findings.map((f) => f.installationId))];
  // an account of thousands of installations: their reads a few at a time
  const acknowledgements = await mapLimited(installationIds, CALLS_AT_ONCE, (id) => deps.store.acknowledgements(id));
  return { findings: withAcknowledgements(findings, acknowledgements.flat()) };
}

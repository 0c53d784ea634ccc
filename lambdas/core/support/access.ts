/**
 * Who may read an account's or an installation's support data: support and back office every
 * one, a customer its own account, a reseller its customers'. The installation's account comes
 * from its state item; the account's reseller from the licensing store.
 */
import { NotFoundError } from '../errors';
import { assertAccountAccess, assertMayAddressAccount, type Principal } from '../licensing/access';
import type { AccountState } from '../licensing/model';
import type { InstallationHealth, SupportDeps } from './ports';

/** Support and back office: every account, every audience, with acknowledgements. */
export const isStaff = (principal: Principal) => principal.role === 'support' || principal.role === 'backoffice';

export async function readableAccount(
  deps: SupportDeps,
  principal: Principal,
  accountId: string,
): Promise<AccountState> {
  assertMayAddressAccount(principal, accountId);
  const state = await deps.accounts.getAccountState(accountId);
  assertAccountAccess(principal, state?.account, 'read');
  if (!state) throw new NotFoundError(`Account ${accountId} does not exist.`);
  return state;
}

/** The installation's health; 404 when no beat of it has been evaluated yet. */
export async function readableInstallation(
  deps: SupportDeps,
  principal: Principal,
  installationId: string,
): Promise<InstallationHealth> {
  const health = await deps.store.installationHealth(installationId);
  if (!health) throw new NotFoundError(`Installation ${installationId} has no telemetry here.`);
  if (!isStaff(principal)) await readableAccount(deps, principal, health.accountId);
  return health;
}

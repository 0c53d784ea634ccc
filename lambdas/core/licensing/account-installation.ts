/** An account's installation, loaded for someone who may manage the account (the portal's installation routes). */
import { NotFoundError } from '../errors';
import { assertAccountAccess, assertMayAddressAccount, type Principal } from './access';
import type { LicensingDeps } from './deps';
import type { AccountState, Installation } from './model';

/**
 * A customer naming another account, or anyone without the right to manage it, is refused (403)
 * before the installation is looked at; an installation of another account is not found (404).
 */
export async function loadManagedInstallation(
  deps: LicensingDeps,
  principal: Principal,
  accountId: string,
  installationId: string,
): Promise<{ state: AccountState; installation: Installation }> {
  assertMayAddressAccount(principal, accountId);
  const state = await deps.repo.getAccountState(accountId);
  assertAccountAccess(principal, state?.account, 'manage');
  if (!state) throw new NotFoundError(`Account ${accountId} does not exist.`);
  const installation = await deps.repo.getInstallation(installationId);
  if (!installation || installation.accountId !== accountId) {
    throw new NotFoundError(`Account ${accountId} has no installation ${installationId}.`);
  }
  return { state, installation };
}

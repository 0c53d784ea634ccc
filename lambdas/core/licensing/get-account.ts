/** The Smart Account at a glance: its products with capacity and terms, and its installations. */
import { NotFoundError } from '../errors';
import { assertAccountAccess, assertMayAddressAccount, type Principal } from './access';
import type { LicensingDeps } from './deps';
import type { InstallationSummary, ProductPool } from './model';
import type { Region } from './catalogue';

export interface AccountView {
  accountId: string;
  name: string;
  region: Region;
  resellerId?: string;
  telemetry: { enabled: boolean };
  products: ProductPool[];
  installations: InstallationSummary[];
}

export async function getAccount(deps: LicensingDeps, principal: Principal, accountId: string): Promise<AccountView> {
  assertMayAddressAccount(principal, accountId);
  const state = await deps.repo.getAccountState(accountId);
  assertAccountAccess(principal, state?.account, 'read');
  if (!state) throw new NotFoundError(`Account ${accountId} does not exist.`);
  const { account } = state;
  return {
    accountId: account.accountId,
    name: account.name,
    region: account.region,
    ...(account.resellerId ? { resellerId: account.resellerId } : {}),
    telemetry: { enabled: account.telemetryEnabled },
    products: [...state.pools],
    installations: [...state.installations],
  };
}

/** The Smart Account at a glance: its products with capacity and terms, and its installations with their last poll. */
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
  installations: (InstallationSummary & { lastPollAt: string | null })[];
}

export async function getAccount(deps: LicensingDeps, principal: Principal, accountId: string): Promise<AccountView> {
  assertMayAddressAccount(principal, accountId);
  const state = await deps.repo.getAccountState(accountId);
  assertAccountAccess(principal, state?.account, 'read');
  if (!state) throw new NotFoundError(`Account ${accountId} does not exist.`);
  const { account } = state;
  // Only active installations poll; reading the others' would grow with the account's history.
  const active = state.installations.filter((i) => i.status === 'active').map((i) => i.installationId);
  const lastPolls = active.length > 0 ? await deps.repo.getLastPolls(active) : new Map<string, string>();
  return {
    accountId: account.accountId,
    name: account.name,
    region: account.region,
    ...(account.resellerId ? { resellerId: account.resellerId } : {}),
    telemetry: { enabled: account.telemetryEnabled },
    products: [...state.pools],
    installations: state.installations.map((i) => ({ ...i, lastPollAt: lastPolls.get(i.installationId) ?? null })),
  };
}

/**
 * The Smart Account at a glance: its products as they stand now (capacity, terms, Care) with the
 * entitlements they come from, and its installations with their last poll and whether they are stale.
 */
import { NotFoundError } from '../errors';
import { assertAccountAccess, assertMayAddressAccount, type Principal } from './access';
import type { LicensingDeps } from './deps';
import { entitlementStatusAt, standingsAt, type EntitlementStatus, type ProductStanding } from './entitlements';
import type { Entitlement, InstallationSummary } from './model';
import type { Region } from './catalogue';
import { isStale } from './stale';
import { DEFAULT_AUTO_RELEASE_DAYS, type AutoReleaseSetting, type StaleReleaseStore } from './stale-release';

export interface AccountView {
  accountId: string;
  name: string;
  region: Region;
  resellerId?: string;
  /** closed: nothing new is accepted; its erasable data goes at `eraseAfter` (docs/retention.md) */
  status: 'open' | 'closed';
  closedAt?: string;
  eraseAfter?: string;
  telemetry: { enabled: boolean };
  products: AccountProduct[];
  installations: (InstallationSummary & { lastPollAt: string | null; stale: boolean })[];
  /** the automatic release of stale installations (off unless opted in); present when its store is given */
  staleRelease?: AutoReleaseSetting;
}

/** A product as it stands now, with every entitlement of it (by entitlement id) and where each stands. */
export type AccountProduct = ProductStanding & { entitlements: (Entitlement & { status: EntitlementStatus })[] };

export async function getAccount(
  deps: LicensingDeps,
  principal: Principal,
  accountId: string,
  options: {
    readonly shortfallGraceDays?: number;
    readonly staleAfterDays?: number;
    readonly staleRelease?: Pick<StaleReleaseStore, 'get'>;
  } = {},
): Promise<AccountView> {
  assertMayAddressAccount(principal, accountId);
  const state = await deps.repo.getAccountState(accountId);
  assertAccountAccess(principal, state?.account, 'read');
  if (!state) throw new NotFoundError(`Account ${accountId} does not exist.`);
  const { account } = state;
  const now = deps.clock.now().getTime();
  // Only active installations poll; reading the others' would grow with the account's history.
  const active = state.installations.filter((i) => i.status === 'active').map((i) => i.installationId);
  const [lastPolls, staleRelease] = await Promise.all([
    active.length > 0 ? deps.repo.getLastPolls(active) : new Map<string, string>(),
    options.staleRelease?.get(accountId),
  ]);
  return {
    accountId: account.accountId,
    name: account.name,
    region: account.region,
    ...(account.resellerId ? { resellerId: account.resellerId } : {}),
    status: account.closure ? 'closed' : 'open',
    ...(account.closure && { closedAt: account.closure.closedAt, eraseAfter: account.closure.eraseAfter }),
    telemetry: { enabled: account.telemetryEnabled },
    products: standingsAt(state, now, options.shortfallGraceDays).map((standing) => ({
      ...standing,
      entitlements: state.entitlements
        .filter((e) => e.product === standing.product)
        .map((e) => ({ ...e, status: entitlementStatusAt(e, now) })),
    })),
    installations: state.installations.map((i) => {
      const lastPollAt = lastPolls.get(i.installationId) ?? null;
      return { ...i, lastPollAt, stale: isStale({ ...i, lastPollAt }, now, options.staleAfterDays) };
    }),
    ...(options.staleRelease && {
      staleRelease: staleRelease
        ? { enabled: staleRelease.enabled, afterDays: staleRelease.afterDays }
        : { enabled: false, afterDays: DEFAULT_AUTO_RELEASE_DAYS },
    }),
  };
}

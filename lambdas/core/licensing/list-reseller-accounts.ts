/**
 * A reseller's customers: the Smart Accounts it acts for (the reseller itself and back office),
 * each with what needs the reseller's attention: renewals due, open findings, installations.
 */
import * as z from 'zod/mini';
import { ForbiddenError } from '../errors';
import { mapLimited } from '../settle-limited';
import type { Clock } from '../ports';
import type { Principal } from './access';
import type { Region } from './catalogue';
import { resellerIdSchema } from './ids';
import type { AccountState } from './model';

export const resellerParamsSchema = z.object({ resellerId: resellerIdSchema });

export interface ResellerAccountView {
  accountId: string;
  name: string;
  region: Region;
}

/** What a reseller looks at first for each customer. */
export interface CustomerSummary {
  /** active installations */
  installations: number;
  /** subscriptions and Care that end within RENEWAL_WINDOW_DAYS (or ended in the last 30 days) */
  renewalsDue: number;
  /** the earliest of those ends */
  nextRenewalAt?: string;
  /** open findings; null for an account homed in the other region, whose findings live there */
  openFindings: number | null;
}

/** How far ahead a renewal counts as due: a quarter, a reseller's usual selling cycle. */
export const RENEWAL_WINDOW_DAYS = 90;
const DAY_MS = 86_400_000;

export interface CustomerSummaryDeps {
  readonly accounts: { getAccountState(accountId: string): Promise<AccountState | null> };
  /** the open findings of an account of this region */
  readonly openFindings: (accountId: string) => Promise<number>;
  readonly clock: Clock;
  readonly here: Region;
}

/** The ends (subscription, Care) of the account's entitlements that are due for renewal at `now`. */
export function renewalsDue(state: AccountState, now: Date): string[] {
  const from = now.getTime() - 30 * DAY_MS;
  const to = now.getTime() + RENEWAL_WINDOW_DAYS * DAY_MS;
  return state.entitlements
    .flatMap((e) => [e.kind === 'subscription' ? e.endsAt : undefined, e.care?.endsAt])
    .filter((end): end is string => end !== undefined && Date.parse(end) >= from && Date.parse(end) <= to)
    .sort();
}

async function summaryOf(deps: CustomerSummaryDeps, account: ResellerAccountView): Promise<CustomerSummary> {
  const [state, openFindings] = await Promise.all([
    deps.accounts.getAccountState(account.accountId),
    account.region === deps.here ? deps.openFindings(account.accountId) : Promise.resolve(null),
  ]);
  const due = state ? renewalsDue(state, deps.clock.now()) : [];
  return {
    installations: state?.installations.filter((i) => i.status === 'active').length ?? 0,
    renewalsDue: due.length,
    ...(due[0] && { nextRenewalAt: due[0] }),
    openFindings,
  };
}

/** The port: the `RES#<reseller>/ACC#<account>` items written when an order creates the account. */
export interface ResellerAccountsReader {
  accountsOfReseller(resellerId: string): Promise<ResellerAccountView[]>;
}

export async function listResellerAccounts(
  reader: ResellerAccountsReader,
  principal: Principal,
  resellerId: string,
  summaries?: CustomerSummaryDeps,
): Promise<{ resellerId: string; accounts: (ResellerAccountView & { summary?: CustomerSummary })[] }> {
  const own = principal.role === 'reseller' && principal.resellerId === resellerId;
  if (!own && principal.role !== 'backoffice')
    throw new ForbiddenError('This token does not grant access to that reseller.');
  const accounts = [...(await reader.accountsOfReseller(resellerId))].sort(
    (a, b) => a.name.localeCompare(b.name) || (a.accountId < b.accountId ? -1 : 1),
  );
  if (!summaries) return { resellerId, accounts };
  return {
    resellerId,
    // a reseller's hundreds of customers, ten at a time
    accounts: await mapLimited(accounts, 10, async (a) => ({ ...a, summary: await summaryOf(summaries, a) })),
  };
}

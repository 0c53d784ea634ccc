/**
 * Enforcing a shortfall once its grace is over: the allocations the entitlements no longer cover
 * are taken back, newest installations first, each reduction one allocation commit of its own
 * (the same conditional write as a portal change) audited as `installation.allocation-reduced`.
 * Idempotent and resumable: each run works out what is still over from the account as stored, so
 * a run cut short is finished by the next, and a run with nothing over writes nothing. Licences
 * never wait for it: from `enforcedAt` they carry only what is covered, at read time.
 */
import type { Allocation, Product } from './catalogue';
import { retryStale, type LicensingDeps } from './deps';
import { capacityChecks, DEFAULT_SHORTFALL_GRACE_DAYS, standingsAt } from './entitlements';
import { isHomeRegion } from './home-region';
import { installationOrder } from './license';
import type { AccountState } from './model';
import { CommitRejected } from './repository';

/** Who the audit log names for a reduction: the cloud itself, no user. */
export const SHORTFALL_ENFORCER = { kind: 'system', id: 'shortfall-enforcement' } as const;

export interface ShortfallReduction {
  readonly installationId: string;
  readonly from: Allocation;
  readonly to: Allocation;
  /** per product reduced: when its shortfall's grace ended */
  readonly enforcedAt: Partial<Record<Product, string>>;
}

/**
 * What must be taken back at `t`: for every product whose shortfall's `enforcedAt` has passed, the
 * quantity over the capacity, from the newest active installations first, each down to what it
 * holds. One entry per installation touched, newest first; empty when nothing is due.
 */
export function dueReductions(
  state: Pick<AccountState, 'pools' | 'entitlements' | 'installations'>,
  t: number,
  graceDays = DEFAULT_SHORTFALL_GRACE_DAYS,
): ShortfallReduction[] {
  const active = state.installations.filter((i) => i.status === 'active');
  const newestFirst = active.length === 0 ? [] : installationOrder(active.slice(1), active[0]!).reverse();
  const reductions = new Map<
    string,
    { from: Allocation; to: Record<string, number>; enforcedAt: Record<string, string> }
  >();
  for (const standing of standingsAt(state, t, graceDays)) {
    const { shortfall } = standing;
    if (!shortfall || Date.parse(shortfall.enforcedAt) > t) continue;
    let over = shortfall.quantity;
    for (const installation of newestFirst) {
      if (over <= 0) break;
      const entry = reductions.get(installation.installationId) ?? {
        from: installation.allocation,
        to: { ...installation.allocation } as Record<string, number>,
        enforcedAt: {},
      };
      const held = entry.to[standing.product] ?? 0;
      const take = Math.min(over, held);
      if (take === 0) continue;
      over -= take;
      if (held - take > 0) entry.to[standing.product] = held - take;
      else delete entry.to[standing.product];
      entry.enforcedAt[standing.product] = shortfall.enforcedAt;
      reductions.set(installation.installationId, entry);
    }
  }
  return newestFirst.flatMap((i) => {
    const entry = reductions.get(i.installationId);
    return entry ? [{ installationId: i.installationId, ...entry }] : [];
  });
}

export interface ShortfallEnforcement {
  readonly accountId: string;
  /** false: the account lives in the other region, whose run enforces it */
  readonly home: boolean;
  readonly reduced: readonly ShortfallReduction[];
}

/**
 * Takes back what is due on one account, one installation at a time, reading the account again
 * after each commit (another change may have moved what is over). A commit refused as stale (a
 * concurrent change) is retried from a fresh read.
 */
export async function enforceShortfall(
  deps: LicensingDeps,
  accountId: string,
  graceDays = DEFAULT_SHORTFALL_GRACE_DAYS,
): Promise<ShortfallEnforcement> {
  const reduced: ShortfallReduction[] = [];
  // Each pass reduces one installation; an account cannot need more passes than it has installations.
  for (let pass = 0; ; pass++) {
    const step = await retryStale(
      async () => {
        const state = await deps.repo.getAccountState(accountId);
        if (!state || !isHomeRegion(state.account.region, deps.here)) return { done: true as const, home: false };
        const t = deps.clock.now().getTime();
        const [next] = dueReductions(state, t, graceDays);
        if (!next || pass > state.installations.length) return { done: true as const, home: true };
        const installation = await deps.repo.getInstallation(next.installationId);
        if (installation?.status !== 'active') throw new CommitRejected('stale');
        const products = Object.keys(next.enforcedAt) as Product[];
        const checks = capacityChecks(state, products, t);
        await deps.repo.commitAllocationChange({
          installation,
          allocation: next.to,
          pools: checks.map((check) => ({
            ...check,
            take: (next.to[check.product] ?? 0) - (installation.allocation[check.product] ?? 0),
          })),
          audit: {
            accountId,
            at: new Date(t).toISOString(),
            eventId: deps.ids.id('evt_'),
            actor: SHORTFALL_ENFORCER,
            action: 'installation.allocation-reduced',
            details: {
              installationId: next.installationId,
              from: installation.allocation,
              to: next.to,
              reason: 'shortfall',
              enforcedAt: next.enforcedAt,
            },
          },
          // a run of reductions: the account's copies of its terms follow it (the run's repair at its end)
          deferTermsCopy: true,
        });
        return { done: false as const, reduction: { ...next, from: installation.allocation } };
      },
      (e) => e instanceof CommitRejected && e.reason === 'stale',
    );
    if (step.done) return { accountId, home: step.home, reduced };
    reduced.push(step.reduction);
  }
}

/** One of the equal parts the accounts are read in: the hourly run reads one, all of them once a day. */
export interface SweepPart {
  readonly segment: number;
  readonly totalSegments: number;
}

/** The hourly licensing run's part of the accounts at `t`: the hour of the UTC day, of 24. */
export function shortfallSweepPart(t: number): SweepPart {
  return { segment: Math.floor((t % 86_400_000) / 3_600_000), totalSegments: 24 };
}

/** Where the sweep finds the accounts to look at, a page at a time (of one part of them when given). */
export interface AccountIdSource {
  listAccountIds(cursor?: string, part?: SweepPart): Promise<{ accountIds: readonly string[]; cursor?: string }>;
}

export interface ShortfallSweep {
  readonly accounts: number;
  readonly reduced: readonly (ShortfallReduction & { accountId: string })[];
  readonly failures: readonly { accountId: string; error: unknown }[];
}

/**
 * Every account (of `part`, when given), page by page: each enforced on its own, so one that fails
 * (and is retried by the part's next run) does not hold the others back.
 */
export async function sweepShortfalls(
  deps: LicensingDeps,
  source: AccountIdSource,
  graceDays = DEFAULT_SHORTFALL_GRACE_DAYS,
  part?: SweepPart,
): Promise<ShortfallSweep> {
  let accounts = 0;
  const reduced: (ShortfallReduction & { accountId: string })[] = [];
  const failures: { accountId: string; error: unknown }[] = [];
  let cursor: string | undefined;
  do {
    const page = await source.listAccountIds(cursor, part);
    for (const accountId of page.accountIds) {
      accounts++;
      try {
        const result = await enforceShortfall(deps, accountId, graceDays);
        reduced.push(...result.reduced.map((r) => ({ ...r, accountId })));
      } catch (error) {
        failures.push({ accountId, error });
      }
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return { accounts, reduced, failures };
}

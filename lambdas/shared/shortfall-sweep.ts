/**
 * The shortfall step of the hourly licensing run (release-stale.ts): each run reads one of 24
 * parts of the accounts (the hour of the UTC day), so every account is looked at once a day, and
 * one whose shortfall's grace is over has the allocations its entitlements no longer cover taken
 * back, newest installations first. Licences enforce at read time meanwhile, so a late or missed
 * run never over-grants, and the next run of that part starts from what is stored.
 */
import { shortfallSweepPart, sweepShortfalls } from '../core/licensing/shortfall-enforcement';
import { env } from './env';
import { accountIdSource, licensingDeps } from './licensing-deps';
import { logger } from './powertools';

/** Resolves with the error to report (never rejects: the other steps of the run go on). */
export async function shortfallSweepStep(now: number): Promise<unknown> {
  try {
    const { accounts, reduced, failures } = await sweepShortfalls(
      licensingDeps(),
      accountIdSource(),
      env().SHORTFALL_GRACE_DAYS,
      shortfallSweepPart(now),
    );
    for (const { accountId, installationId, from, to } of reduced) {
      logger.info('shortfall enforced', { accountId, installationId, from, to });
    }
    for (const { accountId, error } of failures) {
      logger.error('shortfall enforcement failed', { accountId, error: error as Error });
    }
    logger.info('shortfall sweep', { accounts, reduced: reduced.length, failed: failures.length });
    return failures.length > 0
      ? new Error(`${failures.length} of ${accounts} accounts could not be enforced`)
      : undefined;
  } catch (error) {
    logger.error('shortfall sweep failed', { error: error as Error });
    return error;
  }
}

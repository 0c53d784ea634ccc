/**
 * The automatic release of stale installations (EventBridge Scheduler, hourly): on the accounts
 * homed here that opted in, the notices and releases that came due (stale-release.ts). Each run
 * also takes back allocations past a shortfall's grace on a 24th of the accounts (shared/shortfall-sweep.ts),
 * and then makes the copies of account terms that the run's changes (or a commit that stopped short) owe.
 * Every 5 minutes a run with `{ job: 'account-views' }` makes those copies alone.
 */
import { releaseStaleInstallation } from '../core/licensing/deactivate-installation';
import { runStaleRelease } from '../core/licensing/stale-release';
import { scheduledHandler } from '../shared/handler-stack';
import { licensingDeps, staleReleaseStore } from '../shared/licensing-deps';
import * as z from 'zod/mini';
import { logger } from '../shared/powertools';
import { accountViewRepairInput } from '../shared/scheduled-inputs';
import { shortfallSweepStep } from '../shared/shortfall-sweep';

const runInput = z.object({ job: z.optional(z.literal(accountViewRepairInput.job)) });

/** The account views' repair (dynamodb-account-view.ts) after the run, for at most this long. */
const VIEW_REPAIR_MS = 60_000;

/** The copies of account terms still owed (docs/licensing.md "The account view"): this run's, and any a commit left. */
async function repairAccountViews() {
  const views = await licensingDeps().repo.repairAccountViews({ deadline: Date.now() + VIEW_REPAIR_MS, limit: 200 });
  if (views.accounts + views.left > 0) logger.info('account views repaired', { ...views });
}

export const handler = scheduledHandler(async (event: unknown) => {
  if (runInput.parse(event ?? {}).job === accountViewRepairInput.job) {
    await repairAccountViews();
    return { job: accountViewRepairInput.job };
  }
  const deps = licensingDeps();
  // Its own failure must not hold back the releases, nor theirs hold it back.
  const shortfalls = shortfallSweepStep(Date.now());
  const run = await runStaleRelease(deps, staleReleaseStore(), (installation) =>
    releaseStaleInstallation(deps, installation),
  )
    .finally(() => shortfalls)
    .finally(repairAccountViews);
  logger.info('stale release', { ...run });
  if (await shortfalls) throw new Error('the shortfall step failed');
  return run;
});

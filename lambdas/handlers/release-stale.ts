/**
 * The automatic release of stale installations (EventBridge Scheduler, hourly): on the accounts
 * homed here that opted in, the notices and releases that came due (stale-release.ts). Each run
 * also takes back allocations past a shortfall's grace on a 24th of the accounts (shared/shortfall-sweep.ts).
 */
import { releaseStaleInstallation } from '../core/licensing/deactivate-installation';
import { runStaleRelease } from '../core/licensing/stale-release';
import { scheduledHandler } from '../shared/handler-stack';
import { licensingDeps, staleReleaseStore } from '../shared/licensing-deps';
import { logger } from '../shared/powertools';
import { shortfallSweepStep } from '../shared/shortfall-sweep';

export const handler = scheduledHandler(async () => {
  const deps = licensingDeps();
  // Its own failure must not hold back the releases, nor theirs hold it back.
  const shortfalls = shortfallSweepStep(Date.now());
  const run = await runStaleRelease(deps, staleReleaseStore(), (installation) =>
    releaseStaleInstallation(deps, installation),
  ).finally(() => shortfalls);
  logger.info('stale release', { ...run });
  if (await shortfalls) throw new Error('the shortfall step failed');
  return run;
});

/**
 * The automatic release of stale installations (EventBridge Scheduler, hourly): on the accounts
 * homed here that opted in, the notices and releases that came due (stale-release.ts).
 */
import { releaseStaleInstallation } from '../core/licensing/deactivate-installation';
import { runStaleRelease } from '../core/licensing/stale-release';
import { scheduledHandler } from '../shared/handler-stack';
import { licensingDeps, staleReleaseStore } from '../shared/licensing-deps';
import { logger } from '../shared/powertools';

export const handler = scheduledHandler(async () => {
  const deps = licensingDeps();
  const run = await runStaleRelease(deps, staleReleaseStore(), (installation) =>
    releaseStaleInstallation(deps, installation),
  );
  logger.info('stale release', { ...run });
  return run;
});

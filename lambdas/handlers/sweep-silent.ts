/**
 * The missing-beat sweep (EventBridge Scheduler): the installations whose newest beat is older than
 * the telemetry-silent warning threshold, read from the support table's index (no scan), each
 * evaluated with no beats so the tick rules (telemetry-silent, care-expiring) run.
 */
import { sweepSilentInstallations } from '../core/rules/evaluate-installations';
import { emitCount } from '../shared/business-metrics';
import { scheduledHandler } from '../shared/handler-stack';
import { logger } from '../shared/powertools';
import { sweepDeps } from '../shared/sweep-deps';
import { forInvocation, countFleetChanges } from '../shared/rules-invocation';
import { countOutcome } from '../shared/rules-metrics';

export const handler = scheduledHandler(async () => {
  const now = Date.now();
  const { silent, outcomes, failures } = await sweepSilentInstallations(forInvocation(sweepDeps()), now);
  for (const outcome of outcomes) countOutcome(outcome);
  await countFleetChanges(outcomes, now);
  for (const { installationId, error } of failures) {
    logger.error('sweep evaluation failed', { installationId, error: error as Error });
  }
  logger.info('silent sweep', { silent, failed: failures.length });
  if (failures.length > 0) {
    throw new Error(`${failures.length} of ${silent} silent installations could not be evaluated`);
  }
  emitCount('silentSweepRuns');
  return { silent };
});

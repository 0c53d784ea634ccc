/**
 * The missing-beat sweep (EventBridge Scheduler): the installations whose newest beat is older than
 * the telemetry-silent warning threshold, read from the support table's index (no scan), each
 * evaluated with no beats so the tick rules (telemetry-silent, care-expiring) run.
 */
import { evaluateInstallationBatch } from '../core/rules/process-batch';
import { emitCount } from '../shared/business-metrics';
import { logger } from '../shared/powertools';
import { countOutcome } from '../shared/rules-metrics';
import { rulesDeps } from '../shared/rules-deps';

/** The sweep looks at installations silent for longer than this (the rule decides severity). */
const SILENT_AFTER_MS = 3 * 3_600_000;
const MAX_PER_RUN = 1000;

export const handler = async () => {
  const deps = rulesDeps();
  const now = Date.now();
  const silent = await deps.store.silentSince(now - SILENT_AFTER_MS, MAX_PER_RUN);
  const outcomes = await Promise.allSettled(silent.map((id) => evaluateInstallationBatch(deps, id, [], now)));
  for (const o of outcomes) if (o.status === 'fulfilled') countOutcome(o.value);
  const failed = outcomes.filter((o) => o.status === 'rejected').length;
  logger.info('silent sweep', { silent: silent.length, failed });
  if (failed > 0) throw new Error(`${failed} of ${silent.length} silent installations could not be evaluated`);
  emitCount('silentSweepRuns');
  return { silent: silent.length };
};

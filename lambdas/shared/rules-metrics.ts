/** Business metrics of a rules evaluation: beats evaluated and repeated, findings opened and resolved. */
import type { InstallationOutcome } from '../core/rules/process-batch';
import { emitCount } from './business-metrics';

export function countOutcome(outcome: InstallationOutcome): void {
  emitCount('beatsEvaluated', outcome.evaluated);
  emitCount('beatsDuplicate', outcome.skipped);
  for (const change of outcome.changes) {
    const dimensions = { ruleId: change.ruleId, severity: change.severity };
    if (change.kind === 'opened') emitCount('findingsOpened', 1, dimensions);
    if (change.kind === 'resolved') emitCount('findingsResolved', 1, dimensions);
  }
}

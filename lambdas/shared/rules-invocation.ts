/**
 * What the rules Lambdas add per invocation: the rules' config inputs (the back office's advisory
 * tables read once an invocation; each account's settings kept while their revision stands), the
 * fleet's finding counters, added once an invocation with the whole batch's changes, and the
 * installations' facts.
 */
import { dynamoDocumentClient } from '../adapters/aws-clients';
import { DynamoDbAdvisoryReads } from '../adapters/dynamodb-advisories';
import { DynamoDbFleetCounterWrites } from '../adapters/dynamodb-fleet-counter-writes';
import { DynamoDbRuleSettingsReads } from '../adapters/dynamodb-rule-settings';
import { KeptOverrides, type OverridesFor } from '../core/rules/config-sources';
import type { InstallationOutcome, RulesDeps } from '../core/rules/process-batch';
import { dayOf, factsOfBeats, tallyChanges, type FleetCounterStore } from '../core/support/fleet-overview';
import { groupByInstallation, type StreamBatchBeat } from '../core/rules/evaluate-installations';
import { CALLS_AT_ONCE, settleLimited } from '../core/settle-limited';
import { required } from './env';
import { logger } from './powertools';

let sources: { overrides: KeptOverrides; counters: DynamoDbFleetCounterWrites } | undefined;

function adapters() {
  sources ??= {
    overrides: new KeptOverrides(
      new DynamoDbRuleSettingsReads(dynamoDocumentClient(), required('SUPPORT_TABLE_NAME')),
      new DynamoDbAdvisoryReads(dynamoDocumentClient(), required('TABLE_NAME')),
    ),
    counters: new DynamoDbFleetCounterWrites(dynamoDocumentClient(), required('SUPPORT_TABLE_NAME')),
  };
  return sources;
}

/** `deps` with this invocation's `overridesFor` (the revision read once an invocation: a change reaches the next batch). */
export function forInvocation<D extends RulesDeps>(deps: D): D {
  // built on first use: an invocation that evaluates nothing reads nothing
  let overridesFor: OverridesFor | undefined;
  return {
    ...deps,
    overridesFor: (accountId: string) => {
      overridesFor ??= adapters().overrides.forInvocation();
      return overridesFor(accountId);
    },
  };
}

/**
 * Adds the invocation's finding changes to the fleet's counters. After the findings are stored, and
 * not worth a retry of the batch when it fails (a retry finds the changes made and counts none): logged.
 */
export async function countFleetChanges(outcomes: readonly InstallationOutcome[], now: number): Promise<void> {
  const tally = tallyChanges(outcomes.flatMap((o) => o.changes));
  if (!tally) return;
  try {
    await adapters().counters.add(dayOf(now), tally);
  } catch (error) {
    logger.error('fleet counters not added', { error: error as Error });
  }
}

/**
 * Keeps each evaluated installation's suite version and SQL edition for the overview, from the
 * inventory beats of the batch (sent on change and daily: a write an installation a day at most).
 * Logged, not retried, as the counters.
 */
export async function keepFleetFacts(
  beats: readonly StreamBatchBeat[],
  outcomes: readonly InstallationOutcome[],
  now: number,
  counters?: Pick<FleetCounterStore, 'putFacts'>,
): Promise<void> {
  const evaluated = new Set(outcomes.filter((o) => !o.ignored).map((o) => o.installationId));
  const facts = [...groupByInstallation(beats)]
    .filter(([installationId]) => evaluated.has(installationId))
    .map(([installationId, group]) =>
      factsOfBeats(
        installationId,
        group.map((b) => b.beat),
      ),
    )
    .filter((f) => f !== undefined);
  if (facts.length === 0) return;
  const writer = counters ?? adapters().counters;
  // a batch of first or daily posts carries inventory for up to 100 installations, two writes each
  const settled = await settleLimited(facts, CALLS_AT_ONCE, (f) => writer.putFacts(f, now));
  const failed = settled.filter((s) => s.status === 'rejected');
  if (failed.length > 0)
    logger.error('fleet facts not kept', {
      installations: failed.length,
      of: facts.length,
      error: failed[0]!.reason as Error,
    });
}

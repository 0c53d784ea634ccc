/**
 * The rules Lambdas' use cases over many installations: a stream batch's beats grouped per
 * installation, and the missing-beat sweep. Each installation is evaluated on its own, so one that
 * fails fails alone: its records are reported for retry, each once.
 */
import { SILENT_SUPPORT_DATA_DAYS } from '../accounts/retention';
import type { HistoryStore } from '../history/ports';
import { deferringPuts, previousPointAt, recordHistory } from '../history/record-history';
import { settleLimited } from '../settle-limited';
import type { Beat } from '../telemetry/catalogue';
import type { BatchBeat } from './engine';
import type { SilentInstallations } from './ports';
import { evaluateInstallationBatch, type InstallationOutcome, type RulesDeps } from './process-batch';

/** A beat of a stream batch, with the installation whose record carried it. */
export interface StreamBatchBeat extends BatchBeat {
  readonly installationId: string;
}

export interface InstallationFailure {
  readonly installationId: string;
  readonly error: unknown;
  /** the stream records that carried its beats, each once and in stream order */
  readonly sequenceNumbers: readonly string[];
}

export interface EvaluationResult {
  readonly outcomes: readonly InstallationOutcome[];
  readonly failures: readonly InstallationFailure[];
}

/** The sweep looks at installations silent for longer than this (the rule decides severity). */
export const SILENT_AFTER_MS = 3 * 3_600_000;
/** installations evaluated per sweep run at most */
export const MAX_SILENT_PER_RUN = 1000;
/**
 * installations evaluated at once: each has up to three requests in flight (snapshots, findings,
 * state), within the SDK's 50 sockets; a batch of hundreds at once queued for sockets past their
 * attempt's deadline, and the timeouts sent the rest of the batch round again
 */
export const EVALUATIONS_AT_ONCE = 16;

/** The stream consumer's deps: the rules', and where the history is kept. */
export interface StreamDeps extends RulesDeps {
  readonly history?: HistoryStore;
}

/**
 * A stream batch: each installation's beats evaluated together (one state read and one write),
 * then its history written (idempotent, so a retry of a failed one writes the same items again).
 */
export function evaluateStreamBatch(
  deps: StreamDeps,
  beats: readonly StreamBatchBeat[],
  now: number,
): Promise<EvaluationResult> {
  return evaluateEach(deps, groupByInstallation(beats), now, deps.history);
}

/** The missing-beat sweep's deps: the rules', and where it finds the silent. */
export interface SweepDeps extends RulesDeps {
  readonly silent: SilentInstallations;
}

/** The missing-beat sweep: each silent installation evaluated with no beats, so the tick rules run. */
export async function sweepSilentInstallations(
  deps: SweepDeps,
  now: number,
): Promise<EvaluationResult & { silent: number; expired: number }> {
  const silent = await deps.silent.silentSince(now - SILENT_AFTER_MS, MAX_SILENT_PER_RUN);
  const result = await evaluateEach(deps, new Map(silent.map((id) => [id, []])), now);
  // Silent that long, its state expires (docs/retention.md): what has no expiry of its own goes
  // with it. After the evaluation, so a finding it just opened goes too.
  const expired = await deps.silent.expireSilentRemains(
    now - SILENT_SUPPORT_DATA_DAYS * DAY_MS,
    now,
    MAX_SILENT_PER_RUN,
  );
  return { ...result, silent: silent.length, expired };
}

const DAY_MS = 86_400_000;

async function evaluateEach(
  deps: RulesDeps,
  groups: ReadonlyMap<string, readonly StreamBatchBeat[]>,
  now: number,
  history?: HistoryStore,
): Promise<EvaluationResult> {
  const deferred = history && deferringPuts(history);
  const entries = [...groups];
  const settled = await settleLimited(entries, EVALUATIONS_AT_ONCE, async ([installationId, beats]) => {
    const outcome = await evaluateInstallationBatch(deps, installationId, beats, now);
    // an unknown or deactivated installation keeps no history either; the state read tells
    // where the previous request ended (no Query for it)
    if (deferred && !outcome.ignored && beats.length > 0) {
      const previousAt = previousPointAt(outcome.newestBefore);
      await recordHistory(deferred.store, installationId, [...requestsOf(beats).values()], now, {
        ...(previousAt !== undefined ? { previousAt } : {}),
      });
    }
    return outcome;
  });
  // the batch's history in one write; an installation whose blocks were not written
  // fails, and its records come again (its state skips them, the history is written again)
  const unwritten = deferred ? await deferred.flush() : new Map<string, unknown>();
  return settleEvaluations(
    entries,
    settled.map((s, i) => {
      const reason = unwritten.get(entries[i]![0]);
      return s.status === 'fulfilled' && reason !== undefined ? { status: 'rejected' as const, reason } : s;
    }),
  );
}

/** An installation's beats by the stream record (agent request) that carried them. */
function requestsOf(beats: readonly StreamBatchBeat[]): Map<string, Beat[]> {
  const requests = new Map<string, Beat[]>();
  for (const { beat, shardId, sequenceNumber } of beats) {
    const key = `${shardId}/${sequenceNumber}`;
    const list = requests.get(key);
    if (list) list.push(beat);
    else requests.set(key, [beat]);
  }
  return requests;
}

/** Groups a batch's beats by installation, keeping stream order. */
export function groupByInstallation<T extends { installationId: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    let group = groups.get(item.installationId);
    if (!group) {
      group = [];
      groups.set(item.installationId, group);
    }
    group.push(item);
  }
  return groups;
}

/**
 * The settled evaluation of each group (`settled[i]` is `groups[i]`'s), split into outcomes and
 * failures. A failure names each record of its installation once, not once per beat: a record
 * carries a whole agent batch, and Kinesis retries records.
 */
export function settleEvaluations(
  groups: readonly (readonly [installationId: string, beats: readonly StreamBatchBeat[]])[],
  settled: readonly PromiseSettledResult<InstallationOutcome>[],
): EvaluationResult {
  const outcomes: InstallationOutcome[] = [];
  const failures: InstallationFailure[] = [];
  groups.forEach(([installationId, beats], index) => {
    const evaluation = settled[index];
    if (!evaluation) throw new Error(`no evaluation settled for installation ${installationId}`);
    if (evaluation.status === 'fulfilled') outcomes.push(evaluation.value);
    else {
      const sequenceNumbers = [...new Set(beats.map((beat) => beat.sequenceNumber))];
      failures.push({ installationId, error: evaluation.reason, sequenceNumbers });
    }
  });
  return { outcomes, failures };
}

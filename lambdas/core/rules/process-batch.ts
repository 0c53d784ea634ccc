/**
 * The rules evaluation of one installation: its beats of a stream batch (grouped in
 * evaluate-installations.ts), one state read, the pure engine, notifications published
 * (deterministic ids, so a retry repeats them harmlessly), then one version-guarded write of state,
 * findings and the snapshots due: inventory as it arrives, the counters every 6 hours, with a
 * finding raised, and every batch while support has shortened the installation's cycle.
 */
import { counterSnapshotSeconds, cycleSeconds } from '../telemetry/cadence';
import { inventoryBeatTypes, type Beat, type BeatType } from '../telemetry/catalogue';
import { evaluateInstallation, type BatchBeat, type FindingNotification, type FindingRecord } from './engine';
import type { LicenceFactsSource, NotificationBus, SnapshotRecord, SupportStore } from './ports';
import { StateConflict } from './ports';
import type { LicenceFacts, Rule } from './rule';

export interface RulesDeps {
  readonly store: SupportStore;
  readonly bus: NotificationBus;
  readonly licences: LicenceFactsSource;
  readonly rules: readonly Rule[];
  /** per-account threshold overrides */
  readonly overridesFor?: (accountId: string) => Promise<Record<string, unknown> | undefined>;
}

export interface InstallationOutcome {
  readonly installationId: string;
  readonly evaluated: number;
  readonly skipped: number;
  readonly findings: number;
  readonly notifications: readonly FindingNotification[];
  /** what happened to findings, whatever the Care level (for metrics) */
  readonly changes: readonly { kind: string; ruleId: string; severity: string; previousSeverity?: string }[];
  /** beats of an installation that is unknown or deactivated are dropped */
  readonly ignored?: boolean;
  /** each beat type's newest instant before this batch (the state read): where the history's previous request ended */
  readonly newestBefore?: Partial<Record<BeatType, number>>;
}

const MAX_CONFLICT_RETRIES = 3;
/**
 * Support reads the latest snapshot per beat type, not to the minute: the counters (a few KB, one
 * batch a cycle) are written this often, and at once with a finding that opens or worsens, so the
 * snapshot beside a new finding is the batch that raised it (docs/proactive-support.md).
 */
export const COUNTER_SNAPSHOT_INTERVAL_MS = counterSnapshotSeconds * 1000;

export async function evaluateInstallationBatch(
  deps: RulesDeps,
  installationId: string,
  beats: readonly BatchBeat[],
  now: number,
): Promise<InstallationOutcome> {
  const licence = await deps.licences.factsFor(installationId);
  if (!licence)
    return {
      installationId,
      evaluated: 0,
      skipped: beats.length,
      findings: 0,
      notifications: [],
      changes: [],
      ignored: true,
    };
  const overrides = await deps.overridesFor?.(licence.accountId);

  for (let attempt = 0; ; attempt++) {
    const state = await deps.store.getState(installationId);
    const out = evaluateInstallation({
      state,
      rules: deps.rules,
      licence,
      beats,
      now,
      ...(overrides ? { overrides } : {}),
    });
    const newestBefore = state?.newest;
    if (out.evaluated === 0 && out.findings.length === 0 && state) {
      return {
        installationId,
        evaluated: 0,
        skipped: out.skipped,
        findings: 0,
        notifications: [],
        changes: [],
        newestBefore: state.newest,
      };
    }
    if (out.notifications.length > 0) await deps.bus.publish(out.notifications);
    const due = snapshotsDue(
      newestSnapshots(licence.accountId, installationId, beats, out.state.newest),
      state?.snapshotsAt,
      out.findings.some(raisesAttention) || cycleShortened(licence),
    );
    const snapshotsAt = due.snapshotsAt ?? state?.snapshotsAt;
    try {
      await deps.store.commit({
        state: snapshotsAt !== undefined ? { ...out.state, snapshotsAt } : out.state,
        expectedVersion: state?.version ?? 0,
        ...(state ? { previous: state } : {}),
        findings: out.findings,
        snapshots: due.snapshots,
        careLevel: licence.careLevel,
      });
      return {
        installationId,
        evaluated: out.evaluated,
        skipped: out.skipped,
        findings: out.findings.length,
        notifications: out.notifications,
        changes: out.findings.map((f) => ({
          kind: f.history[f.history.length - 1]!.event,
          ruleId: f.ruleId,
          severity: f.severity,
          // the fleet's open counts move a finding that escalated from its old severity
          ...(f.history.length > 1 ? { previousSeverity: f.history[f.history.length - 2]!.severity } : {}),
        })),
        ...(newestBefore ? { newestBefore } : {}),
      };
    } catch (error) {
      if (!(error instanceof StateConflict) || attempt >= MAX_CONFLICT_RETRIES) throw error;
    }
  }
}

/** The beats of this batch that are now the newest of their type. */
export function newestSnapshots(
  accountId: string,
  installationId: string,
  beats: readonly BatchBeat[],
  newest: Partial<Record<BeatType, number>>,
): SnapshotRecord[] {
  const byType = new Map<BeatType, Beat>();
  for (const { beat } of beats) {
    if (Date.parse(beat.collectedAt) !== newest[beat.type]) continue;
    byType.set(beat.type, beat);
  }
  return [...byType.values()].map((beat) => ({
    installationId,
    accountId,
    type: beat.type,
    beatId: beat.id,
    collectedAt: beat.collectedAt,
    data: beat.data,
  }));
}

/**
 * Support is investigating: the licence tells the agent a shorter cycle than its products' Care
 * gives (as licence.ts computes it, without the override), so the counters' snapshot is written
 * every batch while the override lasts.
 */
export const cycleShortened = (licence: Pick<LicenceFacts, 'products' | 'telemetryIntervalSeconds'>) =>
  licence.telemetryIntervalSeconds !== undefined &&
  licence.telemetryIntervalSeconds < cycleSeconds(licence.products.flatMap((p) => (p.care ? [p.care.level] : [])));

/** a finding that opened, reopened or escalated in this batch: support will look at the installation */
export const raisesAttention = (f: FindingRecord) =>
  ['opened', 'reopened', 'escalated'].includes(f.history[f.history.length - 1]?.event ?? '');

/**
 * Of the newest snapshots of a batch, those to write: every inventory beat (sent on change or
 * daily), and the counters when none were written for COUNTER_SNAPSHOT_INTERVAL_MS or when
 * `attention` (a finding raised by this batch, or support investigating; times are the beats'
 * collectedAt down to the minute, so a retry decides the same); `snapshotsAt` is set when the
 * counters are written.
 */
export function snapshotsDue(
  newest: readonly SnapshotRecord[],
  writtenAt: number | undefined,
  attention = false,
): { snapshots: SnapshotRecord[]; snapshotsAt?: number } {
  const inventory = newest.filter((s) => inventoryBeatTypes.has(s.type));
  const counters = newest.filter((s) => !inventoryBeatTypes.has(s.type));
  if (counters.length === 0) return { snapshots: inventory };
  const at = Math.max(...counters.map((s) => Math.floor(Date.parse(s.collectedAt) / 60_000) * 60_000));
  if (!attention && writtenAt !== undefined && at - writtenAt < COUNTER_SNAPSHOT_INTERVAL_MS)
    return { snapshots: inventory };
  return { snapshots: [...inventory, ...counters], snapshotsAt: at };
}

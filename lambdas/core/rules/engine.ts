/**
 * The rules engine for one installation and one batch: skips what it has seen (shard checkpoints,
 * recent beat ids), evaluates each rule on the beats it reads in collection order, counts hits and
 * clears into findings, runs the tick rules once, and returns the new state, the finding records
 * to store and the notifications Care allows. Pure: no I/O, no clock, no randomness.
 */
import { createHash } from 'node:crypto';
import type { Beat } from '../telemetry/catalogue';
import { applySignal, type LifecycleChange } from './lifecycle';
import type { LicenceFacts, Rule, Signal } from './rule';
import {
  BEAT_ID_PREFIX,
  emptyState,
  RECENT_BEAT_IDS,
  trackerKey,
  WorkingMemory,
  type FindingEvent,
  type InstallationState,
  type Tracker,
} from './state';

export interface BatchBeat {
  readonly beat: Beat;
  readonly shardId: string;
  readonly sequenceNumber: string;
}

/** Who sees a finding, from the account's Care (PROACTIVE-RULES.md "Care gating"). */
export type Audience = 'proactive' | 'support' | 'customer';
export const audienceOf = (care: LicenceFacts['careLevel']): Audience =>
  care === 'gold' || care === 'platinum' ? 'proactive' : care === 'basic' ? 'support' : 'customer';

export interface FindingRecord {
  readonly findingId: string;
  readonly installationId: string;
  readonly accountId: string;
  readonly ruleId: string;
  readonly subject: string;
  readonly severity: FindingEvent['severity'];
  readonly status: 'open' | 'resolved';
  readonly openedAt: string;
  readonly updatedAt: string;
  readonly resolvedAt?: string;
  readonly evidence: Signal['evidence'];
  readonly history: readonly FindingEvent[];
  readonly audience: Audience;
  readonly careLevel: LicenceFacts['careLevel'];
}

export interface FindingNotification {
  /** deterministic: the same change retried has the same id, so consumers can drop the repeat */
  readonly eventId: string;
  readonly kind: 'opened' | 'escalated' | 'deescalated' | 'resolved';
  readonly finding: FindingRecord;
}

export interface EngineInput {
  readonly state: InstallationState | undefined;
  readonly rules: readonly Rule[];
  /** per-account threshold overrides by rule id, parsed through each rule's schema */
  readonly overrides?: Readonly<Record<string, unknown>>;
  readonly licence: LicenceFacts;
  readonly beats: readonly BatchBeat[];
  /** evaluation time (epoch ms) for the tick rules */
  readonly now: number;
}

export interface EngineOutput {
  readonly state: InstallationState;
  readonly findings: readonly FindingRecord[];
  readonly notifications: readonly FindingNotification[];
  readonly evaluated: number;
  readonly skipped: number;
}

/** Kinesis sequence numbers are decimal strings too long for a number. */
export function sequenceAfter(a: string, b: string | undefined): boolean {
  if (b === undefined) return true;
  return a.length !== b.length ? a.length > b.length : a > b;
}

const configsOf = (rules: readonly Rule[], overrides: EngineInput['overrides']) =>
  new Map(rules.map((rule) => [rule.id, rule.config.parse(overrides?.[rule.id] ?? {})]));

export function evaluateInstallation(input: EngineInput): EngineOutput {
  const { licence } = input;
  const previous = input.state ?? emptyState(licence.installationId, licence.accountId);
  const configs = configsOf(input.rules, input.overrides);
  const memories = new Map<string, WorkingMemory>();
  const memoryOf = (ruleId: string) => {
    let memory = memories.get(ruleId);
    if (!memory) memories.set(ruleId, (memory = new WorkingMemory(previous.memory[ruleId])));
    return memory;
  };
  const trackers: Record<string, Tracker> = { ...previous.trackers };
  const changes: { ruleId: string; subject: string; change: LifecycleChange; at: string }[] = [];
  const checkpoints = { ...previous.checkpoints };
  const recent = new Set(previous.recentBeatIds);
  const recentOrder = [...previous.recentBeatIds];
  const newest = { ...previous.newest };
  let lastBeatAt = previous.lastBeatAt;

  const apply = (rule: Rule, signals: readonly Signal[], at: string) => {
    for (const signal of signals) {
      const key = trackerKey(rule.id, signal.subject);
      const { tracker, change } = applySignal(trackers[key], signal, rule.hysteresis, {
        installationId: licence.installationId,
        ruleId: rule.id,
        at,
      });
      if (tracker) trackers[key] = tracker;
      else delete trackers[key];
      if (change) changes.push({ ruleId: rule.id, subject: signal.subject, change, at });
    }
  };

  const fresh: BatchBeat[] = [];
  let skipped = 0;
  for (const item of input.beats) {
    const idPrefix = item.beat.id.slice(0, BEAT_ID_PREFIX);
    if (!sequenceAfter(item.sequenceNumber, previous.checkpoints[item.shardId]) || recent.has(idPrefix)) {
      skipped++;
      continue;
    }
    recent.add(idPrefix);
    recentOrder.push(idPrefix);
    if (sequenceAfter(item.sequenceNumber, checkpoints[item.shardId])) checkpoints[item.shardId] = item.sequenceNumber;
    fresh.push(item);
  }
  fresh.sort((a, b) => Date.parse(a.beat.collectedAt) - Date.parse(b.beat.collectedAt));

  const readers = new Map<string, Rule[]>();
  for (const rule of input.rules)
    for (const type of rule.reads) readers.set(type, [...(readers.get(type) ?? []), rule]);

  for (const { beat } of fresh) {
    const at = Date.parse(beat.collectedAt);
    const late = at < (newest[beat.type] ?? -Infinity);
    if (!late) newest[beat.type] = at;
    if (lastBeatAt === undefined || at > lastBeatAt) lastBeatAt = at;
    for (const rule of readers.get(beat.type) ?? []) {
      const signals = rule.evaluate({
        beat,
        at,
        late,
        memory: memoryOf(rule.id),
        licence,
        config: configs.get(rule.id),
      });
      if (!late) apply(rule, signals, beat.collectedAt);
    }
  }

  const nowIso = new Date(input.now).toISOString();
  for (const rule of input.rules) {
    if (!rule.tick) continue;
    const signals = rule.tick({
      now: input.now,
      ...(lastBeatAt !== undefined ? { lastBeatAt } : {}),
      memory: memoryOf(rule.id),
      licence,
      config: configs.get(rule.id),
    });
    apply(rule, signals, nowIso);
  }

  const memory = { ...previous.memory };
  for (const [ruleId, working] of memories) memory[ruleId] = working.toState();

  const audience = audienceOf(licence.careLevel);
  const findings: FindingRecord[] = [];
  const latest = new Map<string, FindingRecord>();
  for (const { ruleId, subject, change, at } of changes) {
    const record: FindingRecord = {
      findingId: change.finding.findingId,
      installationId: licence.installationId,
      accountId: licence.accountId,
      ruleId,
      subject,
      severity: change.finding.severity,
      status: change.status,
      openedAt: change.finding.openedAt,
      updatedAt: at,
      ...(change.resolvedAt ? { resolvedAt: change.resolvedAt } : {}),
      evidence: change.finding.evidence,
      history: change.finding.history,
      audience,
      careLevel: licence.careLevel,
    };
    latest.set(record.findingId, record);
    findings.push(record);
  }
  const notifications: FindingNotification[] =
    audience === 'proactive'
      ? changes
          .filter((c) => c.change.kind !== 'reopened')
          .map((c) => {
            const finding = findings.find((f) => f.findingId === c.change.finding.findingId && f.updatedAt === c.at)!;
            return {
              eventId: createHash('sha256')
                .update(`${finding.findingId}|${c.change.kind}|${c.at}|${c.change.finding.severity}`)
                .digest('base64url')
                .slice(0, 32),
              kind: c.change.kind as FindingNotification['kind'],
              finding,
            };
          })
      : [];

  return {
    state: {
      installationId: licence.installationId,
      accountId: licence.accountId,
      version: previous.version,
      ...(lastBeatAt !== undefined ? { lastBeatAt } : {}),
      newest,
      memory,
      trackers,
      checkpoints,
      recentBeatIds: recentOrder.slice(-RECENT_BEAT_IDS),
    },
    findings: [...latest.values()],
    notifications,
    evaluated: fresh.length,
    skipped,
  };
}

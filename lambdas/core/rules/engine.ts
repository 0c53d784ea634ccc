/**
 * The rules engine for one installation and one batch: skips what it has seen (shard checkpoints,
 * the beats evaluated at each type's newest instant), evaluates each rule on the beats it reads in
 * collection order (a beat older than its type's newest only by the rules that merge late beats,
 * without moving a tracker), counts hits and clears into findings, runs the tick rules once, and
 * returns the new state, the finding records to store and the notifications Care allows. Pure: no
 * I/O, no clock, no randomness.
 */
import { createHash } from 'node:crypto';
import type { Beat } from '../telemetry/catalogue';
import { MAX_AHEAD_MS } from '../telemetry/collected-window';
import { applySignal, type LifecycleChange } from './lifecycle';
import type { LicenceFacts, Rule, Signal } from './rule';
import {
  AT_NEWEST_IDS,
  beatIdHash,
  emptyState,
  LEGACY_BEAT_ID_PREFIX,
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
    if (!memory) {
      memory = new WorkingMemory(previous.memory[ruleId]);
      memories.set(ruleId, memory);
    }
    return memory;
  };
  const trackers: Record<string, Tracker> = { ...previous.trackers };
  const changes: { ruleId: string; subject: string; change: LifecycleChange; at: string }[] = [];
  const checkpoints = { ...previous.checkpoints };
  const newest = { ...previous.newest };
  const atNewest = { ...previous.atNewest };
  const legacyRecent = previous.legacyBeatIdPrefixes && new Set(previous.legacyBeatIdPrefixes);
  // Ingest refuses beats dated ahead of their arrival; a beat (or a state written before it did)
  // past this horizon must not become a newest and make every real beat after it late.
  const horizon = input.now + MAX_AHEAD_MS;
  const beforeHorizon = (t: number | undefined) => (t !== undefined && t <= horizon ? t : undefined);
  let lastBeatAt = beforeHorizon(previous.lastBeatAt);

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

  // records of a retried stream batch: at or before the shard's checkpoint
  const unseen: { beat: BatchBeat['beat']; at: number }[] = [];
  let skipped = 0;
  for (const item of input.beats) {
    if (
      !sequenceAfter(item.sequenceNumber, previous.checkpoints[item.shardId]) ||
      legacyRecent?.has(item.beat.id.slice(0, LEGACY_BEAT_ID_PREFIX))
    ) {
      skipped++;
      continue;
    }
    if (sequenceAfter(item.sequenceNumber, checkpoints[item.shardId])) checkpoints[item.shardId] = item.sequenceNumber;
    const at = Date.parse(item.beat.collectedAt);
    if (at > horizon) {
      skipped++;
      continue;
    }
    unseen.push({ beat: item.beat, at });
  }
  unseen.sort((a, b) => a.at - b.at);

  const readers = new Map<string, Rule[]>();
  for (const rule of input.rules)
    for (const type of rule.reads) readers.set(type, [...(readers.get(type) ?? []), rule]);

  let evaluated = 0;
  for (const { beat, at } of unseen) {
    // the watermark: a beat newer than its type's newest is fresh; one of the same instant is fresh
    // unless it is one already evaluated (re-sent: skipped); an older one is late, or re-sent
    const watermark = beforeHorizon(newest[beat.type]);
    let late = false;
    if (watermark === undefined || at > watermark) {
      newest[beat.type] = at;
      atNewest[beat.type] = [beatIdHash(beat.id)];
    } else if (at === watermark) {
      const hash = beatIdHash(beat.id);
      const ids = atNewest[beat.type] ?? [];
      if (ids.includes(hash)) {
        skipped++;
        continue;
      }
      if (ids.length < AT_NEWEST_IDS) atNewest[beat.type] = [...ids, hash];
    } else late = true;
    evaluated++;
    if (lastBeatAt === undefined || at > lastBeatAt) lastBeatAt = at;
    for (const rule of readers.get(beat.type) ?? []) {
      if (late && !rule.mergesLateBeats) continue;
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
  for (const [ruleId, working] of memories) {
    const next = working.toState();
    // a rule that remembers nothing takes no room in the state item
    if (Object.keys(next.series).length === 0 && Object.keys(next.facts).length === 0) delete memory[ruleId];
    else memory[ruleId] = next;
  }

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
      atNewest,
      memory,
      trackers,
      checkpoints,
    },
    findings: [...latest.values()],
    notifications,
    evaluated,
    skipped,
  };
}

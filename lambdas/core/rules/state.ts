/**
 * One compact item per installation: what the rules remember between batches (bounded series and
 * facts per rule), the consecutive-hit trackers with the open findings, the newest beat per type,
 * the recent beat ids and the shard checkpoints that make a retried batch a no-op.
 */
import type { BeatType } from '../telemetry/catalogue';
import type { Point, RuleMemory, Severity, Signal } from './rule';

export interface FindingEvent {
  readonly at: string;
  readonly event: FindingEventKind;
  readonly severity: Severity;
  readonly evidence: Signal['evidence'];
}

export type FindingEventKind = 'opened' | 'escalated' | 'deescalated' | 'resolved' | 'reopened';

export interface OpenFinding {
  readonly findingId: string;
  readonly severity: Severity;
  readonly openedAt: string;
  readonly evidence: Signal['evidence'];
  readonly history: readonly FindingEvent[];
}

export interface Tracker {
  /** consecutive firing evaluations */
  readonly hits: number;
  /** consecutive clear evaluations */
  readonly clears: number;
  readonly open?: OpenFinding;
  /** the last resolved finding, so a quick relapse reopens it instead of paging again */
  readonly resolved?: OpenFinding & { readonly resolvedAt: string };
}

export interface RuleMemoryState {
  readonly series: Record<string, Point[]>;
  readonly facts: Record<string, unknown>;
}

export interface InstallationState {
  readonly installationId: string;
  readonly accountId: string;
  /** optimistic concurrency: a write succeeds only over the version it read */
  readonly version: number;
  /** newest collectedAt of any beat, epoch ms */
  readonly lastBeatAt?: number;
  readonly newest: Partial<Record<BeatType, number>>;
  readonly memory: Record<string, RuleMemoryState>;
  /** keyed `<ruleId>|<subject>` */
  readonly trackers: Record<string, Tracker>;
  /** last sequence number processed per shard */
  readonly checkpoints: Record<string, string>;
  /** prefixes of the most recent beat ids, oldest first: a re-sent beat is evaluated once */
  readonly recentBeatIds: readonly string[];
}

export const RECENT_BEAT_IDS = 1000;
export const BEAT_ID_PREFIX = 16;
export const HISTORY_EVENTS = 20;

export function emptyState(installationId: string, accountId: string): InstallationState {
  return {
    installationId,
    accountId,
    version: 0,
    newest: {},
    memory: {},
    trackers: {},
    checkpoints: {},
    recentBeatIds: [],
  };
}

export const trackerKey = (ruleId: string, subject: string) => `${ruleId}|${subject}`;

/** A mutable working copy of one rule's memory, written back into the state after the batch. */
export class WorkingMemory implements RuleMemory {
  private readonly points: Record<string, Point[]>;
  private readonly facts: Record<string, unknown>;
  /** series already copied in this batch, safe to append to in place */
  private readonly owned = new Set<string>();

  constructor(from: RuleMemoryState | undefined) {
    this.points = { ...(from?.series ?? {}) };
    this.facts = { ...(from?.facts ?? {}) };
  }

  series(key: string): readonly Point[] {
    return this.points[key] ?? [];
  }

  push(key: string, point: Point, maxPoints: number): readonly Point[] {
    const current = this.points[key] ?? [];
    const last = current[current.length - 1];
    let next: Point[];
    if (!last || point.t > last.t) {
      // the common case, a newer point: appended in place to this batch's own copy of the series
      // (copied once per batch, so the state read from the store is never mutated)
      next = this.owned.has(key) ? current : current.slice();
      next.push(point);
      if (next.length > maxPoints) next.splice(0, next.length - maxPoints);
    } else {
      // a beat re-sent or arriving late lands in time order; the same instant is not counted twice
      next = [...current.filter((p) => p.t !== point.t), point].sort((a, b) => a.t - b.t);
      if (next.length > maxPoints) next = next.slice(next.length - maxPoints);
    }
    this.points[key] = next;
    this.owned.add(key);
    return next;
  }

  fact<T = unknown>(key: string): T | undefined {
    return this.facts[key] as T | undefined;
  }

  setFact(key: string, value: unknown): void {
    this.facts[key] = value;
  }

  keys(): readonly string[] {
    return [...new Set([...Object.keys(this.points), ...Object.keys(this.facts)])];
  }

  forget(key: string): void {
    this.owned.delete(key);
    delete this.points[key];
    delete this.facts[key];
  }

  toState(): RuleMemoryState {
    return { series: this.points, facts: this.facts };
  }
}

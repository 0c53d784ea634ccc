/**
 * What the rules remember of one installation between batches: bounded series and facts per rule,
 * the consecutive-hit trackers with their open and recently resolved findings (each with its
 * history), the newest beat per type (a watermark: with the ids evaluated at that instant, it makes
 * a re-sent beat evaluate once) and the shard checkpoints that make a retried batch a no-op.
 *
 * Size budget. The state is read and written once per installation per stream batch (once a
 * cycle, from every installation), so its stored size is the largest DynamoDB cost of the rules.
 * The support store (lambdas/adapters/dynamodb-support-store.ts) keeps it deflated
 * (support-state-codec.ts) in a STATE item kept within 1 KB (1 write unit; it passes only when
 * what one batch changed does not fit alone): its keys and the plain attributes the indexes and
 * support's reads use (about 200 bytes, open findings deflated), and what changes batch after
 * batch (counters' series, watermarks, tracker counts, about 500 bytes). What stops changing
 * (findings with their histories, 7-day baselines, growth series, inventory facts) goes to a
 * STATE#APART item, written only when STATE would overflow (a small change of one is a patch in
 * STATE), so about daily. Both are
 * read with one Query (1 read unit up to 4 KB together). Worst case seen: about 1.3 KB and 2.3 KB.
 * `npm run bench -- --only rules` measures them (steady and flapping installations, after a hour
 * and after a week). Anything a rule adds must be bounded (see RuleMemory).
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

/** A pending change of an open finding's severity (escalations wait for `openAfter`, the others `resolveAfter`). */
export interface SeverityShift {
  readonly severity: Severity;
  readonly count: number;
}

export interface Tracker {
  /** consecutive firing evaluations */
  readonly hits: number;
  /** consecutive clear evaluations */
  readonly clears: number;
  /** while open: consecutive evaluations on one side of its severity, and the severity all of them reached */
  readonly shift?: SeverityShift;
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
  /**
   * per beat type, the newest collectedAt evaluated (epoch ms): the watermark. A beat collected
   * before it is late (or re-sent): only rules that merge late beats see it, and its signals move
   * no tracker
   */
  readonly newest: Partial<Record<BeatType, number>>;
  /**
   * per beat type, hashes (beatIdHash) of the beats evaluated at exactly `newest[type]`: a re-send
   * of one of them is skipped, another beat of that instant (one per database) is evaluated
   */
  readonly atNewest: Partial<Record<BeatType, readonly number[]>>;
  readonly memory: Record<string, RuleMemoryState>;
  /** keyed `<ruleId>|<subject>` */
  readonly trackers: Record<string, Tracker>;
  /** last sequence number processed per shard */
  readonly checkpoints: Record<string, string>;
  /**
   * when the counters' snapshot was last written (the newest counter beat's collectedAt then,
   * epoch ms down to the minute): written again 15 minutes later at the earliest (process-batch.ts)
   */
  readonly snapshotsAt?: number;
  /**
   * only on a state read from an item of the old shape (before the watermark): the prefixes of its
   * recent beat ids, so the first batch after the change still skips re-sent beats; never written
   */
  readonly legacyBeatIdPrefixes?: readonly string[];
}

/** beats of one type evaluated at one instant that are remembered (one per database is typical) */
export const AT_NEWEST_IDS = 64;
/** the length of the beat id prefixes the old state shape kept */
export const LEGACY_BEAT_ID_PREFIX = 16;
export const HISTORY_EVENTS = 20;

/**
 * 32-bit FNV-1a of a beat id. A collision only matters between two different beats of the same
 * type collected at the same millisecond by the same installation (the second would be taken for
 * a re-send): about one in 2^32 per pair.
 */
export function beatIdHash(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function emptyState(installationId: string, accountId: string): InstallationState {
  return {
    installationId,
    accountId,
    version: 0,
    newest: {},
    atNewest: {},
    memory: {},
    trackers: {},
    checkpoints: {},
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

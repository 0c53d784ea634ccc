/**
 * Support's fleet overview (docs/proactive-support.md "Fleet overview"): open findings by severity
 * and by rule, a point a day for 30 days; the noisiest rules (opened and resolved most often in 7
 * days); how many installations are silent; the installations by suite release and SQL edition.
 * Built from small counters the rules Lambda adds to
 * as findings open, move and resolve (one write an invocation, never a scan of findings), and the
 * last-beat index support's list walks.
 */
import { assertRole, type Principal } from '../licensing/access';
import type { Severity } from '../rules/rule';
import type { SupportReadStore } from './ports';
import type { Clock } from '../ports';

/** Counts by `<ruleId>|<severity>`. */
export type Counts = Record<string, number>;

/** What one invocation's findings changed: opened and resolved (for noise), net open (for the totals). */
export interface FleetTally {
  readonly opened: Counts;
  readonly resolved: Counts;
  readonly net: Counts;
}

export interface DayCounters extends FleetTally {
  /** YYYY-MM-DD (UTC) */
  readonly day: string;
}

/** An installation's suite version and SQL Server edition, as its newest inventory beats said. */
export interface InstallationFacts {
  readonly installationId: string;
  readonly suiteVersion?: string;
  readonly sqlEdition?: string;
  /** collectedAt (epoch ms) of the beat each came from: an older beat never overwrites */
  readonly suiteAt?: number;
  readonly editionAt?: number;
}

export interface FleetCounterStore {
  /** adds the tally to `day`'s counters and to the running open totals */
  add(day: string, tally: FleetTally): Promise<void>;
  /** the days from `fromDay` to `toDay` that have counters, and the running open totals */
  read(fromDay: string, toDay: string): Promise<{ days: DayCounters[]; open: Counts }>;
  /** stores what `facts` says, each field only over an older one */
  putFacts(facts: InstallationFacts, now: number): Promise<void>;
  /** every installation's facts */
  facts(): Promise<Omit<InstallationFacts, 'installationId'>[]>;
}

/** The newest suite version and SQL edition among one installation's beats; undefined when none says. */
export function factsOfBeats(
  installationId: string,
  beats: Iterable<{ readonly type: string; readonly collectedAt: string; readonly data: unknown }>,
): InstallationFacts | undefined {
  let facts: { -readonly [K in keyof InstallationFacts]: InstallationFacts[K] } = { installationId };
  for (const beat of beats) {
    const at = Date.parse(beat.collectedAt);
    const data = beat.data as { version?: unknown; edition?: unknown };
    if (beat.type === 'ucx.suite' && typeof data.version === 'string' && !(at <= (facts.suiteAt ?? -1)))
      facts = { ...facts, suiteVersion: data.version, suiteAt: at };
    if (beat.type === 'ucx.database_server' && typeof data.edition === 'string' && !(at <= (facts.editionAt ?? -1)))
      facts = { ...facts, sqlEdition: data.edition, editionAt: at };
  }
  return facts.suiteAt !== undefined || facts.editionAt !== undefined ? facts : undefined;
}

/** A suite version by its release (`2025.4.1` → `2025.4`): the granularity support tunes by. */
export const suiteRelease = (version: string) => version.split('.').slice(0, 2).join('.');

export interface FleetDeps {
  readonly counters: FleetCounterStore;
  readonly store: Pick<SupportReadStore, 'healthBySilence' | 'silenceBuckets'>;
  readonly clock: Clock;
}

export interface FindingChange {
  readonly kind: string;
  readonly ruleId: string;
  readonly severity: string;
  readonly previousSeverity?: string;
}

const keyOf = (ruleId: string, severity: string) => `${ruleId}|${severity}`;
const bump = (counts: Counts, key: string, by: number) => {
  counts[key] = (counts[key] ?? 0) + by;
};

/** The counters an invocation's finding changes add; undefined when none moved. */
export function tallyChanges(changes: Iterable<FindingChange>): FleetTally | undefined {
  const tally = { opened: {} as Counts, resolved: {} as Counts, net: {} as Counts };
  let any = false;
  for (const { kind, ruleId, severity, previousSeverity } of changes) {
    const key = keyOf(ruleId, severity);
    if (kind === 'opened' || kind === 'reopened') {
      bump(tally.opened, key, 1);
      bump(tally.net, key, 1);
    } else if (kind === 'resolved') {
      bump(tally.resolved, key, 1);
      bump(tally.net, key, -1);
    } else if ((kind === 'escalated' || kind === 'deescalated') && previousSeverity) {
      bump(tally.net, keyOf(ruleId, previousSeverity), -1);
      bump(tally.net, key, 1);
    } else continue;
    any = true;
  }
  return any ? tally : undefined;
}

export const dayOf = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 10);
const DAY_MS = 86_400_000;
export const OVERVIEW_DAYS = 30;
export const NOISE_DAYS = 7;
/** silent this long counts as silent in the overview (and its link) */
export const OVERVIEW_SILENT_HOURS = 24;
/** index pages of 100 read per bucket to count the silent at most: the overview's cost bound */
const MAX_SILENT_PAGES_PER_BUCKET = 5;
const severities: readonly Severity[] = ['critical', 'warning', 'info'];

export interface FleetOverview {
  from: string;
  to: string;
  /** one point a day, oldest first: the findings open at the end of that day */
  days: { day: string; bySeverity: Record<Severity, number>; byRule: Record<string, number> }[];
  open: { bySeverity: Record<Severity, number>; byRule: { ruleId: string; count: number }[] };
  /** the last NOISE_DAYS days, most opened and resolved first */
  noisiestRules: { ruleId: string; opened: number; resolved: number }[];
  silent: { hours: number; count: number; atLeast: boolean };
  /** installations by suite release and by SQL Server edition, most first */
  installations: {
    bySuiteRelease: { release: string; count: number }[];
    bySqlEdition: { edition: string; count: number }[];
  };
}

function grouped(counts: Counts) {
  const bySeverity: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  const byRule: Record<string, number> = {};
  for (const [key, n] of Object.entries(counts)) {
    if (n <= 0) continue;
    const [ruleId, severity] = key.split('|') as [string, Severity];
    if (severity in bySeverity) bySeverity[severity] += n;
    byRule[ruleId] = (byRule[ruleId] ?? 0) + n;
  }
  return { bySeverity, byRule };
}

export async function fleetOverview(deps: FleetDeps, principal: Principal): Promise<FleetOverview> {
  assertRole(principal, 'support', 'backoffice');
  const now = deps.clock.now().getTime();
  const dayList = Array.from({ length: OVERVIEW_DAYS }, (_, i) => dayOf(now - (OVERVIEW_DAYS - 1 - i) * DAY_MS));
  const [{ days, open }, silent, facts] = await Promise.all([
    deps.counters.read(dayList[0]!, dayList.at(-1)!),
    countSilent(deps, now),
    deps.counters.facts(),
  ]);
  const byDay = new Map(days.map((d) => [d.day, d]));

  // Walk back from today's totals: the open count at the end of a day is today's minus what
  // the days after it added (counters start when the fleet's do; a negative is clamped to 0).
  const points: FleetOverview['days'] = [];
  const running: Counts = { ...open };
  for (let i = dayList.length - 1; i >= 0; i--) {
    const day = dayList[i]!;
    points.unshift({ day, ...grouped(running) });
    for (const [key, n] of Object.entries(byDay.get(day)?.net ?? {})) bump(running, key, -n);
  }

  const noise = new Map<string, { opened: number; resolved: number }>();
  for (const day of dayList.slice(-NOISE_DAYS)) {
    const counters = byDay.get(day);
    if (!counters) continue;
    for (const [field, counts] of [
      ['opened', counters.opened],
      ['resolved', counters.resolved],
    ] as const)
      for (const [key, n] of Object.entries(counts)) {
        const ruleId = key.split('|')[0]!;
        const entry = noise.get(ruleId) ?? { opened: 0, resolved: 0 };
        entry[field] += n;
        noise.set(ruleId, entry);
      }
  }
  const current = grouped(open);
  return {
    from: dayList[0]!,
    to: dayList.at(-1)!,
    days: points,
    open: {
      bySeverity: current.bySeverity,
      byRule: Object.entries(current.byRule)
        .map(([ruleId, count]) => ({ ruleId, count }))
        .sort((a, b) => b.count - a.count || a.ruleId.localeCompare(b.ruleId)),
    },
    noisiestRules: [...noise]
      .map(([ruleId, n]) => ({ ruleId, ...n }))
      .sort((a, b) => b.opened + b.resolved - (a.opened + a.resolved) || a.ruleId.localeCompare(b.ruleId))
      .slice(0, 10),
    silent: { hours: OVERVIEW_SILENT_HOURS, ...silent },
    installations: {
      bySuiteRelease: countBy(facts, (f) => f.suiteVersion && suiteRelease(f.suiteVersion)).map(([release, count]) => ({
        release,
        count,
      })),
      bySqlEdition: countBy(facts, (f) => f.sqlEdition).map(([edition, count]) => ({ edition, count })),
    },
  };
}

function countBy<T>(items: readonly T[], keyOf: (item: T) => string | undefined): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) {
    const key = keyOf(item);
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Installations without a beat for OVERVIEW_SILENT_HOURS, from the last-beat index (oldest first in each bucket). */
async function countSilent(deps: FleetDeps, now: number): Promise<{ count: number; atLeast: boolean }> {
  const beatBefore = new Date(now - OVERVIEW_SILENT_HOURS * 3_600_000).toISOString();
  const perBucket = await Promise.all(
    Array.from({ length: deps.store.silenceBuckets }, async (_, bucket) => {
      let count = 0;
      let after: Parameters<FleetDeps['store']['healthBySilence']>[1]['after'];
      for (let pages = 0; pages < MAX_SILENT_PAGES_PER_BUCKET; pages++) {
        const page = await deps.store.healthBySilence(bucket, { beatBefore, limit: 100, ...(after ? { after } : {}) });
        count += page.installations.length;
        if (!page.next) return { count, atLeast: false };
        after = page.next;
      }
      return { count, atLeast: true };
    }),
  );
  return {
    count: perBucket.reduce((sum, b) => sum + b.count, 0),
    atLeast: perBucket.some((b) => b.atLeast),
  };
}

export { severities as overviewSeverities };

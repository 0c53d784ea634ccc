/**
 * The hourly compaction of the archive: which closed hours to rewrite into Parquet, and the rule
 * that a run replaces an hour only when it wrote every row it read (docs/telemetry.md, "Columnar
 * archive"). The engine (Athena, DuckDB locally) is behind ArchiveCompactionStore.
 */
import type { Clock } from '../ports';
import { type ArchiveHour, compactionSettleMs } from './archive-tables';

export { compactionSettleMs };

const hourMs = 3_600_000;
const dayMs = 86_400_000;

export interface ArchiveCompactionStore {
  /** hours of `days` (YYYY-MM-DD) holding raw objects, with when the newest was written */
  rawHours(region: string, days: readonly string[]): Promise<{ hour: ArchiveHour; lastWrittenAt: Date }[]>;
  /** hours of `days` with a manifest, with when it was written */
  compactedHours(region: string, days: readonly string[]): Promise<{ hour: ArchiveHour; compactedAt: Date }[]>;
  /** rows of the hour's raw objects (both layouts) */
  countRawRows(hour: ArchiveHour): Promise<number>;
  /** writes the hour's rows as Parquet into the run's own, empty folder */
  writeRun(hour: ArchiveHour, runId: string): Promise<void>;
  /** rows the run's Parquet holds */
  countRunRows(hour: ArchiveHour, runId: string): Promise<number>;
  /** points the hour's manifest at the run, then deletes the run it replaced */
  publishRun(hour: ArchiveHour, runId: string): Promise<void>;
  /** deletes a run that will not be published */
  discardRun(hour: ArchiveHour, runId: string): Promise<void>;
}

export interface CompactionSettings {
  readonly region: string;
  /** raw objects expire this many days after they are written (cdk.json `archive.rawDays`) */
  readonly rawDays: number;
  /** hours compacted per run at most (each is three queries); the rest wait for the next run */
  readonly maxHoursPerRun: number;
}

export interface HourCompaction {
  readonly hour: ArchiveHour;
  readonly runId: string;
  readonly rowsRead: number;
  readonly rowsWritten: number;
  readonly outcome: 'published' | 'empty' | 'count-mismatch';
}

export class CompactionCountMismatch extends Error {
  constructor(readonly compactions: readonly HourCompaction[]) {
    super(
      `compaction wrote a different row count than it read, nothing published: ${compactions
        .map((c) => `${hourLabel(c.hour)} read ${c.rowsRead}, wrote ${c.rowsWritten}`)
        .join('; ')}`,
    );
    this.name = 'CompactionCountMismatch';
  }
}

export const hourLabel = (h: ArchiveHour): string => `${h.region}/${h.dt}T${h.hour}`;
const hourStart = (h: ArchiveHour) => Date.parse(`${h.dt}T${h.hour}:00:00Z`);

/**
 * The hours a run looks at: from the oldest whose raw objects are all still there (a day of margin
 * before `rawDays`: recompacting an hour whose oldest objects expired would drop them) to the
 * newest closed one.
 */
export function compactionWindow(
  now: Date,
  settings: CompactionSettings,
): { from: number; to: number; days: string[] } {
  const to = Math.floor((now.getTime() - compactionSettleMs) / hourMs) * hourMs - hourMs;
  const from = Math.floor((now.getTime() - (settings.rawDays - 1) * dayMs) / hourMs) * hourMs;
  const days: string[] = [];
  for (let day = Math.floor(from / dayMs) * dayMs; day <= to; day += dayMs) {
    days.push(new Date(day).toISOString().slice(0, 10));
  }
  return { from, to, days };
}

/**
 * What to compact, oldest first: each closed hour of the window with raw objects that has no
 * Parquet yet, or whose newest raw object was written after its Parquet (a late archiver retry).
 */
export function planCompaction(
  now: Date,
  settings: CompactionSettings,
  raw: readonly { hour: ArchiveHour; lastWrittenAt: Date }[],
  compacted: readonly { hour: ArchiveHour; compactedAt: Date }[],
): ArchiveHour[] {
  const { from, to } = compactionWindow(now, settings);
  const compactedAt = new Map(compacted.map((c) => [hourLabel(c.hour), c.compactedAt.getTime()]));
  return raw
    .filter(({ hour, lastWrittenAt }) => {
      const start = hourStart(hour);
      if (hour.region !== settings.region || start < from || start > to) return false;
      const at = compactedAt.get(hourLabel(hour));
      return at === undefined || lastWrittenAt.getTime() >= at;
    })
    .map((r) => r.hour)
    .sort((a, b) => hourStart(a) - hourStart(b))
    .slice(0, settings.maxHoursPerRun);
}

/** A run's id: when it started, so a re-run of an hour always writes to a fresh folder. */
export const runIdOf = (now: Date, n: number): string =>
  `${now.toISOString().replace(/[-:.]/g, '').toLowerCase()}-${n}`;

/** Compacts one hour: counts, writes a fresh run, counts again, and publishes only if they agree. */
export async function compactArchiveHour(
  store: ArchiveCompactionStore,
  hour: ArchiveHour,
  runId: string,
): Promise<HourCompaction> {
  const rowsRead = await store.countRawRows(hour);
  if (rowsRead === 0) return { hour, runId, rowsRead, rowsWritten: 0, outcome: 'empty' };
  await store.writeRun(hour, runId);
  const rowsWritten = await store.countRunRows(hour, runId);
  if (rowsWritten !== rowsRead) {
    await store.discardRun(hour, runId);
    return { hour, runId, rowsRead, rowsWritten, outcome: 'count-mismatch' };
  }
  await store.publishRun(hour, runId);
  return { hour, runId, rowsRead, rowsWritten, outcome: 'published' };
}

/**
 * One scheduled run: the planned hours, or `hours` when given (a backfill or a forced re-run; each
 * must be closed). Every hour is tried; a count mismatch fails the run once all are done, so the
 * scheduler's retry and the function's error alarm see it while the other hours are published.
 */
export async function compactArchive(
  deps: { store: ArchiveCompactionStore; clock: Clock },
  settings: CompactionSettings,
  hours?: readonly ArchiveHour[],
): Promise<HourCompaction[]> {
  const now = deps.clock.now();
  let todo: readonly ArchiveHour[];
  if (hours) {
    const { to } = compactionWindow(now, settings);
    const open = hours.filter((h) => hourStart(h) > to);
    if (open.length > 0) throw new RangeError(`not closed yet: ${open.map(hourLabel).join(', ')}`);
    todo = hours;
  } else {
    const { days } = compactionWindow(now, settings);
    const [raw, compacted] = await Promise.all([
      deps.store.rawHours(settings.region, days),
      deps.store.compactedHours(settings.region, days),
    ]);
    todo = planCompaction(now, settings, raw, compacted);
  }
  const done: HourCompaction[] = [];
  for (const [n, hour] of todo.entries()) done.push(await compactArchiveHour(deps.store, hour, runIdOf(now, n)));
  const mismatches = done.filter((c) => c.outcome === 'count-mismatch');
  if (mismatches.length > 0) throw new CompactionCountMismatch(mismatches);
  return done;
}

/**
 * The stream consumer's history write for one installation's beats of a batch (docs/proactive-support.md
 * "History"). Every item is written once, whole, with a Put (DynamoDB charges an update the larger
 * of the old and new item, so nothing grows): each request's 1-minute points as blocks of at most
 * 15 minutes keyed by their content; for every hour the batch closes (or a late beat touched), its
 * four 15-minute points, from that hour's 1-minute blocks; for every day so closed, its 24 1-hour
 * points, from its 15-minute points. A batch sent again writes the same items with the same values.
 */
import type { Beat, BeatType } from '../telemetry/catalogue';
import type { BlockWrite, HistoryBlock, HistoryStore } from './ports';
import { MINUTE_MS, minutePoints, seriesBeatTypes, type SeriesPoints } from './series';
import { downsampleAll, hourTier, minuteTier, pointsWithin, quarterTier, unionBlocks } from './tiers';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** the longest span of one 1-minute block: an hour's aggregate reads its blocks from this much earlier */
export const MINUTE_BLOCK_MS = 15 * MINUTE_MS;

export interface HistoryWrite {
  /** 1-minute blocks written */
  readonly minuteBlocks: number;
  /** hours whose 15-minute points were written */
  readonly hours: readonly number[];
  /** days whose 1-hour points were written */
  readonly days?: readonly number[];
}

export interface RecordOptions {
  readonly processPattern?: string;
  /**
   * the minute of the newest point before this batch, when the caller knows it (the rules' state,
   * `previousPointAt`): used only when it is before this batch's first block, else the block before is read
   */
  readonly previousAt?: number;
}

/**
 * @param requests the beats of each agent request (stream record) in the batch: each request's
 *   points make blocks of their own, so a request sent again gives the same blocks however the
 *   stream grouped it with others
 */
export async function recordHistory(
  store: HistoryStore,
  installationId: string,
  requests: readonly (readonly Beat[])[],
  now: number,
  { processPattern, previousAt: known }: RecordOptions = {},
): Promise<HistoryWrite> {
  const blocks: HistoryBlock[] = [];
  for (const beats of requests) {
    const kept = pointsWithin(minutePoints(beats, processPattern), minuteTier, 0, Number.POSITIVE_INFINITY, now);
    if (kept.size > 0) blocks.push(...minuteBlocks(kept));
  }
  if (blocks.length === 0) return { minuteBlocks: 0, hours: [] };
  blocks.sort((a, b) => a.start - b.start);
  const points = unionBlocks(blocks.map((b) => b.series));
  // the point before this batch: the hours between it and this batch ended without their last
  // minute in a batch, and are aggregated now. Read only when the caller does not know it, or its
  // time is not before this batch (late beats: the point before them is another)
  const [previousAt] = await Promise.all([
    known !== undefined && known < blocks[0]!.start
      ? known
      : store.blockBefore(installationId, minuteTier, blocks[0]!.start).then((b) => b && newestOf(b.series)),
    store.putBlocks(installationId, minuteTier, blocks, { byContent: true }),
  ]);
  const hours = hoursClosed(points, now, previousAt);
  // the days over since the previous request (an agent off for days: its last day from its quarters)
  const newest = newestOf(points)!;
  // (unless the previous request held the day's last minute: it closed the day itself)
  const closedItself = (at: number) => Math.floor(at / DAY_MS) * DAY_MS + DAY_MS <= at + MINUTE_MS;
  const since = previousAt !== undefined && previousAt < newest && !closedItself(previousAt) ? [previousAt] : [];
  const days = daysClosed([...hours, ...since], now, newest).filter((day) => day >= now - quarterTier.keepMs);
  if (hours.length === 0 && days.length === 0) return { minuteBlocks: blocks.length, hours };
  const quarters = hours.length > 0 ? await writeQuarters(store, installationId, hours, blocks, now) : [];

  // a day's 1-hour points, one item, once the day is over: from its 15-minute points, those just
  // computed with the stored ones (the store may not hold them yet, deferringPuts)
  const daily: HistoryBlock[] = [];
  for (const day of days) {
    const stored = await store.blocks(installationId, quarterTier, day, day + DAY_MS, { consistent: true });
    const ofDay = quarters.filter((q) => q.start >= day && q.start < day + DAY_MS);
    const all = unionBlocks([...stored, ...ofDay].map((b) => b.series));
    const dayQuarters = pointsWithin(all, quarterTier, day, day + DAY_MS, now);
    if (dayQuarters.size > 0) daily.push({ start: day, series: downsampleAll(dayQuarters, HOUR_MS) });
  }
  await store.putBlocks(installationId, hourTier, daily);
  return { minuteBlocks: blocks.length, hours: quarters.map((b) => b.start), days: daily.map((b) => b.start) };
}

/**
 * The store as `recordHistory` sees it within a stream batch: its Puts wait for `flush`, which
 * writes every installation's together (`putMany`: 25 items a request, not one or more each).
 * Safe because nothing in a batch reads its own writes back (an hour's points union the batch's
 * 1-minute blocks with what is stored, a day's its 15-minute points); the batch is not done until
 * the flush is.
 */
export function deferringPuts(store: HistoryStore): {
  store: HistoryStore;
  flush(): Promise<ReadonlyMap<string, unknown>>;
} {
  const queued: BlockWrite[] = [];
  const deferring: HistoryStore = {
    putBlocks: async (installationId, tier, blocks, options) => {
      if (blocks.length > 0) queued.push({ installationId, tier, blocks, ...(options ? { options } : {}) });
    },
    putMany: (writes) => store.putMany(writes),
    blocks: (...args) => store.blocks(...args),
    blockBefore: (...args) => store.blockBefore(...args),
  };
  const flush = async (): Promise<ReadonlyMap<string, unknown>> => {
    const writes = queued.splice(0);
    if (writes.length === 0) return new Map();
    // a write that threw names no installation: all of them failed
    return store.putMany(writes).catch((reason: unknown) => new Map(writes.map((w) => [w.installationId, reason])));
  };
  return { store: deferring, flush };
}

/** Each hour's four 15-minute points, from its 1-minute blocks (one consistent Query); the blocks written. */
async function writeQuarters(
  store: HistoryStore,
  installationId: string,
  hours: readonly number[],
  blocks: readonly HistoryBlock[],
  now: number,
): Promise<HistoryBlock[]> {
  const from = hours[0]! - MINUTE_BLOCK_MS;
  const to = hours[hours.length - 1]! + HOUR_MS;
  const stored = await store.blocks(installationId, minuteTier, from, to, { consistent: true });
  const all = unionBlocks([...stored.map((b) => b.series), ...blocks.map((b) => b.series)]);
  const quarters: HistoryBlock[] = [];
  for (const hour of hours) {
    const minutes = pointsWithin(all, minuteTier, hour, hour + HOUR_MS, now);
    if (minutes.size === 0) continue;
    quarters.push({ start: hour, series: downsampleAll(minutes, quarterTier.resolutionSeconds * 1000) });
  }
  await store.putBlocks(installationId, quarterTier, quarters);
  return quarters;
}

/**
 * The minute of the newest history point before a batch, from the rules' state read before it
 * (each beat type's newest instant): the newest of the types that make series. It can be later
 * than the newest point when that beat gave no point (no suite process running), which only
 * matters to an hour whose last request gave none.
 */
export function previousPointAt(newest: Partial<Record<BeatType, number>> | undefined): number | undefined {
  let at: number | undefined;
  for (const type of seriesBeatTypes) {
    const t = newest?.[type];
    if (t !== undefined && (at === undefined || t > at)) at = t;
  }
  return at === undefined ? undefined : Math.floor(at / MINUTE_MS) * MINUTE_MS;
}

/** The days of these hours that are over (at the clock, or by the beats' own time). */
export function daysClosed(hours: readonly number[], now: number, newest = Number.NEGATIVE_INFINITY): number[] {
  const days = new Set(hours.map((hour) => Math.floor(hour / DAY_MS) * DAY_MS));
  return [...days].filter((day) => day + DAY_MS <= Math.max(now, newest + MINUTE_MS)).sort((a, b) => a - b);
}

function newestOf(series: SeriesPoints): number | undefined {
  let newest: number | undefined;
  for (const list of series.values()) for (const p of list) if (newest === undefined || p.t > newest) newest = p.t;
  return newest;
}

/** The points cut into blocks of at most MINUTE_BLOCK_MS from the first point on (the same beats, the same blocks). */
export function minuteBlocks(points: SeriesPoints): HistoryBlock[] {
  let first = Number.POSITIVE_INFINITY;
  for (const list of points.values()) if (list.length > 0 && list[0]!.t < first) first = list[0]!.t;
  const byBlock = new Map<number, SeriesPoints>();
  for (const [key, list] of points)
    for (const p of list) {
      const start = first + Math.floor((p.t - first) / MINUTE_BLOCK_MS) * MINUTE_BLOCK_MS;
      let block = byBlock.get(start);
      if (!block) {
        block = new Map();
        byBlock.set(start, block);
      }
      const held = block.get(key);
      if (held) held.push(p);
      else block.set(key, [p]);
    }
  return [...byBlock].sort(([a], [b]) => a - b).map(([start, series]) => ({ start, series }));
}

/**
 * The hours to aggregate after this batch: those it touched that are over (a late beat's hour
 * again), and those that ended between the previous beat and this batch; only hours whose 1-minute
 * points are still all kept.
 */
export function hoursClosed(points: SeriesPoints, now: number, previousBeatAt?: number): number[] {
  let newest = Number.NEGATIVE_INFINITY;
  const touched = new Set<number>();
  for (const list of points.values())
    for (const p of list) {
      touched.add(Math.floor(p.t / HOUR_MS) * HOUR_MS);
      if (p.t > newest) newest = p.t;
    }
  // over at the clock, or by the beats' own time (an agent's clock a little ahead)
  const over = (hour: number) => hour + HOUR_MS <= Math.max(now, newest + MINUTE_MS);
  const hours = new Set([...touched].filter(over));
  const complete = now - minuteTier.keepMs + MINUTE_BLOCK_MS;
  if (previousBeatAt !== undefined && previousBeatAt < newest) {
    // the previous batch closed its own hour if it held that hour's last minute
    let hour = Math.floor(previousBeatAt / HOUR_MS) * HOUR_MS;
    if (hour + HOUR_MS <= previousBeatAt + MINUTE_MS) hour += HOUR_MS;
    for (hour = Math.max(hour, Math.ceil(complete / HOUR_MS) * HOUR_MS); over(hour); hour += HOUR_MS) hours.add(hour);
  }
  return [...hours].filter((hour) => hour >= complete).sort((a, b) => a - b);
}

/**
 * The history's tiers (docs/proactive-support.md "History"): 1-minute points kept 48 hours,
 * 15-minute aggregates kept 30 days, 1-hour aggregates kept 13 months; the chart range each one
 * serves; merging and downsampling points (min of mins, max of maxes, mean weighted by count).
 */
import * as z from 'zod/mini';
import type { Point, SeriesPoints } from './series';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface Tier {
  /** the chart range it serves */
  readonly range: HistoryRange;
  readonly rangeMs: number;
  readonly resolutionSeconds: 60 | 900 | 3600;
  /** a point older than this (against the clock) is gone */
  readonly keepMs: number;
}

export const historyRanges = ['24h', '7d', '90d'] as const;
export const historyRangeSchema = z.enum(historyRanges, { error: 'not a history range: 24h, 7d or 90d' });
export type HistoryRange = z.infer<typeof historyRangeSchema>;

export const tiers: Readonly<Record<HistoryRange, Tier>> = {
  '24h': { range: '24h', rangeMs: DAY_MS, resolutionSeconds: 60, keepMs: 48 * HOUR_MS },
  '7d': { range: '7d', rangeMs: 7 * DAY_MS, resolutionSeconds: 900, keepMs: 30 * DAY_MS },
  // 13 months: 396 days covers the same month of last year whatever the month's length
  '90d': { range: '90d', rangeMs: 90 * DAY_MS, resolutionSeconds: 3600, keepMs: 396 * DAY_MS },
};

export const minuteTier = tiers['24h'];
export const quarterTier = tiers['7d'];
export const hourTier = tiers['90d'];

export const tierForRange = (range: HistoryRange): Tier => tiers[range];

/**
 * How much time one stored block of a tier spans at most: a request's 1-minute points in blocks of
 * 15 minutes, an hour's four 15-minute points, a day's 24 1-hour points. A chart's read starts
 * this much before its range; a block expires this much after its start plus what the tier keeps.
 */
export const blockSpanMs = (tier: Tier): number =>
  tier.resolutionSeconds === 60 ? 15 * 60_000 : tier.resolutionSeconds === 900 ? HOUR_MS : DAY_MS;

/** One point of many: count-weighted mean, min of mins, max of maxes, counts summed. */
export function mergePoints(t: number, points: readonly Point[]): Point {
  let sum = 0;
  let n = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    sum += p.avg * p.n;
    n += p.n;
    if (p.min < min) min = p.min;
    if (p.max > max) max = p.max;
  }
  return { t, avg: n > 0 ? sum / n : 0, min, max, n };
}

/** Points of one series at a coarser resolution: each bucket of `resolutionMs` merged. */
export function downsample(points: readonly Point[], resolutionMs: number): Point[] {
  const buckets = new Map<number, Point[]>();
  for (const p of points) {
    const t = Math.floor(p.t / resolutionMs) * resolutionMs;
    const bucket = buckets.get(t);
    if (bucket) bucket.push(p);
    else buckets.set(t, [p]);
  }
  return [...buckets].sort(([a], [b]) => a - b).map(([t, bucket]) => mergePoints(t, bucket));
}

export function downsampleAll(series: SeriesPoints, resolutionMs: number): SeriesPoints {
  const out: SeriesPoints = new Map();
  for (const [key, points] of series) out.set(key, downsample(points, resolutionMs));
  return out;
}

/**
 * Several stored blocks of one tier as one set of series: a point stored twice (a batch sent again,
 * batches that overlap) counts once, the one of more samples kept.
 */
export function unionBlocks(blocks: readonly SeriesPoints[]): SeriesPoints {
  const byKey = new Map<string, Map<number, Point>>();
  for (const block of blocks)
    for (const [key, points] of block) {
      let byT = byKey.get(key);
      if (!byT) {
        byT = new Map();
        byKey.set(key, byT);
      }
      for (const p of points) {
        const held = byT.get(p.t);
        if (!held || p.n > held.n) byT.set(p.t, p);
      }
    }
  const out: SeriesPoints = new Map();
  for (const [key, byT] of byKey)
    out.set(
      key,
      [...byT.values()].sort((a, b) => a.t - b.t),
    );
  return out;
}

/** Only the points in [from, to) that the tier still keeps at `now`. */
export function pointsWithin(series: SeriesPoints, tier: Tier, from: number, to: number, now: number): SeriesPoints {
  const oldest = Math.max(from, now - tier.keepMs);
  const out: SeriesPoints = new Map();
  for (const [key, points] of series) {
    const kept = points.filter((p) => p.t >= oldest && p.t < to);
    if (kept.length > 0) out.set(key, kept);
  }
  return out;
}

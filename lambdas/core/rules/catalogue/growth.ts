/**
 * A database's growth, shared by db-growth-forecast and db-express-cap: a bounded size series in
 * the rule's memory and a least-squares line over its recent points (Zabbix `timeleft` style).
 */
import type { Point, RuleMemory } from '../rule';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Appends a size unless a kept point is closer than `spacingMs` (dense beats do not crowd out the span). */
export function recordSize(memory: RuleMemory, key: string, point: Point, spacingMs: number, maxPoints: number) {
  const series = memory.series(key);
  for (const p of series) if (Math.abs(p.t - point.t) < spacingMs) return series;
  return memory.push(key, point, maxPoints);
}

export interface Growth {
  /** points in the window */
  readonly points: number;
  /** from the window's first point to its last */
  readonly spanHours: number;
  /** the line's slope; 0 with fewer than two points */
  readonly bytesPerDay: number;
}

/** The least-squares growth over `series`' points within `windowDays` up to `at` (x in days relative to `at`). */
export function growthOf(series: readonly Point[], at: number, windowDays: number): Growth {
  const from = at - windowDays * DAY;
  let n = 0;
  let sumX = 0;
  let sumY = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const p of series) {
    if (p.t < from || p.t > at) continue;
    n++;
    sumX += (p.t - at) / DAY;
    sumY += p.v;
    if (p.t < first) first = p.t;
    if (p.t > last) last = p.t;
  }
  if (n < 2) return { points: n, spanHours: 0, bytesPerDay: 0 };
  const meanX = sumX / n;
  const meanY = sumY / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of series) {
    if (p.t < from || p.t > at) continue;
    const dx = (p.t - at) / DAY - meanX;
    sxy += dx * (p.v - meanY);
    sxx += dx * dx;
  }
  return { points: n, spanHours: (last - first) / HOUR, bytesPerDay: sxx > 0 ? sxy / sxx : 0 };
}

/** Days until `sizeBytes` growing at `bytesPerDay` reaches `capBytes`; Infinity when not growing. */
export const daysUntil = (capBytes: number, sizeBytes: number, bytesPerDay: number) =>
  bytesPerDay > 0 ? Math.max(0, (capBytes - sizeBytes) / bytesPerDay) : Infinity;

/**
 * A bounded per-hour history for the surge rules (acd-queue-surge, curri-rate): one mean per hour of
 * the week (168 slots, each stamped with its epoch hour, 336 numbers) plus the open hour's running
 * sum, and the median of the same hour of day (UTC) over the last 7 days.
 */
import type { RuleMemory } from '../rule';

const HOUR = 3_600_000;
export const HOURS_PER_WEEK = 168;
export const BASELINE_DAYS = 7;

interface Week {
  /** epoch hour each slot holds, -1 when empty */
  readonly s: readonly number[];
  /** the mean of that hour */
  readonly v: readonly number[];
}

export interface BaselineKeys {
  readonly week: string;
  readonly hour: string;
  readonly sum: string;
  readonly count: string;
}

/** the memory keys of one baseline; build once per subject at module load */
export const baselineKeys = (prefix: string): BaselineKeys => ({
  week: `${prefix}:week`,
  hour: `${prefix}:hour`,
  sum: `${prefix}:sum`,
  count: `${prefix}:count`,
});

const round2 = (v: number) => Math.round(v * 100) / 100;

function closeHour(memory: RuleMemory, keys: BaselineKeys, hour: number, mean: number): void {
  const week = memory.fact<Week>(keys.week);
  // copied once per hour: the previous state is never mutated
  const s = week ? [...week.s] : new Array<number>(HOURS_PER_WEEK).fill(-1);
  const v = week ? [...week.v] : new Array<number>(HOURS_PER_WEEK).fill(0);
  const slot = hour % HOURS_PER_WEEK;
  s[slot] = hour;
  v[slot] = round2(mean);
  memory.setFact(keys.week, { s, v } satisfies Week);
}

/** adds one observation to its hour; a late beat of an hour already closed is dropped */
export function recordHourly(memory: RuleMemory, keys: BaselineKeys, at: number, value: number): void {
  const hour = Math.floor(at / HOUR);
  const open = memory.fact<number>(keys.hour);
  if (open === hour) {
    memory.setFact(keys.sum, (memory.fact<number>(keys.sum) ?? 0) + value);
    memory.setFact(keys.count, (memory.fact<number>(keys.count) ?? 0) + 1);
    return;
  }
  if (open !== undefined && hour < open) return;
  if (open !== undefined)
    closeHour(memory, keys, open, (memory.fact<number>(keys.sum) ?? 0) / (memory.fact<number>(keys.count) ?? 1));
  memory.setFact(keys.hour, hour);
  memory.setFact(keys.sum, value);
  memory.setFact(keys.count, 1);
}

const samples: number[] = []; // scratch for one evaluation

/**
 * The median of the same hour of day over the previous 7 days, or undefined with fewer than
 * `minDays` of them on record.
 */
export function hourOfDayMedian(
  memory: RuleMemory,
  keys: BaselineKeys,
  at: number,
  minDays: number,
): number | undefined {
  const hour = Math.floor(at / HOUR);
  const week = memory.fact<Week>(keys.week);
  const open = memory.fact<number>(keys.hour);
  samples.length = 0;
  for (let day = 1; day <= BASELINE_DAYS; day++) {
    const target = hour - 24 * day;
    if (week && week.s[target % HOURS_PER_WEEK] === target) samples.push(week.v[target % HOURS_PER_WEEK]!);
    else if (open === target)
      samples.push((memory.fact<number>(keys.sum) ?? 0) / (memory.fact<number>(keys.count) ?? 1));
  }
  if (samples.length < minDays || samples.length === 0) return undefined;
  samples.sort((a, b) => a - b);
  const mid = samples.length >> 1;
  return samples.length % 2 ? samples[mid]! : (samples[mid - 1]! + samples[mid]!) / 2;
}

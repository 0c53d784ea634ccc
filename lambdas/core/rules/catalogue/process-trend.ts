/**
 * The leak trend shared by process-handle-leak, -memory-leak and -thread-leak: one series per suite
 * process name, reset when the pid changes, firing on monotonic growth over the last N beats with a
 * least-squares slope (over the beats' own times, so sparse or irregular beats weigh right) above a
 * rate per hour. Subject = the process name: a restart under a new pid clears the same finding.
 */
import * as z from 'zod';
import type { Point, RuleContext, Signal } from '../rule';
import { clearVanished } from './subjects';
import { namePattern, namePatternSchema, severitySchema, SUITE_NAMES } from './suite-names';

const HOUR = 3_600_000;
/** a suite installation runs a few dozen processes; names beyond this are not tracked (bounded state) */
export const MAX_TRACKED_PROCESSES = 64;
const PIDS = 'pids';
const NO_PIDS: Readonly<Record<string, number>> = Object.freeze({});
const NO_SIGNALS: readonly Signal[] = Object.freeze([]);
/** scratch for one evaluation (evaluation is synchronous) */
const seen = new Set<string>();

export type TrendMetric = 'handleCount' | 'memoryBytes' | 'threadCount';

export const trendConfig = (minRatePerHour: number) =>
  z.object({
    /** suite processes by name; sqlservr.exe is left out because SQL Server grows memory by design */
    processPattern: namePatternSchema(SUITE_NAMES),
    /** beats of monotonic growth (same pid) before the slope counts */
    minBeats: z.int().min(3).max(48).default(6),
    /** least-squares slope over those beats, in the metric's unit per hour */
    minRatePerHour: z.number().positive().default(minRatePerHour),
    severity: severitySchema.default('warning'),
  });
export type TrendConfig = z.infer<ReturnType<typeof trendConfig>>;

const seriesKey = (name: string) => `s:${name}`;
const pidOf = (pids: Readonly<Record<string, number>>, name: string) =>
  Object.hasOwn(pids, name) ? pids[name] : undefined;

function runs(processes: readonly { pid: number; name: string }[], name: string, pid: number): boolean {
  for (const p of processes) if (p.pid === pid && p.name === name) return true;
  return false;
}

/** least-squares slope per hour, times relative to the first point for precision */
function slopePerHour(series: readonly Point[]): number {
  const n = series.length;
  const t0 = series[0]!.t;
  let st = 0;
  let sv = 0;
  let stt = 0;
  let stv = 0;
  for (const p of series) {
    const t = (p.t - t0) / HOUR;
    st += t;
    sv += p.v;
    stt += t * t;
    stv += t * p.v;
  }
  const d = n * stt - st * st;
  return d === 0 ? 0 : (n * stv - st * sv) / d;
}

function judge(subject: string, pid: number, series: readonly Point[], config: TrendConfig): Signal {
  const n = series.length;
  const first = series[0]!;
  const last = series[n - 1]!;
  if (n < config.minBeats) return { subject, severity: null, evidence: { pid, beats: n, value: last.v } };
  let monotonic = last.v > first.v;
  for (let i = 1; i < n && monotonic; i++) monotonic = series[i]!.v >= series[i - 1]!.v;
  const perHour = slopePerHour(series);
  return {
    subject,
    severity: monotonic && perHour >= config.minRatePerHour ? config.severity : null,
    evidence: {
      pid,
      beats: n,
      from: first.v,
      to: last.v,
      perHour: Math.round(perHour * 10) / 10,
      hours: Math.round(((last.t - first.t) / HOUR) * 10) / 10,
    },
  };
}

export function evaluateTrend(
  ctx: RuleContext<TrendConfig>,
  metric: TrendMetric,
  resolveAfter: number,
): readonly Signal[] {
  const { beat, at, memory, config } = ctx;
  if (beat.type !== 'processes.running') return NO_SIGNALS;
  const pattern = namePattern(config.processPattern);
  const known = memory.fact<Record<string, number>>(PIDS) ?? NO_PIDS;
  const processes = beat.data.processes;

  if (ctx.late) {
    // an older beat: its point lands in time order on the series of the same pid, nothing else moves
    for (const p of processes)
      if (pattern.test(p.name) && pidOf(known, p.name) === p.pid)
        memory.push(seriesKey(p.name), { t: at, v: p[metric] }, config.minBeats);
    return NO_SIGNALS;
  }

  seen.clear();
  let pids: Record<string, number> | undefined; // copied on first change: the previous state is never mutated
  let tracked = -1;
  const signals: Signal[] = [];
  for (const p of processes) {
    if (!pattern.test(p.name) || seen.has(p.name)) continue;
    const was = pidOf(known, p.name);
    if (was !== p.pid) {
      if (was !== undefined && runs(processes, p.name, was)) continue; // another instance of the name keeps its series
      if (was === undefined) {
        if (tracked < 0) tracked = Object.keys(known).length;
        if (tracked >= MAX_TRACKED_PROCESSES) continue;
        tracked++;
      }
      pids ??= { ...known };
      pids[p.name] = p.pid;
      memory.forget(seriesKey(p.name)); // a new pid starts a new series
    }
    seen.add(p.name);
    signals.push(
      judge(p.name, p.pid, memory.push(seriesKey(p.name), { t: at, v: p[metric] }, config.minBeats), config),
    );
  }
  for (const name in known) {
    if (seen.has(name)) continue;
    pids ??= { ...known };
    delete pids[name];
    memory.forget(seriesKey(name));
  }
  if (pids) memory.setFact(PIDS, pids);
  return clearVanished(memory, signals, resolveAfter);
}

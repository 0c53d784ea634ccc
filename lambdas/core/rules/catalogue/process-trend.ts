/**
 * The leak trend shared by process-handle-leak, -memory-leak and -thread-leak: one series per suite
 * process name (its latest run of growth), reset when the pid changes, firing on monotonic growth
 * over the last N beats with a least-squares slope (over the beats' own times, so sparse or
 * irregular beats weigh right) above a rate per hour. Subject = the process name: a restart under
 * a new pid clears the same finding.
 */
import * as z from 'zod/mini';
import type { Beat } from '../../telemetry/catalogue';
import type { Point, RuleContext, RuleMemory, Signal } from '../rule';
import { clearVanished } from './subjects';
import { namePattern, namePatternSchema, severitySchema, SUITE_NAMES } from './suite-names';

const HOUR = 3_600_000;
/** a suite installation runs a few dozen processes; names beyond this are not tracked (bounded state) */
export const MAX_TRACKED_PROCESSES = 64;
/** fact: the tracked names and the pid each series belongs to, as parallel arrays */
const TRACKED = 'tracked';
interface Tracked {
  readonly names: readonly string[];
  readonly pids: readonly number[];
}
const NOTHING_TRACKED: Tracked = { names: [], pids: [] };
const NO_SIGNALS: readonly Signal[] = Object.freeze([]);
/** scratch for one evaluation (evaluation is synchronous): which tracked names this beat reported */
const seen = new Uint8Array(MAX_TRACKED_PROCESSES);

type Process = Extract<Beat, { type: 'processes.running' }>['data']['processes'][number];
/** the suite processes of the last beat filtered: the three leak rules share one pass over ~200 processes */
let filteredFrom: readonly Process[] | undefined;
let filteredBy: string | undefined;
let filtered: Process[] = [];

export function suiteProcesses(processes: readonly Process[], patternSource: string): readonly Process[] {
  if (processes !== filteredFrom || patternSource !== filteredBy) {
    const pattern = namePattern(patternSource);
    filtered = [];
    for (const p of processes) if (pattern.test(p.name)) filtered.push(p);
    filteredFrom = processes;
    filteredBy = patternSource;
  }
  return filtered;
}

export type TrendMetric = 'handleCount' | 'memoryBytes' | 'threadCount';

export const trendConfig = (minRatePerHour: number) =>
  z.object({
    /** suite processes by name; sqlservr.exe is left out because SQL Server grows memory by design */
    processPattern: namePatternSchema(SUITE_NAMES),
    /** samples of monotonic growth (same pid) before the slope counts */
    minBeats: z._default(z.int().check(z.gte(3), z.lte(48)), 6),
    /** the growth must last this long: at one beat a minute, 6 beats alone would be noise (*proposal*) */
    minHours: z._default(z.number().check(z.gte(0), z.lte(48)), 1),
    /** least-squares slope over those beats, in the metric's unit per hour */
    minRatePerHour: z._default(z.number().check(z.positive()), minRatePerHour),
    severity: z._default(severitySchema, 'warning'),
  });
export type TrendConfig = z.infer<ReturnType<typeof trendConfig>>;

const seriesKey = (name: string) => `s:${name}`;

/**
 * Adds a point to a process's series, which holds only its latest run of non-decreasing values: a
 * decrease starts the run again. The run keeps samples at least `spacingMs` apart plus the newest
 * point as a moving tail (so a dip between samples still breaks it), at most minBeats + 1 points
 * (minBeats samples spanning minHours, and the tail): the state item stays small at any beat rate. A late point older than the run is dropped.
 */
function pushRun(
  memory: RuleMemory,
  key: string,
  point: Point,
  maxPoints: number,
  spacingMs: number,
): readonly Point[] {
  const before = memory.series(key);
  if (before.length > 0 && point.t < before[0]!.t) return before;
  const last = before[before.length - 1];
  const previous = before[before.length - 2];
  if (last && point.t > last.t && point.v >= last.v && previous && last.t - previous.t < spacingMs) {
    // the tail has not yet moved a spacing away from the sample before it: it moves on
    memory.forget(key);
    for (const p of before.slice(0, -1)) memory.push(key, p, maxPoints);
    return memory.push(key, point, maxPoints);
  }
  const series = memory.push(key, point, maxPoints);
  let start = 0;
  for (let i = 1; i < series.length; i++) if (series[i]!.v < series[i - 1]!.v) start = i;
  if (start === 0) return series;
  const run = series.slice(start);
  memory.forget(key);
  for (const p of run) memory.push(key, p, maxPoints);
  return memory.series(key);
}

/** samples this far apart make minBeats of them span minHours */
const spacingOf = (config: TrendConfig) => (config.minHours * HOUR) / Math.max(1, config.minBeats - 1);

function runs(processes: readonly Process[], name: string, pid: number): boolean {
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
  if (n < config.minBeats || last.t - first.t < config.minHours * HOUR)
    return { subject, severity: null, evidence: { pid, beats: n, value: last.v } };
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
  const tracked = memory.fact<Tracked>(TRACKED) ?? NOTHING_TRACKED;
  const processes = suiteProcesses(beat.data.processes, config.processPattern);

  if (ctx.late) {
    // an older beat: its point lands in time order on the series of the same pid, nothing else moves
    for (const p of processes) {
      const i = tracked.names.indexOf(p.name);
      if (i >= 0 && tracked.pids[i] === p.pid)
        pushRun(memory, seriesKey(p.name), { t: at, v: p[metric] }, config.minBeats + 1, spacingOf(config));
    }
    return NO_SIGNALS;
  }

  // copied on first change: the previous state is never mutated
  let names = tracked.names as string[];
  let pids = tracked.pids as number[];
  let copied = false;
  const copy = () => {
    if (copied) return;
    names = [...names];
    pids = [...pids];
    copied = true;
  };
  seen.fill(0);
  const signals: Signal[] = [];
  for (const p of processes) {
    let i = names.indexOf(p.name);
    if (i >= 0 && seen[i]) continue; // a second instance of a name already judged
    if (i < 0) {
      if (names.length >= MAX_TRACKED_PROCESSES) continue;
      copy();
      i = names.push(p.name) - 1;
      pids.push(p.pid);
      memory.forget(seriesKey(p.name));
    } else if (pids[i] !== p.pid) {
      if (runs(processes, p.name, pids[i]!)) continue; // another instance of the name keeps its series
      copy();
      pids[i] = p.pid;
      memory.forget(seriesKey(p.name)); // a new pid starts a new series
    }
    seen[i] = 1;
    signals.push(
      judge(
        p.name,
        p.pid,
        pushRun(memory, seriesKey(p.name), { t: at, v: p[metric] }, config.minBeats + 1, spacingOf(config)),
        config,
      ),
    );
  }
  for (let i = names.length - 1; i >= 0; i--) {
    if (seen[i]) continue;
    copy();
    memory.forget(seriesKey(names[i]!));
    names.splice(i, 1);
    pids.splice(i, 1);
  }
  if (copied) memory.setFact(TRACKED, { names, pids } satisfies Tracked);
  return clearVanished(memory, signals, resolveAfter);
}

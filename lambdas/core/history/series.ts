/**
 * The history's series (docs/proactive-support.md "History"): which counters of which beats make a
 * series, keyed as the contract says (`process:<name>:cpuPercent`, `database:<name>:sizeBytes`,
 * …), and the 1-minute points a batch of beats gives. A process is its name, summed over its pids.
 */
import * as z from 'zod/mini';
import type { Product } from '../licensing/catalogue';
import { namePattern, SUITE_PROCESSES_WITH_SQL } from '../rules/catalogue/suite-names';
import type { Beat, BeatType } from '../telemetry/catalogue';

export type SeriesUnit = 'percent' | 'bytes' | 'count';

/** One point: the samples of its time bucket as count-weighted mean, min, max and how many. */
export interface Point {
  /** the bucket's start, epoch ms */
  readonly t: number;
  readonly avg: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

export const MINUTE_MS = 60_000;

/** Usage series drawn against the licence: the product whose capacity is their line. */
export const capacityProducts: Readonly<Record<string, Product>> = {
  'consoles:connected': 'attendant-console',
  'calls:ivr:active': 'ivr',
  'calls:call-recording:active': 'call-recording',
};

const processMetrics = { cpuPercent: 'percent', memoryBytes: 'bytes', handleCount: 'count' } as const;

/** The fixed series (the ones without a process or database name in them): key → label and unit. */
const fixedSeries: Readonly<Record<string, { label: string; unit: SeriesUnit }>> = {
  'calls:ivr:active': { label: 'IVR active calls', unit: 'count' },
  'calls:call-recording:active': { label: 'Active recordings', unit: 'count' },
  'calls:acd:active': { label: 'ACD active consultations', unit: 'count' },
  'calls:digital-fax:active': { label: 'Fax transmissions (sending and receiving)', unit: 'count' },
  'queue:acd-fifo:length': { label: 'ACD FIFO queue length', unit: 'count' },
  'queue:acd-camp-on:length': { label: 'ACD camp-on queue length', unit: 'count' },
  'consoles:connected': { label: 'Connected attendant consoles', unit: 'count' },
};

const SERIES_KEY =
  /^(?:process:[^:]{1,256}:(?:cpuPercent|memoryBytes|handleCount)|database:[^:]{1,128}:sizeBytes|calls:[a-z-]{1,32}:active|queue:[a-z-]{1,32}:length|consoles:connected)$/;
/** a series key as the route takes it */
export const seriesKeySchema = z.string().check(z.maxLength(300), z.regex(SERIES_KEY, 'not a history series key'));

/** Label and unit of a series key (the key is valid). */
export function describeSeries(key: string): { label: string; unit: SeriesUnit } {
  const fixed = fixedSeries[key];
  if (fixed) return fixed;
  const [kind, name = '', metric = ''] = splitKey(key);
  if (kind === 'database') return { label: `Database ${name} size`, unit: 'bytes' };
  const unit = processMetrics[metric as keyof typeof processMetrics] ?? 'count';
  const what = metric === 'cpuPercent' ? 'CPU' : metric === 'memoryBytes' ? 'memory' : 'handles';
  return { label: `${name} ${what}`, unit };
}

/** kind, name, metric: the name is between the first and the last colon */
function splitKey(key: string): [string, string, string] {
  const first = key.indexOf(':');
  const last = key.lastIndexOf(':');
  return [key.slice(0, first), key.slice(first + 1, last), key.slice(last + 1)];
}

/** The beat types whose values make series (valuesOfBeat's cases). */
export const seriesBeatTypes: ReadonlySet<BeatType> = new Set<BeatType>([
  'processes.running',
  'ucx.database',
  'ucx.ivr',
  'ucx.call_recording',
  'ucx.acd',
  'ucx.digital_fax',
  'ucx.attendant_console',
]);

/** The values one beat gives, by series key (processes of one name summed). */
export function valuesOfBeat(beat: Beat, processPattern = SUITE_PROCESSES_WITH_SQL): Map<string, number> {
  const values = new Map<string, number>();
  const add = (key: string, value: number) => values.set(key, (values.get(key) ?? 0) + value);
  switch (beat.type) {
    case 'processes.running': {
      const pattern = namePattern(processPattern);
      for (const p of beat.data.processes) {
        if (!pattern.test(p.name)) continue;
        add(`process:${p.name}:cpuPercent`, p.cpuPercent);
        add(`process:${p.name}:memoryBytes`, p.memoryBytes);
        add(`process:${p.name}:handleCount`, p.handleCount);
      }
      break;
    }
    case 'ucx.database':
      add(`database:${beat.data.name}:sizeBytes`, beat.data.sizeBytes);
      break;
    case 'ucx.ivr':
      add('calls:ivr:active', beat.data.activeCalls);
      break;
    case 'ucx.call_recording':
      add('calls:call-recording:active', beat.data.activeRecordings);
      break;
    case 'ucx.acd':
      add('calls:acd:active', beat.data.activeConsultations);
      add('queue:acd-fifo:length', beat.data.fifoQueued);
      add('queue:acd-camp-on:length', beat.data.campOnQueued);
      break;
    case 'ucx.digital_fax':
      add('calls:digital-fax:active', beat.data.transmitting + beat.data.receiving);
      break;
    case 'ucx.attendant_console':
      add(
        'consoles:connected',
        beat.data.connected.reduce((sum, c) => sum + c.count, 0),
      );
      break;
    default:
      break;
  }
  // a key longer than the route accepts (a very long process name) is not kept
  for (const key of values.keys()) if (!SERIES_KEY.test(key) || key.length > 300) values.delete(key);
  return values;
}

/** Series key → its points, oldest first. */
export type SeriesPoints = Map<string, Point[]>;

/**
 * The 1-minute points of a batch of beats: each beat counted once (by id), at the minute it was
 * collected; beats of one series in one minute are aggregated.
 */
export function minutePoints(beats: readonly Beat[], processPattern?: string): SeriesPoints {
  const seen = new Set<string>();
  const samples = new Map<string, Map<number, number[]>>();
  for (const beat of beats) {
    if (seen.has(beat.id)) continue;
    seen.add(beat.id);
    const t = Math.floor(Date.parse(beat.collectedAt) / MINUTE_MS) * MINUTE_MS;
    if (!Number.isFinite(t)) continue;
    for (const [key, value] of valuesOfBeat(beat, processPattern)) {
      let byMinute = samples.get(key);
      if (!byMinute) {
        byMinute = new Map();
        samples.set(key, byMinute);
      }
      const list = byMinute.get(t);
      if (list) list.push(value);
      else byMinute.set(t, [value]);
    }
  }
  const out: SeriesPoints = new Map();
  for (const [key, byMinute] of samples) {
    const points = [...byMinute]
      .sort(([a], [b]) => a - b)
      .map(([t, values]) => ({
        t,
        avg: values.reduce((s, v) => s + v, 0) / values.length,
        min: Math.min(...values),
        max: Math.max(...values),
        n: values.length,
      }));
    out.set(key, points);
  }
  return out;
}

/**
 * One history block as a binary attribute: a format byte, then raw-deflated JSON
 * `{"k":[series keys],"p":[[row, …] per key]}`, a row `[step, value]` for a single sample
 * or `[step, avg, min, max, count]`; a series of single samples on consecutive steps (1-minute
 * points nearly always) as `{"s":first step,"v":[values]}`, and in format 3 an aggregate's
 * (15-minute, 1-hour points) as columns `{"s","a":[avg],"l":[min],"h":[max],"n":count or [counts]}`;
 * `step` counted in the tier's resolution from the block's start, values as precise as a chart
 * shows. Compact because DynamoDB charges writes and storage by size.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import * as z from 'zod/mini';
import { describeSeries, MINUTE_MS, type Point, type SeriesPoints } from '../core/history/series';

/** format 1: raw deflate; format 2: raw deflate with HISTORY_DICTIONARY_V2; format 3: as 2, gapless aggregates as columns */
const FORMAT = 2;
const FORMAT_COLUMNS = 3;
/**
 * What every block repeats: the JSON's frame and the series keys' parts, so even their first
 * occurrence in a block is a back-reference. Frozen: a block written with it decodes only with
 * it (a better one is a new format byte, this one kept for decoding).
 */
export const HISTORY_DICTIONARY_V2 = Buffer.from(
  [
    'process:Imagicle.',
    '.exe:handleCount","process:UCX.',
    '.Service.exe:cpuPercent","process:UCX.',
    '.Service.exe:memoryBytes","process:UCX.',
    '.Service.exe:handleCount","process:sqlservr.exe:cpuPercent","process:sqlservr.exe:handleCount","process:sqlservr.exe:memoryBytes",',
    '"queue:acd-camp-on:length","queue:acd-fifo:length","calls:digital-fax:active","calls:acd:active",',
    '"calls:call-recording:active","calls:ivr:active","consoles:connected","database:UCX:sizeBytes",',
    '{"k":["calls:ivr:active","consoles:connected","database:',
    '"],"p":[[[0,',
  ].join(''),
  'utf8',
);
/**
 * To `significant` digits (and at most 3 decimals): what a chart can show. A byte count's random
 * low digits would otherwise be most of the block, and DynamoDB bills every KB written and stored.
 */
export const round = (v: number, significant = 5) => {
  if (v === 0 || !Number.isFinite(v)) return v;
  const digits = Math.min(3, significant - 1 - Math.floor(Math.log10(Math.abs(v))));
  const scale = 10 ** Math.abs(digits);
  return digits >= 0 ? Math.round(v * scale) / scale : Math.round(v / scale) * scale;
};

/** per unit: a percent to 0.1, bytes to 4 significant digits (1 MB of a GB), counts to 5 */
const rounding = (key: string): ((v: number) => number) => {
  const { unit } = describeSeries(key);
  if (unit === 'percent') return (v) => Math.round(v * 10) / 10;
  if (unit === 'bytes') return (v) => round(v, 4);
  return (v) => round(v);
};

const row = z.union([
  z.tuple([z.number(), z.number()]),
  z.tuple([z.number(), z.number(), z.number(), z.number(), z.number()]),
]);
const blockJson = z.object({
  k: z.array(z.string()),
  p: z.array(
    z.union([
      z.array(row),
      z.pipe(
        z.object({ s: z.number(), v: z.array(z.number()) }),
        z.transform(({ s, v }) => v.map((x, i) => [s + i, x] as const)),
      ),
      z.pipe(
        z.object({
          s: z.number(),
          a: z.array(z.number()),
          l: z.optional(z.array(z.number())),
          h: z.optional(z.array(z.number())),
          n: z.union([z.number(), z.array(z.number())]),
        }),
        z.transform(({ s, a, l, h, n }) =>
          a.map((avg, i) => [s + i, avg, l?.[i] ?? avg, h?.[i] ?? avg, typeof n === 'number' ? n : n[i]!] as const),
        ),
      ),
    ]),
  ),
});

export function encodeBlock(start: number, resolutionMs: number, series: SeriesPoints): Uint8Array {
  const keys = [...series.keys()].sort();
  const rows = keys.map((key) => {
    const r = rounding(key);
    return series.get(key)!.map((p) => {
      const step = Math.round((p.t - start) / resolutionMs);
      return p.n === 1 && p.min === p.max ? [step, r(p.avg)] : [step, r(p.avg), r(p.min), r(p.max), p.n];
    });
  });
  const deflated = (p: unknown[]) =>
    deflateRawSync(JSON.stringify({ k: keys, p }), { level: 9, dictionary: HISTORY_DICTIONARY_V2 });
  const asRows = deflated(rows.map(runOf));
  // an aggregate tier's gapless series as columns (a day's 24 hours: a fifth smaller), where smaller;
  // a 1-minute block (every post) is not tried
  const columns = resolutionMs > MINUTE_MS ? deflated(rows.map(columnsOf)) : undefined;
  return columns && columns.length < asRows.length
    ? Buffer.concat([Buffer.from([FORMAT_COLUMNS]), columns])
    : Buffer.concat([Buffer.from([FORMAT]), asRows]);
}

const consecutive = (list: number[][]) => list.length > 1 && list.every((row, i) => row[0] === list[0]![0]! + i);

/** Single samples on consecutive steps (1-minute points nearly always) as their first step and values; others as they are. */
function runOf(list: number[][]): unknown {
  return consecutive(list) && list.every((row) => row.length === 2)
    ? { s: list[0]![0]!, v: list.map((row) => row[1]!) }
    : list;
}

/** An aggregate on consecutive steps as `{s, a, l?, h?, n}` (min and max left out where they equal avg, one count when all are); others as runOf. */
function columnsOf(list: number[][]): unknown {
  if (!consecutive(list) || list.every((row) => row.length === 2)) return runOf(list);
  const full = list.map((row) => (row.length === 2 ? [row[0]!, row[1]!, row[1]!, row[1]!, 1] : row));
  const a = full.map((row) => row[1]!);
  const l = full.map((row) => row[2]!);
  const h = full.map((row) => row[3]!);
  const n = full.map((row) => row[4]!);
  return {
    s: list[0]![0]!,
    a,
    ...(l.some((v, i) => v !== a[i]) ? { l } : {}),
    ...(h.some((v, i) => v !== a[i]) ? { h } : {}),
    n: n.every((c) => c === n[0]) ? n[0]! : n,
  };
}

export function decodeBlock(start: number, resolutionMs: number, bytes: Uint8Array): SeriesPoints {
  if (bytes[0] !== 1 && bytes[0] !== FORMAT && bytes[0] !== FORMAT_COLUMNS)
    throw new Error(`history block format ${bytes[0]} unknown`);
  const inflated = inflateRawSync(bytes.subarray(1), bytes[0] === 1 ? {} : { dictionary: HISTORY_DICTIONARY_V2 });
  const { k, p } = blockJson.parse(JSON.parse(inflated.toString('utf8')));
  const out: SeriesPoints = new Map();
  k.forEach((key, i) => {
    out.set(
      key,
      (p[i] ?? []).map((row): Point => {
        const t = start + row[0] * resolutionMs;
        return row.length === 2
          ? { t, avg: row[1], min: row[1], max: row[1], n: 1 }
          : { t, avg: row[1], min: row[2], max: row[3], n: row[4] };
      }),
    );
  });
  return out;
}

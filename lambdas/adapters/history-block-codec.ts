/**
 * One history block as a binary attribute: a format byte, then raw-deflated JSON
 * `{"k":[series keys],"p":[[row, …] per key]}`, a row `[step, value]` for a single sample
 * (1-minute points nearly always) or `[step, avg, min, max, count]`, `step` counted in the tier's
 * resolution from the block's start. Compact because DynamoDB charges writes and storage by size.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import * as z from 'zod';
import type { Point, SeriesPoints } from '../core/history/series';

const FORMAT = 1;
const round = (v: number) => Math.round(v * 1000) / 1000;

const blockJson = z.object({
  k: z.array(z.string()),
  p: z.array(
    z.array(
      z.union([
        z.tuple([z.number(), z.number()]),
        z.tuple([z.number(), z.number(), z.number(), z.number(), z.number()]),
      ]),
    ),
  ),
});

export function encodeBlock(start: number, resolutionMs: number, series: SeriesPoints): Uint8Array {
  const keys = [...series.keys()].sort();
  const rows = keys.map((key) =>
    series.get(key)!.map((p) => {
      const step = Math.round((p.t - start) / resolutionMs);
      return p.n === 1 && p.min === p.max
        ? [step, round(p.avg)]
        : [step, round(p.avg), round(p.min), round(p.max), p.n];
    }),
  );
  const json = JSON.stringify({ k: keys, p: rows });
  return Buffer.concat([Buffer.from([FORMAT]), deflateRawSync(json, { level: 9 })]);
}

export function decodeBlock(start: number, resolutionMs: number, bytes: Uint8Array): SeriesPoints {
  if (bytes[0] !== FORMAT) throw new Error(`history block format ${bytes[0]} unknown`);
  const { k, p } = blockJson.parse(JSON.parse(inflateRawSync(bytes.subarray(1)).toString('utf8')));
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

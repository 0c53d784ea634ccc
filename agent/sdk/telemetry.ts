/**
 * Turning collected data into beats the cloud accepts: each beat's `data` is checked against the
 * catalogue schema of its type (the contract, imported from the cloud's catalogue), fields outside
 * the catalogue are dropped before anything leaves the machine, and a beat that still does not fit
 * is not sent. Counters are collected every minute, inventory beats when they change or once a day
 * (telemetry/cadence.ts). Batches hold at most 500 beats and stay under 1 MiB gzipped.
 */
import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  beatDataSchemas,
  beatDataStrippingSchemas,
  beatTypes,
  inventoryBeatTypes,
  type BeatType,
} from '../../lambdas/core/telemetry/catalogue';
import { inventoryRefreshSeconds } from '../../lambdas/core/telemetry/cadence';
// a collector's refused beat is reported in words, not "Invalid input"
import '../../lambdas/core/zod-english';
import type { BeatToSend } from './types';

export { beatTypes, type BeatType };

/** Beat types describing what is installed: sent on change or daily, not every cycle. */
export const INVENTORY_TYPES: ReadonlySet<BeatType> = inventoryBeatTypes;
export const INVENTORY_RESEND_MS = inventoryRefreshSeconds * 1000;

export const MAX_BEATS_PER_BATCH = 500;
/** below the cloud's 1 MiB as sent, with room for headers */
export const MAX_BATCH_GZIP_BYTES = 900 * 1024;

export const isBeatType = (type: string): type is BeatType => (beatTypes as readonly string[]).includes(type);

export type PreparedBeat =
  | { ok: true; beat: BeatToSend; droppedFields: string[] }
  | { ok: false; type: string; errors: string[] };

/** Validates `data` against the catalogue; drops unknown fields; refuses what still does not fit. */
export function prepareBeat(
  type: string,
  data: unknown,
  collectedAt: Date = new Date(),
  id: string = randomUUID(),
): PreparedBeat {
  if (!isBeatType(type)) return { ok: false, type, errors: [`${type} is not a beat type of the catalogue`] };
  const strict = beatDataSchemas[type].safeParse(data);
  const at = collectedAt.toISOString();
  // a beat that fits (nearly every one) is parsed once; the stripping parse only when it does not
  if (strict.success)
    return {
      ok: true,
      beat: { id, type, collectedAt: at, data: strict.data as Record<string, unknown> },
      droppedFields: [],
    };
  const droppedFields = strict.error.issues
    .filter((i) => i.code === 'unrecognized_keys')
    .flatMap((i) => i.keys.map((k) => [...i.path, k].join('.')));
  const kept = beatDataStrippingSchemas[type].safeParse(data);
  if (!kept.success) {
    return { ok: false, type, errors: kept.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`) };
  }
  return {
    ok: true,
    beat: { id, type, collectedAt: at, data: kept.data as Record<string, unknown> },
    droppedFields,
  };
}

/** A stable hash of a beat's data, to notice inventory changes. */
export function dataHash(data: unknown): string {
  return createHash('sha256').update(stableJson(data)).digest('base64url');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** True when an inventory beat of this content is due: changed, or last sent a day ago. Counters: always. */
export function isDue(
  type: BeatType,
  data: unknown,
  lastSent: { hash: string; at: string } | undefined,
  now: Date = new Date(),
): boolean {
  if (!INVENTORY_TYPES.has(type) || !lastSent) return true;
  return lastSent.hash !== dataHash(data) || now.getTime() - Date.parse(lastSent.at) >= INVENTORY_RESEND_MS;
}

/** Splits beats into batches of at most 500 beats and `maxGzipBytes` gzipped. */
export function toBatches(beats: BeatToSend[], maxGzipBytes = MAX_BATCH_GZIP_BYTES): BeatToSend[][] {
  const out: BeatToSend[][] = [];
  const split = (chunk: BeatToSend[]): void => {
    if (chunk.length === 0) return;
    if (chunk.length > 1 && gzipSync(JSON.stringify({ beats: chunk })).length > maxGzipBytes) {
      const half = Math.ceil(chunk.length / 2);
      split(chunk.slice(0, half));
      split(chunk.slice(half));
      return;
    }
    out.push(chunk);
  };
  for (let i = 0; i < beats.length; i += MAX_BEATS_PER_BATCH) split(beats.slice(i, i + MAX_BEATS_PER_BATCH));
  return out;
}

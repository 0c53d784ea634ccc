/**
 * The telemetry stream's record: one per accepted agent batch (v2), the batch's sanitized beats
 * under a small envelope, gzipped; and the decoder every consumer uses, which also reads the
 * one-row-per-beat records (v1, an archive row as JSON) written before v2, during the rollout.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import * as z from 'zod/mini';
import { licenceProductFactsSchema } from '../rules/licence-facts';
import { archiveRowSchema } from './archive-row';
import { beatTypeSchema, type Beat } from './catalogue';

export const STREAM_RECORD_VERSION = 2;

/** Kinesis: a record's data and partition key together are at most 1 MiB. */
export const MAX_RECORD_BYTES = 1024 * 1024;

/**
 * gzip level of a record. Measured on the agent's post (105 beats, 44 KB of JSON; bench/workload.ts
 * agentPosts, 1 core): level 1 8.5 KB in 0.16 ms, 2 8.2 KB in 0.15 ms, 3 8.1 KB in 0.17 ms, 4 8.1 KB
 * in 0.42 ms, 6 7.4 KB in 0.31 ms. 1–3 are zlib's fast strategy (no lazy matching): 3 writes what 4
 * does at well under half its CPU; 6 saves 8 % of the shards' bytes for twice the CPU on the
 * ingest answer's path. Every level keeps a post inside one 25 KB PUT payload unit.
 */
export const RECORD_GZIP_LEVEL = 3;

/**
 * The licence facts the rules need, as ingest read them with the signature check (version 1):
 * a consumer of a record carrying them reads no licence. Care is not in it: the rules judge it at
 * their own `now` from the products' Care ends. Never archived (archive-batch.ts).
 */
export const recordLicenceSchema = z.object({
  v: z.literal(1),
  /** the licence's ETag when ingest answered; null when it has none */
  etag: z.nullable(z.string()),
  products: z.array(licenceProductFactsSchema),
  /** node names given at activation */
  nodes: z.array(z.string()),
  telemetry: z.object({ enabled: z.boolean(), intervalSeconds: z.optional(z.int().check(z.positive())) }),
});
export type RecordLicence = z.infer<typeof recordLicenceSchema>;

/** What every beat of one record shares: who sent it, where and when it arrived. */
export interface BatchHeader {
  readonly installation_id: string;
  readonly account_id: string;
  readonly region: 'eu' | 'us';
  readonly received_at: string;
  readonly catalogue: string;
  /** absent in records of an older ingest and in v1 rows: the rules then read the licence */
  readonly licence?: RecordLicence;
}

/** One beat on the stream: `data` is the sanitized catalogue object (not JSON text). */
export interface StreamBeat {
  readonly beat_id: string;
  readonly type: string;
  readonly collected_at: string;
  readonly data: Record<string, unknown>;
}

export interface DecodedRecord {
  readonly header: BatchHeader;
  readonly beats: readonly StreamBeat[];
  /** the record carried licence facts this decoder does not read (another version, a bad shape) */
  readonly licenceUnread?: true;
}

const headerShape = {
  installation_id: z.string().check(z.minLength(1)),
  account_id: z.string().check(z.minLength(1)),
  region: z.enum(['eu', 'us']),
  received_at: z.string().check(z.minLength(1)),
  catalogue: z.string().check(z.minLength(1)),
};

// Parsed on its own (recordLicenceOf): a field this decoder does not know leaves the beats readable.

const jsonObject = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'expected a JSON object',
);

const batchRecordSchema = z.object({
  v: z.literal(STREAM_RECORD_VERSION),
  ...headerShape,
  licence: z.optional(z.unknown()),
  beats: z
    .array(
      z.object({
        beat_id: z.uuid(),
        type: z.string().check(z.minLength(1)),
        collected_at: z.string().check(z.minLength(1)),
        // a JSON object, checked as one: a record schema would copy every field of every beat (the
        // rules consumer's largest CPU cost after JSON.parse); the fields were judged at ingest
        data: jsonObject,
      }),
    )
    .check(z.minLength(1)),
});

// ---------------------------------------------------------------------------------------------
// Encoding

export interface EncodedBatch {
  /** the records to put, each under MAX_RECORD_BYTES with its partition key */
  readonly records: Uint8Array[];
  /** how many beats each record holds, in the same order */
  readonly beatsPerRecord: number[];
  /** beats that do not fit in one record even alone (compressed beyond MAX_RECORD_BYTES) */
  readonly oversized: StreamBeat[];
}

export interface EncodeOptions {
  /** bytes of the partition key the records go under (they count against the record limit) */
  readonly partitionKeyBytes: number;
  /** @default MAX_RECORD_BYTES */
  readonly maxRecordBytes?: number;
  /** @default RECORD_GZIP_LEVEL */
  readonly level?: number;
}

/**
 * The records of one batch: usually one; a batch whose compressed record would exceed the limit
 * is split into as many records as its size asks for (each a complete envelope), and a part that
 * is still too big is halved again. Each beat is serialised once.
 */
export function encodeBatch(header: BatchHeader, beats: readonly StreamBeat[], options: EncodeOptions): EncodedBatch {
  const limit = (options.maxRecordBytes ?? MAX_RECORD_BYTES) - options.partitionKeyBytes;
  const level = options.level ?? RECORD_GZIP_LEVEL;
  // Key order as the type declares it, so every record reads the same.
  const prefix =
    `{"v":${STREAM_RECORD_VERSION},"installation_id":${JSON.stringify(header.installation_id)}` +
    `,"account_id":${JSON.stringify(header.account_id)},"region":${JSON.stringify(header.region)}` +
    `,"received_at":${JSON.stringify(header.received_at)},"catalogue":${JSON.stringify(header.catalogue)}` +
    `${header.licence ? `,"licence":${JSON.stringify(header.licence)}` : ''},"beats":`;
  const out: EncodedBatch = { records: [], beatsPerRecord: [], oversized: [] };
  if (beats.length === 0) return out;
  // The usual case, one record: the beats serialised in one call (a third cheaper than one by one).
  const whole = gzipSync(`${prefix}${JSON.stringify(beats)}}`, { level });
  if (whole.length <= limit) {
    out.records.push(whole);
    out.beatsPerRecord.push(beats.length);
    return out;
  }
  const parts = beats.map((beat) => JSON.stringify(beat));

  const encode = (from: number, to: number): void => {
    const record = gzipSync(`${prefix}[${parts.slice(from, to).join(',')}]}`, { level });
    if (record.length <= limit) {
      out.records.push(record);
      out.beatsPerRecord.push(to - from);
      return;
    }
    if (to - from === 1) {
      out.oversized.push(beats[from]!);
      return;
    }
    // As many pieces as the compressed size asks for (with a margin), cut by serialised size.
    const pieces = Math.max(2, Math.ceil(record.length / (limit * 0.8)));
    let total = 0;
    for (let i = from; i < to; i++) total += parts[i]!.length;
    let start = from;
    let size = 0;
    for (let i = from; i < to - 1; i++) {
      size += parts[i]!.length;
      if (size >= total / pieces) {
        encode(start, i + 1);
        start = i + 1;
        size = 0;
      }
    }
    // Everything but the last beat was under one piece's share: the last one goes alone.
    if (start === from) {
      encode(from, to - 1);
      start = to - 1;
    }
    encode(start, to);
  };
  encode(0, parts.length);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Decoding

const GZIP_MAGIC = [0x1f, 0x8b] as const;
/** a record unpacks to at most a batch's 8 MiB and its envelope; beyond is not ours */
const MAX_UNPACKED_BYTES = 9 * 1024 * 1024;

/** Raised for a record that is neither a v2 batch record nor a v1 archive row (a poison record). */
export class UndecodableRecordError extends Error {
  override readonly name = 'UndecodableRecordError';
}

/**
 * Decodes one record's data: a v2 batch record (gzip) or a v1 archive row (JSON text). Anything
 * else throws UndecodableRecordError: the consumer reports it as a batch item failure.
 */
export function decodeStreamRecord(data: Uint8Array): DecodedRecord {
  if (data.length >= 2 && data[0] === GZIP_MAGIC[0] && data[1] === GZIP_MAGIC[1]) {
    let text: string;
    try {
      text = gunzipSync(data, { maxOutputLength: MAX_UNPACKED_BYTES }).toString('utf8');
    } catch (error) {
      throw new UndecodableRecordError(`not a batch record: gzip: ${(error as Error).message}`);
    }
    const parsed = batchRecordSchema.safeParse(parseJson(text));
    if (!parsed.success) throw new UndecodableRecordError(`not a batch record: ${describe(parsed.error)}`);
    const { v: _version, beats, licence, ...header } = parsed.data;
    const facts = recordLicenceOf(licence);
    if (facts) return { header: { ...header, licence: facts }, beats };
    return licence === undefined ? { header, beats } : { header, beats, licenceUnread: true };
  }
  const row = archiveRowSchema.safeParse(parseJson(Buffer.from(data).toString('utf8')));
  if (!row.success) throw new UndecodableRecordError(`not an archive row: ${describe(row.error)}`);
  const { beat_id, type, collected_at, data: json, ...header } = row.data;
  const beatData = parseJson(json);
  if (beatData === null || typeof beatData !== 'object' || Array.isArray(beatData)) {
    throw new UndecodableRecordError('not an archive row: data is not a JSON object');
  }
  return { header, beats: [{ beat_id, type, collected_at, data: beatData as Record<string, unknown> }] };
}

/**
 * The record's licence facts, or undefined when it has none or none this decoder reads (another
 * version, a bad shape): the beats still count, and the rules fall back to reading the licence.
 */
function recordLicenceOf(value: unknown): RecordLicence | undefined {
  if (value === undefined) return undefined;
  const parsed = recordLicenceSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UndecodableRecordError(`not JSON: ${(error as Error).message}`);
  }
}

const describe = (error: z.core.$ZodError) =>
  error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');

/** The catalogue beat a stream beat carries (it was validated and sanitized at ingest). */
export function beatOf(beat: StreamBeat): Beat {
  const type = beatTypeSchema.parse(beat.type);
  return { id: beat.beat_id, type, collectedAt: beat.collected_at, data: beat.data } as Beat;
}

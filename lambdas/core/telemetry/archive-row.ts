/**
 * The shape a beat travels in, from ingest through Kinesis into the S3 archive: one flat row per
 * beat, `data` kept as JSON text so one Athena table reads every beat type.
 */
import * as z from 'zod';
import { beatTypeSchema, type Beat } from './catalogue';

export const archiveRowSchema = z.object({
  beat_id: z.uuid(),
  type: z.string().min(1),
  collected_at: z.string(),
  received_at: z.string(),
  installation_id: z.string(),
  account_id: z.string(),
  region: z.enum(['eu', 'us']),
  catalogue: z.string(),
  /** the sanitized beat data, as JSON text */
  data: z.string(),
});
export type ArchiveRow = z.infer<typeof archiveRowSchema>;

/** Kinesis / S3 partition values: `dt=YYYY-MM-DD/hour=HH` of an instant (UTC). */
export function hourPartition(at: Date): { dt: string; hour: string } {
  const iso = at.toISOString();
  return { dt: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

/**
 * Object key of one archive object: partitioned for Athena, named after the shard and the first
 * and last sequence numbers it holds, so a retried Kinesis batch overwrites instead of duplicating.
 */
export function archiveObjectKey(parts: {
  region: string;
  type: string;
  at: Date;
  shardId: string;
  firstSequence: string;
  lastSequence: string;
}): string {
  const { dt, hour } = hourPartition(parts.at);
  const shard = parts.shardId.replace(/[^A-Za-z0-9-]/g, '_');
  return `beats/region=${parts.region}/type=${parts.type}/dt=${dt}/hour=${hour}/${shard}-${parts.firstSequence}-${parts.lastSequence}.ndjson.gz`;
}

/** The archive view: one row per beat id (an agent may re-send a beat whose answer it lost). */
export function oneRowPerBeat<T extends { beat_id: string; received_at: string }>(rows: Iterable<T>): T[] {
  const first = new Map<string, T>();
  for (const row of rows) {
    const seen = first.get(row.beat_id);
    if (!seen || row.received_at < seen.received_at) first.set(row.beat_id, row);
  }
  return [...first.values()];
}

/** The beat a row carries (it was validated and sanitized at ingest; its data is JSON text). */
export function beatFromRow(row: ArchiveRow): Beat {
  const type = beatTypeSchema.parse(row.type);
  return { id: row.beat_id, type, collectedAt: row.collected_at, data: JSON.parse(row.data) } as Beat;
}

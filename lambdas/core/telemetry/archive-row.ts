/**
 * The shape a beat is archived in: one flat row per beat in the S3 archive's gzip NDJSON, `data`
 * kept as JSON text so one Athena table (a string column read with json_extract) covers every
 * beat type. Until v2 stream records, the same row was also the stream's record (stream-record.ts
 * still decodes it).
 */
import * as z from 'zod';

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
 * Object key of one archive object: every beat type of one archiver invocation that arrived in
 * one hour, partitioned for Athena by region, day and hour (the type is a column), named after the
 * shard and the first and last sequence numbers it holds, so a retried Kinesis batch overwrites
 * instead of duplicating. Objects of the v1 layout sit one level deeper, under
 * `type=<beat type>/` after the region (still read: the Glue table `beats_v1`, archive-reader.ts).
 */
export function archiveObjectKey(parts: {
  region: string;
  at: Date;
  shardId: string;
  firstSequence: string;
  lastSequence: string;
}): string {
  const { dt, hour } = hourPartition(parts.at);
  const shard = parts.shardId.replace(/[^A-Za-z0-9-]/g, '_');
  return `beats/region=${parts.region}/dt=${dt}/hour=${hour}/${shard}-${parts.firstSequence}-${parts.lastSequence}.ndjson.gz`;
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

/**
 * The shape a beat is archived in: one flat row per beat in the S3 archive's gzip NDJSON, `data`
 * kept as JSON text so one Athena table (a string column read with json_extract) covers every
 * beat type. Until v2 stream records, the same row was also the stream's record (stream-record.ts
 * still decodes it).
 */
import * as z from 'zod/mini';

export const archiveRowSchema = z.object({
  beat_id: z.uuid(),
  type: z.string().check(z.minLength(1)),
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
 * Object key of one archive object: every beat type of one run of records (consecutive records of
 * an archiver invocation, no failed record between them) that arrived in one hour, partitioned for
 * Athena by region, day and hour (the type is a column), named after the shard and the run's first
 * sequence number. Kinesis retries a batch from its first failed record, so a retry's runs start
 * where the earlier attempt's did and overwrite them, longer or shorter, never beside them.
 * Objects of the v1 layout sit one level deeper, under `type=<beat type>/` after the region
 * (still read: the Glue table `beats_v1`, archive-reader.ts).
 */
export function archiveObjectKey(parts: { region: string; at: Date; shardId: string; firstSequence: string }): string {
  const { dt, hour } = hourPartition(parts.at);
  const shard = parts.shardId.replace(/[^A-Za-z0-9-]/g, '_');
  return `beats/region=${parts.region}/dt=${dt}/hour=${hour}/${shard}-${parts.firstSequence}.ndjson.gz`;
}

/**
 * The archive view: one row per installation and beat id (an agent may re-send a beat whose
 * answer it lost). The beat id is the agent's: keyed by it alone, one installation's beat would
 * hide another's that carried the same id.
 */
export function oneRowPerBeat<T extends { installation_id: string; beat_id: string; received_at: string }>(
  rows: Iterable<T>,
): T[] {
  const first = new Map<string, T>();
  for (const row of rows) {
    const key = `${row.installation_id}|${row.beat_id}`;
    const seen = first.get(key);
    if (!seen || row.received_at < seen.received_at) first.set(key, row);
  }
  return [...first.values()];
}

/**
 * Reads a local region's telemetry archive from s3rver the way the cloud's Athena view does: every
 * `beats/region=…/dt=…/hour=…/*.ndjson.gz` object (and those of the v1 type-partitioned layout,
 * `beats/region=…/type=…/dt=…/hour=…/`), gunzipped, one row per beat id (the first received,
 * `oneRowPerBeat`), then filtered. Used by `npm run archive` and by tests.
 */
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListBucketsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { archiveRowSchema, oneRowPerBeat, type ArchiveRow } from '../lambdas/core/telemetry/archive-row';
import type { RegionKey } from './assembly';
import { localS3 } from './clients';
import type { CloudInfo, LocalRegionInfo } from './cloud';

export type { ArchiveRow };

export interface ArchiveFilters {
  /** @default both regions */
  readonly region?: RegionKey;
  /** a beat type, e.g. `hardware.memory` (a column: every object of the region is read) */
  readonly type?: string;
  readonly installation?: string;
  /** rows received at or after this instant (ISO 8601), applied after one row per beat id, as a query on the view would */
  readonly since?: string | Date;
  /** the archive bucket's local name, when the cloud.json heuristic is not wanted */
  readonly bucket?: string;
  /** lines that are not archive rows are skipped and reported here */
  readonly onWarning?: (message: string) => void;
}

export const archivePrefix = 'beats/';

/**
 * The region's archive bucket: among the region's resources of cloud.json, the existing s3rver
 * bucket whose logical id or name says "archive" (preferring `TelemetryArchive…`, and not an access
 * log or Athena results bucket).
 */
export async function findArchiveBucket(region: Pick<LocalRegionInfo, 'resources'>, s3: S3Client): Promise<string> {
  const existing = new Set(((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name));
  const buckets = Object.entries(region.resources).filter(([, name]) => existing.has(name));
  const archive = buckets.filter(([id, name]) => /archive/i.test(id) || /archive/i.test(name));
  const preferred =
    archive.find(([id]) => /^TelemetryArchive/i.test(id)) ??
    archive.find(([id]) => !/log|result|athena/i.test(id)) ??
    archive[0];
  if (!preferred) {
    throw new Error(
      `no archive bucket among this region's buckets [${buckets.map(([id]) => id).join(', ')}]: is the telemetry archive in the templates?`,
    );
  }
  return preferred[1];
}

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const out = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token && { ContinuationToken: token }) }),
    );
    for (const object of out.Contents ?? []) if (object.Key?.endsWith('.ndjson.gz')) keys.push(object.Key);
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

async function readObject(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = Buffer.from(await out.Body!.transformToByteArray());
  // gzip magic; a client that decoded it already would hand over NDJSON
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
}

/** Every row of one region's archive objects (re-sent beats included), in key order. */
export async function readRegionArchive(
  s3: S3Client,
  bucket: string,
  regionKey: RegionKey,
  filters: Pick<ArchiveFilters, 'type' | 'onWarning'> = {},
): Promise<ArchiveRow[]> {
  // The type is a column of the objects, no longer a folder: the whole region is read.
  const prefix = `${archivePrefix}region=${regionKey}/`;
  const rows: ArchiveRow[] = [];
  for (const key of await listKeys(s3, bucket, prefix)) {
    const text = (await readObject(s3, bucket, key)).toString('utf8');
    text.split('\n').forEach((line, index) => {
      if (line.trim() === '') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        filters.onWarning?.(`${key}:${index + 1}: not JSON`);
        return;
      }
      const row = archiveRowSchema.safeParse(parsed);
      if (row.success) {
        if (filters.type === undefined || row.data.type === filters.type) rows.push(row.data);
      } else filters.onWarning?.(`${key}:${index + 1}: not an archive row: ${row.error.issues[0]?.message}`);
    });
  }
  return rows;
}

/** The archive view of one or both local regions: one row per beat id, filtered, oldest first. */
export async function readArchive(
  cloudInfo: Pick<CloudInfo, 'regions'>,
  filters: ArchiveFilters = {},
): Promise<ArchiveRow[]> {
  const regions = filters.region ? [filters.region] : (Object.keys(cloudInfo.regions) as RegionKey[]);
  const since = filters.since === undefined ? undefined : new Date(filters.since).getTime();
  if (since !== undefined && Number.isNaN(since)) throw new Error(`since: not an instant: ${String(filters.since)}`);
  const out: ArchiveRow[] = [];
  for (const regionKey of regions) {
    const region = cloudInfo.regions[regionKey];
    if (!region) throw new Error(`no region ${regionKey} in cloud.json`);
    const s3 = localS3(region.endpoints.s3, region.region);
    try {
      const bucket = filters.bucket ?? (await findArchiveBucket(region, s3));
      // One row per beat id first (the view), then the query's filters: a beat first received
      // before `since` and re-sent after it is not "new".
      const rows = oneRowPerBeat(await readRegionArchive(s3, bucket, regionKey, filters));
      out.push(
        ...rows.filter(
          (row) =>
            (filters.installation === undefined || row.installation_id === filters.installation) &&
            (since === undefined || new Date(row.received_at).getTime() >= since),
        ),
      );
    } finally {
      s3.destroy();
    }
  }
  return out.sort((a, b) =>
    a.received_at < b.received_at
      ? -1
      : a.received_at > b.received_at
        ? 1
        : a.beat_id < b.beat_id
          ? -1
          : a.beat_id > b.beat_id
            ? 1
            : 0,
  );
}

/** The archive's columns, in the Glue table's order. */
export const archiveColumns = [
  'beat_id',
  'type',
  'collected_at',
  'received_at',
  'installation_id',
  'account_id',
  'region',
  'catalogue',
  'data',
] as const;

/** A plain text table of archive rows (`data` cut to `dataWidth` characters). */
export function formatArchiveTable(rows: readonly ArchiveRow[], dataWidth = 60): string {
  const cell = (row: ArchiveRow, column: (typeof archiveColumns)[number]) => {
    const value = String(row[column]);
    return column === 'data' && value.length > dataWidth ? `${value.slice(0, dataWidth - 1)}…` : value;
  };
  const widths = archiveColumns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r, c).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [
    line([...archiveColumns]),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(archiveColumns.map((c) => cell(r, c)))),
  ].join('\n');
}

/**
 * DuckDB's rewrite of one closed hour of a region's gzip NDJSON archive into one Parquet object
 * (zstd, sorted by type then installation, as the cloud's compaction writes it): the bench's
 * measure of Parquet bytes per beat over an in-memory bucket. The local cloud itself compacts
 * and queries through the Athena stand-in (local/athena.ts), as the cloud does.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { compactionSettleMs, PARQUET_ZSTD_LEVEL } from '../lambdas/core/telemetry/archive-tables';
import { archiveColumns as columns, archivePrefix } from './archive-reader';

export const parquetPrefix = 'parquet/';

const columnList = columns.map((c) => `"${c}"`).join(', ');
// every column a string, as the Glue table declares them
const jsonColumns = `{${columns.map((c) => `'${c}': 'VARCHAR'`).join(', ')}}`;

/** `region=eu/dt=2026-12-05/hour=03` of a raw key (either layout) or a Parquet key, else undefined. */
export function hourOfKey(key: string): string | undefined {
  const match = /region=([^/]+)\/(?:type=[^/]+\/)?dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\//.exec(key);
  return match ? `region=${match[1]}/dt=${match[2]}/hour=${match[3]}` : undefined;
}

/** The Parquet object of one hour, mirroring its partition. */
export function parquetKey(hour: string): string {
  return `${parquetPrefix}${hour}/beats.parquet`;
}

/** Every key under a prefix, sorted (ListObjectsV2 pages followed). */
export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const out = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token && { ContinuationToken: token }) }),
    );
    for (const object of out.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

async function download(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

/** NDJSON text of a raw object (gunzipped when it is gzip, as archive-reader.ts reads it). */
function ndjson(bytes: Buffer): Buffer {
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
}

const sqlString = (value: string) => `'${value.replaceAll("'", "''")}'`;

async function withDuckDb<T>(
  run: (sql: (text: string) => Promise<Record<string, unknown>[]>, dir: string) => Promise<T>,
) {
  const dir = mkdtempSync(join(tmpdir(), 'ucx-duckdb-'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return await run(async (text) => (await connection.runAndReadAll(text)).getRowObjectsJS(), dir);
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

function readJsonSql(files: readonly string[]): string {
  return `SELECT ${columnList} FROM read_json([${files.map(sqlString).join(', ')}], format = 'newline_delimited', columns = ${jsonColumns})`;
}

export interface CompactionResult {
  readonly hour: string;
  readonly key: string;
  readonly sourceObjects: number;
  readonly rowsRead: number;
  readonly rowsWritten: number;
}

/**
 * Compacts one closed hour (`region`, `dt`, `hour`) of the archive in `bucket` into
 * `parquet/region=…/dt=…/hour=…/beats.parquet`, replacing a previous run's object. Refuses an
 * hour that has not ended by `now`, and refuses to write when the Parquet rows differ from the
 * NDJSON lines read (no beat lost; duplicates are kept, beats_unique drops them).
 */
/** An hour is closed this long after it ends: the cloud's compaction's settle time. */
export const settleMs = compactionSettleMs;

export async function compactHour(
  s3: S3Client,
  bucket: string,
  target: { region: string; dt: string; hour: string; now: Date },
): Promise<CompactionResult> {
  const hour = `region=${target.region}/dt=${target.dt}/hour=${target.hour}`;
  const end = Date.parse(`${target.dt}T${target.hour}:00:00Z`) + 3_600_000;
  if (Number.isNaN(end)) throw new Error(`not an hour: ${hour}`);
  if (end + settleMs > target.now.getTime())
    throw new Error(
      `${hour} is not closed yet: an hour is compacted ${settleMs / 60_000} minutes after it ends (now ${target.now.toISOString()})`,
    );
  const raw = (await listKeys(s3, bucket, `${archivePrefix}region=${target.region}/`)).filter(
    (key) => key.endsWith('.ndjson.gz') && hourOfKey(key) === hour,
  );
  if (raw.length === 0) throw new Error(`no raw objects for ${hour}`);
  return withDuckDb(async (sql, dir) => {
    let rowsRead = 0;
    const files = await Promise.all(
      raw.map(async (key, index) => {
        const text = ndjson(await download(s3, bucket, key));
        rowsRead += text
          .toString('utf8')
          .split('\n')
          .filter((line) => line.trim() !== '').length;
        const file = join(dir, `${index}.ndjson`);
        writeFileSync(file, text);
        return file;
      }),
    );
    const out = join(dir, 'beats.parquet');
    await sql(
      `COPY (${readJsonSql(files)} ORDER BY "type", "installation_id", "received_at", "beat_id") ` +
        `TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL ${PARQUET_ZSTD_LEVEL})`,
    );
    const [count] = await sql(`SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(out)})`);
    const rowsWritten = Number(count?.n);
    if (rowsWritten !== rowsRead) {
      throw new Error(`${hour}: read ${rowsRead} rows but Parquet holds ${rowsWritten}; nothing written`);
    }
    const key = parquetKey(hour);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(out) }));
    return { hour, key, sourceObjects: raw.length, rowsRead, rowsWritten };
  });
}

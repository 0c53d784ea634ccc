/**
 * The archive's tables as Athena (and the local DuckDB stand-in) read them: where each layout lives
 * in the bucket, the Glue names, the views that show every beat once across raw and Parquet hours,
 * and the statements of the hourly compaction (docs/telemetry.md, "Columnar archive").
 */

/** Raw landing objects, gzip NDJSON (archiveObjectKey); expire after `archive.rawDays`. */
export const rawPrefix = 'beats/';
/** One folder per compaction run of an hour: `parquet-runs/region=…/dt=…/hour=…/run=<id>/`. */
export const parquetRunsPrefix = 'parquet-runs/';
/**
 * One manifest per compacted hour (`parquet/region=…/dt=…/hour=…/manifest`), listing the s3:// URIs
 * of the Parquet files of the run in force: replacing it swaps a re-run in at once.
 */
export const manifestsPrefix = 'parquet/';

/** raw gzip NDJSON of the current layout (was `beats` before the views) */
export const rawBeatsTableName = 'beats_raw';
/** raw gzip NDJSON of the v1 layout, one object per beat type (`…/type=<beat type>/dt=…`) */
export const typePartitionedBeatsTableName = 'beats_v1';
/** the compacted hours' Parquet, read through the manifests (SymlinkTextInputFormat) */
export const parquetBeatsTableName = 'beats_parquet';
/** every run's Parquet, by run id (injected projection): the compaction counts its own run here */
export const parquetRunsTableName = 'beats_parquet_runs';
/** the manifests' lines: one row per Parquet file of each compacted hour */
export const compactedHoursTableName = 'compacted_hours';
/** every archived row once per hour: Parquet for the compacted hours, raw for the others */
export const beatsViewName = 'beats';
/** one row per installation and beat id, the first received: what queries read */
export const uniqueBeatsViewName = 'beats_unique';

/** Data columns of an archive row (archive-row.ts), all strings; `region` comes from the key. */
export const archiveDataColumns = [
  'beat_id',
  'type',
  'installation_id',
  'account_id',
  'collected_at',
  'received_at',
  'catalogue',
  'data',
] as const;
export const archivePartitionColumns = ['region', 'dt', 'hour'] as const;
/** The v1 layout had `type` in the key. */
export const typePartitionedDataColumns = archiveDataColumns.filter((c) => c !== 'type');
export const typePartitionedPartitionColumns = ['region', 'type', 'dt', 'hour'] as const;
/** What `beats` shows. */
export const beatsViewColumns = [...archiveDataColumns, ...archivePartitionColumns];
/** What `beats_unique` shows, in the order it always had. */
export const uniqueBeatsViewColumns = [...typePartitionedDataColumns, ...typePartitionedPartitionColumns];

/**
 * An hour is closed this long after it ends: the archiver waits up to 5 minutes to fill a batch
 * (lib/routes.ts, archiveTelemetry) and may retry, and an object written after compaction would
 * be hidden by the hour's Parquet until the hour is compacted again (the local compaction too).
 */
export const compactionSettleMs = 15 * 60_000;

/** One hour of one region's archive, as its partition values. */
export interface ArchiveHour {
  readonly region: string;
  /** YYYY-MM-DD */
  readonly dt: string;
  /** 00..23 */
  readonly hour: string;
}

export const hourPath = (h: ArchiveHour): string => `region=${h.region}/dt=${h.dt}/hour=${h.hour}/`;
export const manifestKey = (h: ArchiveHour): string => `${manifestsPrefix}${hourPath(h)}manifest`;
export const runPrefix = (h: ArchiveHour, runId: string): string => `${parquetRunsPrefix}${hourPath(h)}run=${runId}/`;

const list = (columns: readonly string[], alias = '') => columns.map((c) => `${alias}"${c}"`).join(', ');
const sqlString = (value: string) => `'${value.replaceAll("'", "''")}'`;
const hourFilter = (h: ArchiveHour) =>
  `"region" = ${sqlString(h.region)} AND "dt" = ${sqlString(h.dt)} AND "hour" = ${sqlString(h.hour)}`;
const notCompacted = (alias: string) =>
  `NOT EXISTS (SELECT 1 FROM "${compactedHoursTableName}" c WHERE c."region" = ${alias}."region" AND c."dt" = ${alias}."dt" AND c."hour" = ${alias}."hour")`;

/**
 * The `beats` view: a compacted hour from its Parquet only, any other hour from its raw objects
 * (both layouts), so each archived row appears once whichever side of the compaction its hour is.
 */
export function beatsViewSql(): string {
  const columns = list(beatsViewColumns);
  return (
    `SELECT ${columns} FROM "${parquetBeatsTableName}" ` +
    `UNION ALL SELECT ${list(beatsViewColumns, 'r.')} FROM "${rawBeatsTableName}" r WHERE ${notCompacted('r')} ` +
    `UNION ALL SELECT ${list(beatsViewColumns, 'v.')} FROM "${typePartitionedBeatsTableName}" v WHERE ${notCompacted('v')}`
  );
}

/**
 * The one-row-per-beat view: the first arrival of each installation's beat id (the id is the
 * agent's, so two installations may share one; an agent may re-send a beat whose answer it lost).
 */
export function uniqueBeatsViewSql(): string {
  const columns = list(uniqueBeatsViewColumns);
  return (
    `SELECT ${columns} FROM (SELECT ${columns}, row_number() OVER (PARTITION BY "installation_id", "beat_id" ` +
    `ORDER BY "received_at" ASC) AS "rn" FROM "${beatsViewName}") WHERE "rn" = 1`
  );
}

/** The hour's raw rows, both layouts, as the compaction reads them. */
function rawRowsSql(database: string, h: ArchiveHour): string {
  const columns = list(archiveDataColumns);
  return (
    `SELECT ${columns} FROM "${database}"."${rawBeatsTableName}" WHERE ${hourFilter(h)} ` +
    `UNION ALL SELECT ${columns} FROM "${database}"."${typePartitionedBeatsTableName}" WHERE ${hourFilter(h)}`
  );
}

/** Counts the hour's raw rows (`n`). */
export function countRawRowsSql(database: string, h: ArchiveHour): string {
  return `SELECT count(*) AS "n" FROM (${rawRowsSql(database, h)})`;
}

/**
 * zstd level of the Parquet hours. On 52,500 of the agent's beats (DuckDB, random v4 beat ids):
 * level 3 (Athena's default) 45.1 B/beat, 9 40.3, 15 37.3 in 9 times the time of 9, 19 34.9 in 34
 * times (the agent's v8 ids since: ~24 B/beat at 9 in the bench's hour). Athena bills the bytes it
 * scans, not its CPU: 9 is the top of the range AWS recommends for speed and size.
 */
export const PARQUET_ZSTD_LEVEL = 9;

/**
 * Writes the hour's raw rows as Parquet (zstd) into the run's empty folder, sorted by type then
 * installation: a query by type or installation reads only the row groups whose statistics match.
 */
export function unloadHourSql(database: string, h: ArchiveHour, bucket: string, runId: string): string {
  return (
    `UNLOAD (SELECT ${list(archiveDataColumns)} FROM (${rawRowsSql(database, h)}) ` +
    `ORDER BY "type", "installation_id", "received_at", "beat_id") ` +
    `TO 's3://${bucket}/${runPrefix(h, runId)}' WITH (format = 'PARQUET', compression = 'ZSTD', compression_level = ${PARQUET_ZSTD_LEVEL})`
  );
}

/** Counts the rows the run wrote (`n`): Parquet footers only, no data scanned. */
export function countRunRowsSql(database: string, h: ArchiveHour, runId: string): string {
  return `SELECT count(*) AS "n" FROM "${database}"."${parquetRunsTableName}" WHERE ${hourFilter(h)} AND "run" = ${sqlString(runId)}`;
}

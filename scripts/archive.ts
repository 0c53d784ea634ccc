/**
 * `npm run archive -- [--region eu|us] [--type <beat type>] [--installation <id>] [--since <ISO>]
 * [--cloud .local/cloud.json] [--format ndjson|table] [--bucket <name>]`: the local telemetry
 * archive as the cloud's Athena view shows it, one row per beat id (local/archive-reader.ts).
 * `--sql "SELECT …"` runs SQL on DuckDB over the views `beats` and `beats_unique`, and
 * `--compact YYYY-MM-DDTHH` rewrites that closed hour into Parquet (local/archive-compaction.ts).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { compactHour, queryArchive } from '../local/archive-compaction';
import { findArchiveBucket, formatArchiveTable, readArchive } from '../local/archive-reader';
import type { RegionKey } from '../local/assembly';
import { localS3 } from '../local/clients';
import type { CloudInfo } from '../local/cloud';

const { values } = parseArgs({
  options: {
    region: { type: 'string' },
    type: { type: 'string' },
    installation: { type: 'string' },
    since: { type: 'string' },
    cloud: { type: 'string', default: '.local/cloud.json' },
    format: { type: 'string', default: 'ndjson' },
    bucket: { type: 'string' },
    sql: { type: 'string' },
    compact: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(
    'npm run archive -- [--region eu|us] [--type <beat type>] [--installation <id>] [--since <ISO>] [--cloud <cloud.json>] [--format ndjson|table] [--bucket <name>]\n' +
      'npm run archive -- --sql "SELECT … FROM beats_unique" [--region eu|us] [--cloud <cloud.json>] [--bucket <name>]\n' +
      'npm run archive -- --compact YYYY-MM-DDTHH [--region eu|us] [--cloud <cloud.json>] [--bucket <name>]',
  );
  process.exit(0);
}

const bigintAsNumber = (_key: string, value: unknown) =>
  typeof value === 'bigint' ? (Number.isSafeInteger(Number(value)) ? Number(value) : String(value)) : value;

/** `--sql` / `--compact`: DuckDB over the archive of the chosen region(s). */
async function columnar(info: CloudInfo, sql: string | undefined, compact: string | undefined): Promise<void> {
  const keys = values.region ? [values.region as RegionKey] : (Object.keys(info.regions) as RegionKey[]);
  const locations = await Promise.all(
    keys.map(async (region) => {
      const regionInfo = info.regions[region];
      if (!regionInfo) throw new Error(`no region ${region} in cloud.json`);
      const s3 = localS3(regionInfo.endpoints.s3, regionInfo.region);
      return { s3, bucket: values.bucket ?? (await findArchiveBucket(regionInfo, s3)), region };
    }),
  );
  try {
    if (compact !== undefined) {
      const match = /^(\d{4}-\d{2}-\d{2})T(\d{2})$/.exec(compact);
      if (!match) throw new Error(`--compact: YYYY-MM-DDTHH, not ${compact}`);
      // "closed" by the local cloud's movable clock, not the wall's
      const now = new Date(((await (await fetch(info.clock)).json()) as { now: string }).now);
      for (const { s3, bucket, region } of locations) {
        const result = await compactHour(s3, bucket, { region, dt: match[1]!, hour: match[2]!, now });
        console.error(`${result.key}: ${result.rowsWritten} rows from ${result.sourceObjects} objects`);
      }
    }
    if (sql !== undefined) {
      const rows = await queryArchive(locations, sql);
      if (values.format === 'table') console.table(rows);
      // count(*) and BIGINT columns come back as bigint, which JSON cannot hold
      else for (const row of rows) process.stdout.write(`${JSON.stringify(row, bigintAsNumber)}\n`);
      console.error(`${rows.length} row${rows.length === 1 ? '' : 's'}`);
    }
  } finally {
    for (const { s3 } of locations) s3.destroy();
  }
}

try {
  if (values.region !== undefined && values.region !== 'eu' && values.region !== 'us')
    throw new Error(`--region: eu or us, not ${values.region}`);
  if (values.format !== 'ndjson' && values.format !== 'table')
    throw new Error(`--format: ndjson or table, not ${values.format}`);
  if (values.since !== undefined && Number.isNaN(Date.parse(values.since)))
    throw new Error(`--since: not an ISO 8601 instant: ${values.since}`);
  const cloudFile = resolve(values.cloud!);
  let info: CloudInfo;
  try {
    info = JSON.parse(readFileSync(cloudFile, 'utf8')) as CloudInfo;
  } catch (error) {
    throw new Error(`cannot read ${cloudFile} (is the local cloud started? npm start): ${(error as Error).message}`);
  }
  if (values.sql !== undefined || values.compact !== undefined) {
    await columnar(info, values.sql, values.compact);
    process.exit(0);
  }
  const rows = await readArchive(info, {
    ...(values.region && { region: values.region as 'eu' | 'us' }),
    ...(values.type && { type: values.type }),
    ...(values.installation && { installation: values.installation }),
    ...(values.since && { since: values.since }),
    ...(values.bucket && { bucket: values.bucket }),
    onWarning: (message) => console.error(`warning: ${message}`),
  });
  if (values.format === 'table') console.log(formatArchiveTable(rows));
  else for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
  console.error(`${rows.length} beat${rows.length === 1 ? '' : 's'}`);
} catch (error) {
  console.error(`archive: ${(error as Error).message}`);
  process.exit(1);
}

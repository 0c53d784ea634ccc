/**
 * `npm run archive -- [--region eu|us] [--type <beat type>] [--installation <id>] [--since <ISO>]
 * [--cloud .local/cloud.json] [--format ndjson|table] [--bucket <name>]`: the local telemetry
 * archive as the cloud's Athena view shows it, one row per beat id (local/archive-reader.ts).
 * `--sql "SELECT …"` runs SQL through Athena's API (the local stand-in, DuckDB) on the region's Glue
 * database, views `beats` and `beats_unique` as in the cloud, and `--compact YYYY-MM-DDTHH` runs the
 * cloud's compaction of that hour now (docs/telemetry.md, "Columnar archive").
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatArchiveTable, readArchive } from '../local/archive-reader';
import { queryArchiveSql } from '../local/archive-query';
import type { RegionKey } from '../local/assembly';
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
      'npm run archive -- --sql "SELECT … FROM beats_unique" [--region eu|us] [--cloud <cloud.json>] [--format ndjson|table]\n' +
      'npm run archive -- --compact YYYY-MM-DDTHH [--region eu|us] [--cloud <cloud.json>]',
  );
  process.exit(0);
}

/** `--compact`: the cloud's compaction (the compactArchive bundle) run now for that hour, by its schedule's dev route. */
async function compactHours(info: CloudInfo, regions: readonly RegionKey[], hour: string): Promise<void> {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(hour)) throw new Error(`--compact: YYYY-MM-DDTHH, not ${hour}`);
  for (const region of regions) {
    const api = info.regions[region]!.api;
    const { schedules } = (await (await fetch(`${api}/local/schedules`)).json()) as {
      schedules: { logicalId: string }[];
    };
    const schedule = schedules.find((s) => s.logicalId.startsWith('ArchiveCompactionSchedule'));
    if (!schedule) throw new Error(`${region}: no archive compaction schedule on the local cloud`);
    const response = await fetch(`${api}/local/schedules/${encodeURIComponent(schedule.logicalId)}/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: { hours: [hour] } }),
    });
    const run = (await response.json()) as {
      error?: { errorMessage?: string };
      result?: { hours: { dt: string; hour: string; outcome: string; rows: number; runId: string }[] };
    };
    if (!response.ok || run.error) throw new Error(`${region}: ${run.error?.errorMessage ?? JSON.stringify(run)}`);
    for (const h of run.result?.hours ?? [])
      console.error(`${region} ${h.dt}T${h.hour}: ${h.outcome}, ${h.rows} rows (run ${h.runId})`);
  }
}

/** `--sql`: the statement through Athena's API in each chosen region (a region's rows, then the next's). */
async function sqlRows(info: CloudInfo, regions: readonly RegionKey[], sql: string): Promise<void> {
  let total = 0;
  for (const region of regions) {
    const { columns, rows } = await queryArchiveSql(info.regions[region]!, sql);
    total += rows.length;
    const objects = rows.map((r) => ({
      ...(regions.length > 1 && !columns.includes('region') && { region }),
      ...Object.fromEntries(columns.map((c, i) => [c, r[i]])),
    }));
    if (values.format === 'table') console.table(objects);
    else for (const o of objects) process.stdout.write(`${JSON.stringify(o)}\n`);
  }
  console.error(`${total} row${total === 1 ? '' : 's'}`);
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
    const regions = values.region ? [values.region as RegionKey] : (Object.keys(info.regions) as RegionKey[]);
    if (values.compact !== undefined) await compactHours(info, regions, values.compact);
    if (values.sql !== undefined) await sqlRows(info, regions, values.sql);
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

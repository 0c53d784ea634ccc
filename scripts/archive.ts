/**
 * `npm run archive -- [--region eu|us] [--type <beat type>] [--installation <id>] [--since <ISO>]
 * [--cloud .local/cloud.json] [--format ndjson|table] [--bucket <name>]`: the local telemetry
 * archive as the cloud's Athena view shows it, one row per beat id (local/archive-reader.ts).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatArchiveTable, readArchive } from '../local/archive-reader';
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
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(
    'npm run archive -- [--region eu|us] [--type <beat type>] [--installation <id>] [--since <ISO>] [--cloud <cloud.json>] [--format ndjson|table] [--bucket <name>]',
  );
  process.exit(0);
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

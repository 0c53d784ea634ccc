/**
 * Athena stand-in: a loopback HTTP endpoint speaking Athena's JSON 1.1 protocol
 * (`X-Amz-Target: AmazonAthena.StartQueryExecution`, `GetQueryExecution`, `GetQueryResults`),
 * which the functions reach through `AWS_ENDPOINT_URL_ATHENA`. Each query runs on DuckDB over the
 * region's archive bucket in s3rver, with the Glue tables and views of
 * lambdas/core/telemetry/archive-tables.ts built under the query's database (the views run the
 * same SQL as the cloud's); `UNLOAD … TO 's3://…' WITH (format = 'PARQUET')` becomes DuckDB's
 * `COPY … TO` and an upload. Queries run one at a time; the region comes from the request's
 * SigV4 credential scope, as in AWS.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { startAwsJsonServer } from './aws-json-server';
import { listKeys } from './archive-compaction';
import {
  archiveDataColumns,
  archivePartitionColumns,
  beatsViewName,
  beatsViewSql,
  compactedHoursTableName,
  manifestsPrefix,
  parquetBeatsTableName,
  parquetRunsPrefix,
  parquetRunsTableName,
  rawBeatsTableName,
  rawPrefix,
  typePartitionedBeatsTableName,
  typePartitionedDataColumns,
  typePartitionedPartitionColumns,
  uniqueBeatsViewName,
  uniqueBeatsViewSql,
} from '../lambdas/core/telemetry/archive-tables';

/** Where a region's Glue database keeps its tables: the archive bucket. */
export interface AthenaCatalogEntry {
  /** AWS region name */
  readonly region: string;
  readonly database: string;
  readonly bucket: string;
}

export interface AthenaResult {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | null)[])[];
}

const sqlString = (value: string) => `'${value.replaceAll("'", "''")}'`;
const quoted = (columns: readonly string[]) => columns.map((c) => `"${c}"`).join(', ');
const empty = (columns: readonly string[]) =>
  `SELECT ${columns.map((c) => `NULL::VARCHAR AS "${c}"`).join(', ')} WHERE false`;
const hive = 'hive_partitioning = true, hive_types_autocast = false';

/**
 * Partition pruning, as Athena's projection does: a statement naming one hour
 * (`"region" = 'eu' AND "dt" = '…' AND "hour" = '…'`, as the compaction's do) reads that hour's
 * objects only; any other reads the region's whole archive.
 */
function prunedPrefixes(sql: string): string[] {
  const m = /"region" = '([a-z]+)' AND "dt" = '(\d{4}-\d{2}-\d{2})' AND "hour" = '(\d{2})'/.exec(sql);
  if (!m) return [rawPrefix, parquetRunsPrefix, manifestsPrefix];
  const [, region, dt, hour] = m;
  return [
    `${rawPrefix}region=${region}/dt=${dt}/hour=${hour}/`,
    `${parquetRunsPrefix}region=${region}/dt=${dt}/hour=${hour}/`,
    `${manifestsPrefix}region=${region}/dt=${dt}/hour=${hour}/`,
    // the v1 layout has the type between region and day
    `${rawPrefix}region=${region}/type=`,
  ];
}

/** Runs one Athena statement on DuckDB over `bucket`; `queryId` names an UNLOAD's file. */
export async function runAthenaSql(
  s3: S3Client,
  entry: { database: string; bucket: string },
  sql: string,
  queryId: string,
): Promise<AthenaResult> {
  const dir = mkdtempSync(join(tmpdir(), 'ucx-athena-'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const local = (key: string) => join(dir, 'archive', key);
    const keys = new Set<string>();
    for (const prefix of prunedPrefixes(sql)) for (const key of await listKeys(s3, entry.bucket, prefix)) keys.add(key);
    for (const key of keys) {
      const out = await s3.send(new GetObjectCommand({ Bucket: entry.bucket, Key: key }));
      mkdirSync(dirname(local(key)), { recursive: true });
      writeFileSync(local(key), await out.Body!.transformToByteArray());
    }
    const all = [...keys];
    const raw = all.filter((k) => k.startsWith(rawPrefix) && k.endsWith('.ndjson.gz') && !k.includes('/type='));
    const v1 = all.filter((k) => k.startsWith(rawPrefix) && k.endsWith('.ndjson.gz') && k.includes('/type='));
    const runs = all.filter((k) => k.startsWith(parquetRunsPrefix));
    const manifests = all.filter((k) => k.startsWith(manifestsPrefix) && k.endsWith('/manifest'));
    const uri = `s3://${entry.bucket}/`;
    const compacted = manifests.flatMap((key) => {
      const [, region, dt, hour] = /region=([^/]+)\/dt=([^/]+)\/hour=([^/]+)\//.exec(key) ?? [];
      return readFileSync(local(key), 'utf8')
        .split('\n')
        .filter((line) => line.startsWith(uri))
        .map((path) => ({ path, region: region!, dt: dt!, hour: hour! }));
    });
    const files = (list: readonly string[]) => `[${list.map((k) => sqlString(local(k))).join(', ')}]`;
    const json = (columns: readonly string[]) => `{${columns.map((c) => `'${c}': 'VARCHAR'`).join(', ')}}`;
    const run = (text: string) => connection.run(text);

    await run(`CREATE SCHEMA "${entry.database}"`);
    await run(`SET schema = ${sqlString(entry.database)}`);
    const partitioned = [...archiveDataColumns, ...archivePartitionColumns];
    await run(
      `CREATE VIEW "${rawBeatsTableName}" AS ${
        raw.length > 0
          ? `SELECT ${quoted(partitioned)} FROM read_json(${files(raw)}, format = 'newline_delimited', columns = ${json(archiveDataColumns)}, ${hive})`
          : empty(partitioned)
      }`,
    );
    const v1Columns = [...typePartitionedDataColumns, ...typePartitionedPartitionColumns];
    await run(
      `CREATE VIEW "${typePartitionedBeatsTableName}" AS ${
        v1.length > 0
          ? `SELECT ${quoted(v1Columns)} FROM read_json(${files(v1)}, format = 'newline_delimited', columns = ${json(typePartitionedDataColumns)}, ${hive})`
          : empty(v1Columns)
      }`,
    );
    await run(
      `CREATE VIEW "${parquetRunsTableName}" AS ${
        runs.length > 0
          ? `SELECT ${quoted([...partitioned, 'run'])} FROM read_parquet(${files(runs)}, ${hive})`
          : empty([...partitioned, 'run'])
      }`,
    );
    await run(
      `CREATE VIEW "${compactedHoursTableName}" AS ${
        compacted.length > 0
          ? `SELECT * FROM (VALUES ${compacted.map((c) => `(${[c.path, c.region, c.dt, c.hour].map(sqlString).join(', ')})`).join(', ')}) AS t("path", "region", "dt", "hour")`
          : empty(['path', ...archivePartitionColumns])
      }`,
    );
    const inForce = compacted.map((c) => c.path.slice(uri.length)).filter((k) => keys.has(k));
    await run(
      `CREATE VIEW "${parquetBeatsTableName}" AS ${
        inForce.length > 0
          ? `SELECT ${quoted(partitioned)} FROM read_parquet(${files(inForce)}, ${hive})`
          : empty(partitioned)
      }`,
    );
    await run(`CREATE VIEW "${beatsViewName}" AS ${beatsViewSql()}`);
    await run(`CREATE VIEW "${uniqueBeatsViewName}" AS ${uniqueBeatsViewSql()}`);

    const unload = /^\s*UNLOAD\s*\(([\s\S]*)\)\s*TO\s+'s3:\/\/([^/']+)\/([^']*)'\s+WITH\s*\(([^)]*)\)\s*;?\s*$/i.exec(
      sql,
    );
    if (unload) {
      const [, query, bucket, prefix, options] = unload as unknown as [string, string, string, string, string];
      if (!/format\s*=\s*'PARQUET'/i.test(options)) throw new Error('the stand-in UNLOADs Parquet only');
      const compression = /compression\s*=\s*'(\w+)'/i.exec(options)?.[1] ?? 'GZIP';
      const level = /compression_level\s*=\s*(\d+)/i.exec(options)?.[1];
      if ((await listKeys(s3, bucket, prefix)).length > 0)
        throw new Error(
          `HIVE_PATH_ALREADY_EXISTS: Target directory for table already exists: s3://${bucket}/${prefix}`,
        );
      const out = join(dir, 'unload.parquet');
      await run(
        `COPY (${query}) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION ${compression.toLowerCase()}${level ? `, COMPRESSION_LEVEL ${level}` : ''})`,
      );
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${queryId}.parquet`, Body: readFileSync(out) }),
      );
      return { columns: [], rows: [] };
    }
    const reader = await connection.runAndReadAll(sql);
    const columns = reader.columnNames();
    const rows = reader
      .getRowsJS()
      .map((row) => row.map((value) => (value === null || value === undefined ? null : String(value))));
    return { columns, rows };
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-central-1/athena/aws4_request, …` → `eu-central-1`. */
const signingRegion = (authorization: string | undefined): string | undefined =>
  /Credential=[^/]+\/\d{8}\/([^/]+)\/athena\/aws4_request/.exec(authorization ?? '')?.[1];

interface Execution {
  readonly id: string;
  readonly sql: string;
  readonly database: string;
  readonly workGroup: string;
  readonly submittedAt: Date;
  state: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  reason?: string;
  completedAt?: Date;
  result?: AthenaResult;
}

export interface LocalAthena {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_ATHENA */
  readonly endpoint: string;
  /** resolves once every query started so far has ended */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalAthena(options: {
  readonly port: number;
  readonly s3: S3Client;
  readonly catalog: readonly AthenaCatalogEntry[];
  /** the local clock. @default real time */
  readonly now?: () => Date;
  readonly log?: (line: string) => void;
}): Promise<LocalAthena> {
  const log = options.log ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  const executions = new Map<string, Execution>();
  let queue: Promise<void> = Promise.resolve();

  const start = (region: string | undefined, body: Record<string, unknown>) => {
    const context = body.QueryExecutionContext as { Database?: string } | undefined;
    const database = context?.Database ?? 'default';
    const entry = options.catalog.find((c) => c.database === database && (region === undefined || c.region === region));
    if (typeof body.QueryString !== 'string' || body.QueryString === '')
      return { status: 400, body: { __type: 'InvalidRequestException', Message: 'QueryString is required' } };
    if (!entry)
      return {
        status: 400,
        body: { __type: 'InvalidRequestException', Message: `no database ${database} in ${region ?? 'any region'}` },
      };
    const execution: Execution = {
      id: randomUUID(),
      sql: body.QueryString,
      database,
      workGroup: typeof body.WorkGroup === 'string' ? body.WorkGroup : 'primary',
      submittedAt: now(),
      state: 'QUEUED',
    };
    executions.set(execution.id, execution);
    queue = queue.then(async () => {
      execution.state = 'RUNNING';
      try {
        execution.result = await runAthenaSql(options.s3, entry, execution.sql, execution.id);
        execution.state = 'SUCCEEDED';
      } catch (error) {
        execution.state = 'FAILED';
        execution.reason = (error as Error).message;
        log(`${entry.region} athena ${execution.id} failed: ${execution.reason}`);
      }
      execution.completedAt = now();
    });
    return { status: 200, body: { QueryExecutionId: execution.id } };
  };

  const describe = (e: Execution) => ({
    QueryExecutionId: e.id,
    Query: e.sql,
    StatementType: /^\s*(SELECT|WITH)/i.test(e.sql) ? 'DML' : 'DDL',
    QueryExecutionContext: { Database: e.database },
    WorkGroup: e.workGroup,
    Status: {
      State: e.state,
      SubmissionDateTime: e.submittedAt.getTime() / 1000,
      ...(e.completedAt && { CompletionDateTime: e.completedAt.getTime() / 1000 }),
      ...(e.reason && { StateChangeReason: e.reason }),
    },
  });

  const handle = (target: string | undefined, region: string | undefined, body: Record<string, unknown>) => {
    const operation = target?.replace(/^AmazonAthena\./, '');
    const execution = typeof body.QueryExecutionId === 'string' ? executions.get(body.QueryExecutionId) : undefined;
    switch (operation) {
      case 'StartQueryExecution':
        return start(region, body);
      case 'GetQueryExecution':
        return execution
          ? { status: 200, body: { QueryExecution: describe(execution) } }
          : { status: 400, body: { __type: 'InvalidRequestException', Message: 'QueryExecution not found' } };
      case 'GetQueryResults': {
        if (!execution?.result || execution.state !== 'SUCCEEDED')
          return { status: 400, body: { __type: 'InvalidRequestException', Message: 'Query has not yet finished' } };
        const { columns, rows } = execution.result;
        const row = (values: readonly (string | null)[]) => ({
          Data: values.map((v) => (v === null ? {} : { VarCharValue: v })),
        });
        return {
          status: 200,
          body: {
            UpdateCount: 0,
            ResultSet: {
              Rows: [row(columns), ...rows.map(row)],
              ResultSetMetadata: {
                ColumnInfo: columns.map((name) => ({ Name: name, Label: name, Type: 'varchar', CatalogName: 'hive' })),
              },
            },
          },
        };
      }
      default:
        return {
          status: 400,
          body: { __type: 'UnknownOperationException', Message: `${target} is not supported here` },
        };
    }
  };

  const server = await startAwsJsonServer({
    port: options.port,
    internalType: 'InternalServerException',
    handle: (request) => {
      const raw = request.body.toString('utf8');
      return handle(
        request.target,
        signingRegion(request.authorization),
        raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>),
      );
    },
  });
  return { ...server, idle: () => queue };
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { AthenaArchiveCompactor } from '#lambdas/adapters/athena-archive-compactor';
import { compactArchive } from '#lambdas/core/telemetry/compact-archive';
import { type LocalAthena, startLocalAthena } from '../../../local/athena';
import { localCredentials, localS3 } from '../../../local/clients';
import { type Emulator, startS3rver } from '../../../local/emulators';

const bucket = 'archive';
const database = 'ucx_local_telemetry';
const awsRegion = 'eu-central-1';
const beat = (n: number, receivedAt: string, installation = `inst-${n % 3}`) => ({
  beat_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  type: n % 2 === 0 ? 'hardware.memory' : 'software.os',
  collected_at: receivedAt,
  received_at: receivedAt,
  installation_id: installation,
  account_id: 'acct-1',
  region: 'eu',
  catalogue: '1',
  data: JSON.stringify({ n }),
});

describe('archive compaction on the Athena stand-in (DuckDB)', () => {
  let dir: string;
  let s3rver: Emulator;
  let s3: S3Client;
  let athena: LocalAthena;
  let client: AthenaClient;
  let compactor: AthenaArchiveCompactor;
  const settings = { region: 'eu', rawDays: 7, maxHoursPerRun: 24 };
  const put = (key: string, rows: object[]) =>
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: gzipSync(rows.map((r) => `${JSON.stringify(r)}\n`).join('')),
      }),
    );
  const keys = async (prefix: string) =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);
  /** a query through the Athena API, as a person in the console would */
  const query = async (sql: string) => {
    const { QueryExecutionId } = await client.send(
      new StartQueryExecutionCommand({ QueryString: sql, QueryExecutionContext: { Database: database } }),
    );
    await athena.idle();
    const { QueryExecution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId }));
    if (QueryExecution?.Status?.State !== 'SUCCEEDED') throw new Error(QueryExecution?.Status?.StateChangeReason);
    const out = await client.send(new GetQueryResultsCommand({ QueryExecutionId }));
    const [header, ...rows] = out.ResultSet!.Rows!;
    const names = header!.Data!.map((d) => d.VarCharValue!);
    return rows.map((r) => Object.fromEntries(r.Data!.map((d, i) => [names[i], d.VarCharValue ?? null])));
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ucx-athena-'));
    s3rver = await startS3rver({ dataDir: dir, port: 0 });
    s3 = localS3(s3rver.endpoint, awsRegion);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    athena = await startLocalAthena({ port: 0, s3, catalog: [{ region: awsRegion, database, bucket }] });
    client = new AthenaClient({ endpoint: athena.endpoint, region: awsRegion, credentials: localCredentials });
    compactor = new AthenaArchiveCompactor({
      athena: client,
      s3,
      bucket,
      database,
      workGroup: 'ucx-local-telemetry',
      // the stand-in ends a query when its queue is idle: no sleeping on wall time
      wait: () => athena.idle(),
    });
    // hour 01: two objects, beat 2 re-sent in the second; beat 1's id also sent by another installation
    await put('beats/region=eu/dt=2026-12-01/hour=01/shard-1-1.ndjson.gz', [
      beat(1, '2026-12-01T01:05:00.000Z'),
      beat(2, '2026-12-01T01:06:00.000Z'),
      beat(3, '2026-12-01T01:07:00.000Z'),
    ]);
    await put('beats/region=eu/dt=2026-12-01/hour=01/shard-1-4.ndjson.gz', [
      beat(2, '2026-12-01T01:09:00.000Z'),
      beat(1, '2026-12-01T01:10:00.000Z', 'inst-other'),
    ]);
  }, 30_000);

  afterAll(async () => {
    client.destroy();
    await athena.stop();
    s3.destroy();
    await s3rver.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('compacts the closed hour, its rows counted, and a day spanning Parquet and raw hours gives each beat once', async () => {
    // Arrange: hour 02 is still open at 02:20
    const clock = { now: () => new Date('2026-12-01T02:20:00Z') };

    // Act
    const done = await compactArchive({ store: compactor, clock }, settings);
    await put('beats/region=eu/dt=2026-12-01/hour=02/shard-1-6.ndjson.gz', [
      beat(6, '2026-12-01T02:01:00.000Z'),
      beat(7, '2026-12-01T02:02:00.000Z'),
    ]);

    // Assert
    expect(done.map((c) => [c.hour.hour, c.outcome, c.rowsRead, c.rowsWritten])).toEqual([['01', 'published', 5, 5]]);
    expect(await keys('parquet/')).toEqual(['parquet/region=eu/dt=2026-12-01/hour=01/manifest']);
    expect(
      await query(`SELECT "hour", count(*) AS n FROM beats WHERE dt = '2026-12-01' GROUP BY "hour" ORDER BY "hour"`),
    ).toEqual([
      { hour: '01', n: '5' }, // from Parquet, the re-sent beat kept; hour 01's raw objects not read twice
      { hour: '02', n: '2' },
    ]);
    const unique = await query(
      `SELECT beat_id, installation_id, received_at FROM beats_unique WHERE dt = '2026-12-01' ORDER BY beat_id, installation_id`,
    );
    expect(unique.map((r) => `${Number(r.beat_id!.slice(-2))}:${r.installation_id}`)).toEqual([
      '1:inst-1',
      '1:inst-other',
      '2:inst-2',
      '3:inst-0',
      '6:inst-0',
      '7:inst-1',
    ]);
    expect(unique[2]!.received_at).toBe('2026-12-01T01:06:00.000Z'); // the first arrival
  }, 60_000);

  it('writes Parquet sorted by type then installation, zstd', async () => {
    // Act
    const rows = await query(
      `SELECT type, installation_id FROM beats_parquet WHERE region = 'eu' AND dt = '2026-12-01' AND hour = '01'`,
    );

    // Assert
    expect(rows).toEqual(
      [...rows].sort((a, b) =>
        `${a.type}\u0000${a.installation_id}` < `${b.type}\u0000${b.installation_id}` ? -1 : 1,
      ),
    );
    expect(rows).toHaveLength(5);
    const [key] = await keys('parquet-runs/region=eu/dt=2026-12-01/hour=01/');
    const file = join(dir, 'run.parquet');
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    writeFileSync(file, await object.Body!.transformToByteArray());
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const codecs = (
      await db.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata('${file}')`)
    ).getRowObjectsJS();
    db.closeSync();
    expect(codecs).toEqual([{ compression: 'ZSTD' }]);
  }, 60_000);

  it('honours an UNLOAD’s zstd compression_level', async () => {
    // Arrange: text that compresses better the harder zstd tries
    const rows = `SELECT md5(CAST(i % 400 AS VARCHAR)) || CAST(i AS VARCHAR) AS s FROM range(20000) t(i)`;
    const unload = (level: number) =>
      query(
        `UNLOAD (${rows}) TO 's3://${bucket}/level-${level}/' WITH (format = 'PARQUET', compression = 'ZSTD', compression_level = ${level})`,
      );

    // Act
    await unload(1);
    await unload(19);

    // Assert
    const sizeOf = async (prefix: string) => {
      const [key] = await keys(prefix);
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await object.Body!.transformToByteArray()).length;
    };
    expect(await sizeOf('level-19/')).toBeLessThan(await sizeOf('level-1/'));
  }, 60_000);

  it('a re-run replaces the hour: a fresh run in the manifest, the old run deleted, the same rows', async () => {
    // Arrange
    const [before] = await keys('parquet-runs/region=eu/dt=2026-12-01/hour=01/');
    const clock = { now: () => new Date('2026-12-01T02:40:00Z') };

    // Act
    const [again] = await compactArchive({ store: compactor, clock }, settings, [
      { region: 'eu', dt: '2026-12-01', hour: '01' },
    ]);

    // Assert
    const after = await keys('parquet-runs/region=eu/dt=2026-12-01/hour=01/');
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);
    expect(after[0]).toContain(`run=${again!.runId}/`);
    expect(await query(`SELECT count(*) AS n FROM beats WHERE dt = '2026-12-01' AND hour = '01'`)).toEqual([
      { n: '5' },
    ]);
  }, 60_000);

  it('compacts an hour again when a raw object lands after its Parquet, and then the next', async () => {
    // Arrange: an archiver retry written late into hour 01
    await put('beats/region=eu/dt=2026-12-01/hour=01/shard-1-8.ndjson.gz', [beat(8, '2026-12-01T01:59:00.000Z')]);
    const clock = { now: () => new Date('2026-12-01T03:20:00Z') };

    // Act
    const done = await compactArchive({ store: compactor, clock }, settings);

    // Assert
    expect(done.map((c) => [c.hour.hour, c.outcome, c.rowsRead, c.rowsWritten])).toEqual([
      ['01', 'published', 6, 6],
      ['02', 'published', 2, 2],
    ]);
    expect(await query(`SELECT count(*) AS n FROM beats_unique WHERE dt = '2026-12-01'`)).toEqual([{ n: '7' }]);
  }, 60_000);

  it('fails a query on a missing table as Athena does, with the reason', async () => {
    // Act
    const run = query('SELECT * FROM no_such_table');

    // Assert
    await expect(run).rejects.toThrow(/no_such_table/);
  }, 30_000);
});

/**
 * The archive compaction on the local cloud: the CDK app's compactArchive bundle, run by its
 * schedule through the Scheduler stand-in's dev route, compacts the closed hours of the local
 * clock through the Athena stand-in (DuckDB over s3rver), and the `beats` / `beats_unique` views
 * answer over a closed (Parquet) and an open (raw) hour, each beat once.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { findArchiveBucket } from '#local/archive-reader';
import { localCredentials, localS3 } from '#local/clients';
import { cloud } from '#test/support/local-cloud';

jest.setTimeout(120_000);

const eu = () => cloud().regions.eu;
const row = (installation: string, beatId: string, receivedAt: string) => ({
  beat_id: beatId,
  type: 'hardware.memory',
  collected_at: receivedAt,
  received_at: receivedAt,
  installation_id: installation,
  account_id: 'acc-test',
  region: 'eu',
  catalogue: 'v1',
  data: '{}',
});

describe('archive compaction on the local cloud', () => {
  it('compacts the closed hours on the schedule; the views give each beat once across Parquet and raw', async () => {
    // Arrange: by the local clock, a closed hour (two hours ago, a beat re-sent) and the open one
    const { now } = (await (await fetch(cloud().clock)).json()) as { now: string };
    const hourStart = (offsetHours: number) =>
      new Date(Math.floor(Date.parse(now) / 3_600_000 - offsetHours) * 3_600_000);
    const path = (at: Date) => `region=eu/dt=${at.toISOString().slice(0, 10)}/hour=${at.toISOString().slice(11, 13)}`;
    const closed = hourStart(2);
    const open = hourStart(0);
    const installation = `inst-${randomUUID()}`;
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const s3 = localS3(eu().endpoints.s3, eu().region);
    const bucket = await findArchiveBucket(eu(), s3);
    const put = (key: string, rows: object[]) =>
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: gzipSync(rows.map((r) => `${JSON.stringify(r)}\n`).join('')),
        }),
      );
    await put(`beats/${path(closed)}/shardId-000000000000-${Date.now()}1.ndjson.gz`, [
      row(installation, a, new Date(closed.getTime() + 60_000).toISOString()),
      row(installation, b, new Date(closed.getTime() + 120_000).toISOString()),
    ]);
    await put(`beats/${path(closed)}/shardId-000000000000-${Date.now()}2.ndjson.gz`, [
      row(installation, a, new Date(closed.getTime() + 180_000).toISOString()),
    ]);
    await put(`beats/${path(open)}/shardId-000000000000-${Date.now()}3.ndjson.gz`, [
      row(installation, c, open.toISOString()),
    ]);
    s3.destroy();
    const schedules = (await (await fetch(`${eu().api}/local/schedules`)).json()) as {
      schedules: { logicalId: string }[];
    };
    const schedule = schedules.schedules.find((s) => s.logicalId.startsWith('ArchiveCompactionSchedule'))!;

    // Act
    const run = await fetch(`${eu().api}/local/schedules/${schedule.logicalId}/run`, { method: 'POST' });
    const body = (await run.json()) as {
      error?: unknown;
      result?: { hours: { dt: string; hour: string; outcome: string; rows: number }[] };
    };
    // the Glue database's name, as the template gives the compaction (TELEMETRY_DATABASE)
    const database = readdirSync(cloud().assemblyDir)
      .filter((f) => f.endsWith('.template.json'))
      .map((f) => /"TELEMETRY_DATABASE":\s*"([^"]+)"/.exec(readFileSync(join(cloud().assemblyDir, f), 'utf8'))?.[1])
      .find((name) => name !== undefined)!;
    const athena = new AthenaClient({
      endpoint: eu().endpoints.athena,
      region: eu().region,
      credentials: localCredentials,
    });
    const query = async (sql: string) => {
      const { QueryExecutionId } = await athena.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          QueryExecutionContext: { Database: database },
        }),
      );
      for (;;) {
        const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId }));
        const state = QueryExecution?.Status?.State;
        if (state === 'FAILED') throw new Error(QueryExecution?.Status?.StateChangeReason);
        if (state === 'SUCCEEDED') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const out = await athena.send(new GetQueryResultsCommand({ QueryExecutionId }));
      return out.ResultSet!.Rows!.slice(1).map((r) => r.Data!.map((d) => d.VarCharValue));
    };
    const where = `WHERE installation_id = '${installation}'`;
    const copies = await query(
      `SELECT "hour", count(*) FROM beats ${where} GROUP BY "dt", "hour" ORDER BY "dt", "hour"`,
    );
    const unique = await query(`SELECT count(*) FROM beats_unique ${where}`);
    const parquet = await query(`SELECT count(*) FROM beats_parquet ${where}`);
    athena.destroy();

    // Assert
    expect(run.status).toBe(200);
    expect(body.error).toBeUndefined();
    expect(body.result?.hours).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          dt: closed.toISOString().slice(0, 10),
          hour: closed.toISOString().slice(11, 13),
          outcome: 'published',
        }),
      ]),
    );
    expect(body.result?.hours.some((h) => h.hour === open.toISOString().slice(11, 13))).toBe(false);
    expect(copies).toEqual([
      [closed.toISOString().slice(11, 13), '3'],
      [open.toISOString().slice(11, 13), '1'],
    ]);
    expect(unique).toEqual([['3']]);
    expect(parquet).toEqual([['3']]);
  });
});

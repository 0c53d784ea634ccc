import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { settleMs, compactHour, parquetKey } from '../../../local/archive-compaction';
import { localS3 } from '../../../local/clients';
import { type Emulator, startS3rver } from '../../../local/emulators';

const bucket = 'archive';
const beat = (n: number, receivedAt: string, type = 'hardware.memory', installation = `inst-${n % 3}`) => ({
  beat_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  type,
  collected_at: receivedAt,
  received_at: receivedAt,
  installation_id: installation,
  account_id: 'acct-1',
  region: 'eu',
  catalogue: '1',
  data: JSON.stringify({ n }),
});

describe('local archive compaction (DuckDB)', () => {
  let dir: string;
  let s3rver: Emulator;
  let s3: S3Client;
  const put = (key: string, rows: object[]) =>
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: gzipSync(rows.map((r) => `${JSON.stringify(r)}\n`).join('')),
      }),
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ucx-compaction-'));
    s3rver = await startS3rver({ dataDir: dir, port: 0 });
    s3 = localS3(s3rver.endpoint, 'eu-west-1');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // hour 01: two objects, beat 2 re-sent in the second (a duplicate); hour 02 stays raw
    await put('beats/region=eu/dt=2026-12-01/hour=01/shard-1-1-2.ndjson.gz', [
      beat(1, '2026-12-01T01:05:00.000Z', 'software.os'),
      beat(2, '2026-12-01T01:06:00.000Z'),
      beat(3, '2026-12-01T01:07:00.000Z'),
    ]);
    await put('beats/region=eu/dt=2026-12-01/hour=01/shard-1-3-4.ndjson.gz', [
      beat(2, '2026-12-01T01:09:00.000Z'),
      beat(4, '2026-12-01T01:10:00.000Z', 'software.os'),
    ]);
    await put('beats/region=eu/dt=2026-12-01/hour=02/shard-1-5-6.ndjson.gz', [
      beat(5, '2026-12-01T02:01:00.000Z'),
      beat(6, '2026-12-01T02:02:00.000Z'),
    ]);
  }, 20_000);

  afterAll(async () => {
    s3.destroy();
    await s3rver.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const target = { region: 'eu', dt: '2026-12-01', hour: '01', now: new Date('2026-12-01T03:00:00Z') };

  it('refuses an hour that has not closed', async () => {
    await expect(
      compactHour(s3, bucket, { ...target, hour: '02', now: new Date('2026-12-01T02:30:00Z') }),
    ).rejects.toThrow(/not closed/);
  });

  it('refuses an hour that ended less than the settling time ago (the archiver may still write into it)', async () => {
    await expect(
      compactHour(s3, bucket, { ...target, now: new Date(Date.parse('2026-12-01T02:00:00Z') + settleMs - 1) }),
    ).rejects.toThrow(/not closed/);
  });

  it('compacts a closed hour into one sorted Parquet object, every row kept, and re-running replaces it', async () => {
    const first = await compactHour(s3, bucket, target);
    expect(first).toMatchObject({
      key: parquetKey('region=eu/dt=2026-12-01/hour=01'),
      sourceObjects: 2,
      rowsRead: 5,
      rowsWritten: 5,
    });
    const again = await compactHour(s3, bucket, target);
    expect(again).toEqual(first);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'parquet/' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual([first.key]);

    const file = join(dir, 'hour.parquet');
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: first.key }));
    writeFileSync(file, await object.Body!.transformToByteArray());
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const order = (
      await db.runAndReadAll(`SELECT type, installation_id FROM read_parquet('${file}')`)
    ).getRowObjectsJS();
    expect(order).toEqual(
      [...order].sort((a, b) =>
        `${a.type}\u0000${a.installation_id}` < `${b.type}\u0000${b.installation_id}` ? -1 : 1,
      ),
    );
    const codecs = (
      await db.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata('${file}')`)
    ).getRowObjectsJS();
    expect(codecs).toEqual([{ compression: 'ZSTD' }]);
    db.closeSync();
  }, 25_000);

  it('refuses to compact an hour it cannot read whole, and writes nothing', async () => {
    await put('beats/region=us/dt=2026-12-01/hour=01/shard-1-1-1.ndjson.gz', [beat(9, '2026-12-01T01:00:00.000Z')]);
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'beats/region=us/dt=2026-12-01/hour=01/shard-1-2-2.ndjson.gz',
        Body: gzipSync('{"beat_id": not json\n'),
      }),
    );
    await expect(compactHour(s3, bucket, { ...target, region: 'us' })).rejects.toThrow();
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'parquet/region=us/' }));
    expect(listed.Contents ?? []).toEqual([]);
  }, 25_000);
});

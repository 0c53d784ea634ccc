/**
 * The CDK app's archiver on the local cloud: records put straight into the region's telemetry
 * stream — v2 batch records and, as during the rollout, v1 one-row records — reach the S3 archive
 * through the templates' event source mapping (read back with readArchive, one row per beat id),
 * and a poison record ends in the mapping's on-failure queue.
 * Runs its own cloud on the run's assembly with a 1 s batching window cap and 10 ms retry delays
 * (`<dataDir>/settings.json`),
 * so the template's 60 s window and 10 retries do not make the test wait.
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { encodeBatch } from '#lambdas/core/telemetry/stream-record';
import { findArchiveBucket, readArchive, type ArchiveRow } from '#local/archive-reader';
import { localKinesis, localS3 } from '#local/clients';
import { findRepoRoot } from '#local/repo-root';
import { cloud, startCloudProcess, type CloudProcess } from '#test/support/local-cloud';

jest.setTimeout(180_000);

const dataDir = mkdtempSync(join(tmpdir(), 'ucx-telemetry-archive-'));
let running: CloudProcess | undefined;
afterAll(async () => {
  await running?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const status = running ? await (await fetch(`${running.info.regions.eu.api}/local/event-sources`)).text() : '';
      throw new Error(
        `timed out waiting for ${what}; event sources: ${status}\nthe cloud said:\n${running?.output().slice(-6000)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

const row = (over: Partial<ArchiveRow>): ArchiveRow => ({
  beat_id: randomUUID(),
  type: 'hardware.memory',
  collected_at: '2026-03-12T19:00:00.000Z',
  received_at: '2026-03-12T19:00:05.000Z',
  installation_id: 'inst-test',
  account_id: 'acc-test',
  region: 'eu',
  catalogue: 'v1',
  data: JSON.stringify({ totalBytes: 17179869184, reservedBytes: 0 }),
  ...over,
});

describe('telemetry archiver on the local cloud', () => {
  it('runs on a local cloud that has the telemetry stream and its archive', () => {
    const logicalIds = Object.keys(cloud().regions.eu.resources);

    expect(logicalIds).toEqual(
      expect.arrayContaining([expect.stringMatching(/^TelemetryStream/), expect.stringMatching(/^TelemetryArchive/)]),
    );
  });

  it('archives v2 and v1 records put into the stream, one row per beat id, and sends a poison record to the on-failure queue', async () => {
    // Arrange
    // the cloud's local settings file (flags cannot be passed through startCloudProcess)
    writeFileSync(
      join(dataDir, 'settings.json'),
      JSON.stringify({ eventSources: { maxBatchingWindowSeconds: 1, retryBaseDelayMs: 10 } }),
    );
    running = await startCloudProcess({ dataDir, fresh: true, assemblyDir: cloud().assemblyDir });
    const { eu } = running.info.regions;
    const streamName = Object.entries(eu.resources).find(([id]) => /^TelemetryStream/.test(id))![1];
    const installation = `inst-${randomUUID()}`;
    const first = row({ installation_id: installation, received_at: '2026-03-12T19:00:05.000Z' });
    const resent = { ...first, received_at: '2026-03-12T19:05:05.000Z' };
    const other = row({
      installation_id: installation,
      type: 'ucx.suite',
      received_at: '2026-03-12T19:02:00.000Z',
      data: JSON.stringify({ version: '12.1', platform: 'x64', installPath: 'C:\\UCX', installFolderBytes: 1 }),
    });
    const later = row({ installation_id: installation, received_at: '2026-03-12T20:00:00.000Z' });
    // a v2 record: one agent batch holding `other` and another re-send of `first`
    const batchRecord = encodeBatch(
      {
        installation_id: installation,
        account_id: other.account_id,
        region: 'eu',
        received_at: other.received_at,
        catalogue: 'v1',
      },
      [other, { ...first, received_at: other.received_at }].map((r) => ({
        beat_id: r.beat_id,
        type: r.type,
        collected_at: r.collected_at,
        data: JSON.parse(r.data),
      })),
      { partitionKeyBytes: installation.length },
    ).records[0]!;
    const kinesis = localKinesis(eu.endpoints.kinesis, eu.region);

    // Act
    const put = await kinesis
      .send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: [first, resent, batchRecord, { poison: true }, later].map((r, i) => ({
            PartitionKey: `${installation}-${i}`,
            Data: r instanceof Uint8Array ? r : Buffer.from(JSON.stringify(r)),
          })),
        }),
      )
      .finally(() => kinesis.destroy());
    const rows = await until('the archive to hold three beats', async () => {
      const found = await readArchive(running!.info, { region: 'eu', installation });
      return found.length >= 3 ? found : undefined;
    });
    const sources = (await (await fetch(`${eu.api}/local/event-sources`)).json()) as {
      eventSources: { function: string; destination?: { queue: string } }[];
    };
    const queue = sources.eventSources.find((s) => /ArchiveTelemetry/i.test(s.function))?.destination?.queue;
    const failures = await until('the poison record in the on-failure queue', async () => {
      const { queues } = (await (await fetch(`${eu.api}/local/queues`)).json()) as {
        queues: Record<string, { KinesisBatchInfo: { startSequenceNumber: string; batchSize: number } }[]>;
      };
      return queue && queues[queue]?.length ? queues[queue] : undefined;
    });
    const memoryOnly = await readArchive(running.info, { region: 'eu', installation, type: 'hardware.memory' });
    const sinceLater = await readArchive(running.info, {
      region: 'eu',
      installation,
      since: '2026-03-12T19:01:00.000Z',
    });
    const cli = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/archive.ts',
        '--cloud',
        running.cloudJson,
        '--region',
        'eu',
        '--installation',
        installation,
      ],
      {
        cwd: findRepoRoot(),
      },
    );

    // Assert
    expect(rows).toEqual(
      [first, other, later].sort(
        (a, b) => a.received_at.localeCompare(b.received_at) || a.beat_id.localeCompare(b.beat_id),
      ),
    );
    expect(memoryOnly.map((r) => r.beat_id).sort()).toEqual([first.beat_id, later.beat_id].sort());
    // the re-sent copy is after `since`, but the view's row is the first received: not "new"
    expect(sinceLater.map((r) => r.beat_id)).toEqual([other.beat_id, later.beat_id]);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.KinesisBatchInfo).toMatchObject({
      startSequenceNumber: put.Records![3]!.SequenceNumber,
      batchSize: 1,
    });
    expect(
      cli.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as ArchiveRow).beat_id),
    ).toEqual(rows.map((r) => r.beat_id));
  });

  it('still reads objects of the v1 layout (one per beat type, under type=…/), one row per beat id', async () => {
    // Arrange
    const { eu } = running!.info.regions;
    const installation = `inst-${randomUUID()}`;
    const old = row({ installation_id: installation, received_at: '2026-03-01T08:00:00.000Z' });
    const s3 = localS3(eu.endpoints.s3, eu.region);
    const bucket = await findArchiveBucket(eu, s3);
    await s3
      .send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'beats/region=eu/type=hardware.memory/dt=2026-03-01/hour=08/shardId-000000000000-1-2.ndjson.gz',
          Body: gzipSync(
            `${JSON.stringify(old)}\n${JSON.stringify({ ...old, received_at: '2026-03-01T08:05:00.000Z' })}\n`,
          ),
        }),
      )
      .finally(() => s3.destroy());

    // Act
    const rows = await readArchive(running!.info, { region: 'eu', installation, type: 'hardware.memory' });

    // Assert
    expect(rows).toEqual([old]);
  });

  it('npm run archive -- --compact runs the cloud compaction of an hour, then --sql through Athena over raw and Parquet hours, each beat once', async () => {
    // Arrange: a day of its own, hour 04 (a re-sent beat) to compact, hour 05 left raw
    const { eu } = running!.info.regions;
    const installation = `inst-${randomUUID()}`;
    const a = row({ installation_id: installation, received_at: '2026-02-10T04:00:00.000Z' });
    const b = row({ installation_id: installation, received_at: '2026-02-10T05:00:00.000Z' });
    const s3 = localS3(eu.endpoints.s3, eu.region);
    const bucket = await findArchiveBucket(eu, s3);
    const put = (key: string, rows: ArchiveRow[]) =>
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: gzipSync(rows.map((r) => `${JSON.stringify(r)}\n`).join('')),
        }),
      );
    await put('beats/region=eu/dt=2026-02-10/hour=04/shardId-000000000000-1-2.ndjson.gz', [
      a,
      { ...a, received_at: '2026-02-10T04:30:00.000Z' },
    ]);
    await put('beats/region=eu/dt=2026-02-10/hour=05/shardId-000000000000-3-3.ndjson.gz', [b]).finally(() =>
      s3.destroy(),
    );
    const cli = (...args: string[]) =>
      promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'scripts/archive.ts', '--cloud', running!.cloudJson, '--region', 'eu', ...args],
        { cwd: findRepoRoot() },
      );

    // Act
    const compacted = await cli('--compact', '2026-02-10T04');
    const query = await cli(
      '--sql',
      `SELECT (SELECT count(*) FROM beats WHERE installation_id = '${installation}') AS copies, ` +
        `(SELECT count(*) FROM beats_unique WHERE installation_id = '${installation}') AS beats`,
    );

    // Assert: the cloud's compaction published the hour; Athena answers in strings
    expect(compacted.stderr).toMatch(/^eu 2026-02-10T04: published, 2 rows \(run /m);
    expect(JSON.parse(query.stdout)).toEqual({ copies: '3', beats: '2' });
  });
});

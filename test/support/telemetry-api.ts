/** Helpers for telemetry integration tests: post beats as an agent, read what reached the region's stream. */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { localKinesis } from '#local/clients';
import { archiveLines } from '#lambdas/core/telemetry/archive-batch';
import { archiveRowSchema, type ArchiveRow } from '#lambdas/core/telemetry/archive-row';
import { decodeStreamRecord, type DecodedRecord } from '#lambdas/core/telemetry/stream-record';
import type { TestAgent } from '#test/support/agent-client';
import { cloud } from '#test/support/local-cloud';
import { api, type RegionKey } from '#test/support/licensing-api';

export async function postBeats(
  agent: TestAgent,
  body: unknown,
  options: { gzip?: boolean; region?: RegionKey; raw?: Buffer } = {},
) {
  const json = () => Buffer.from(JSON.stringify(body));
  const bytes = options.raw ?? (options.gzip ? gzipSync(json()) : json());
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.gzip || options.raw) headers['content-encoding'] = 'gzip';
  return agent.request(
    api(options.region),
    'POST',
    `/v1/installations/${agent.keyid}/telemetry`,
    new Uint8Array(bytes),
    { headers },
  );
}

/** An Express database at 50 % of its 10 GB cap, and the suite at `suiteVersion` (rule settings, advisory tables). */
export async function postExpressDatabaseAndSuite(agent: TestAgent, suiteVersion: string): Promise<void> {
  const beat = (type: string, data: unknown) => ({
    id: randomUUID(),
    type,
    collectedAt: new Date().toISOString(),
    data,
  });
  const res = await postBeats(agent, {
    beats: [
      beat('ucx.database_server', { edition: 'Express Edition', version: '16.0.1000.6', instanceName: 'SQLEXPRESS' }),
      beat('ucx.database', {
        name: 'UCX',
        sizeBytes: 5 * 1024 ** 3,
        filePaths: [],
        authType: 'sql',
        fullTextCatalogStatus: 'Idle',
        lastMaintenanceAt: new Date().toISOString(),
      }),
      beat('ucx.suite', { version: suiteVersion, platform: 'windows', installPath: 'C:\\UCX', installFolderBytes: 1 }),
    ],
  });
  if (res.status !== 202) throw new Error(`beats refused: ${res.status} ${res.text}`);
}

export function streamName(region: RegionKey = 'eu'): string {
  const resources = cloud().regions[region].resources;
  const name = Object.entries(resources).find(([logical]) => logical.startsWith('TelemetryStream'))?.[1];
  if (!name) throw new Error(`no telemetry stream in the ${region} resources`);
  return name;
}

/**
 * Every beat that reached the region's stream for one installation, as the archive row the
 * archiver would write (reads each shard from its start; v2 batch records and v1 rows alike).
 */
export async function streamRowsOf(installationId: string, region: RegionKey = 'eu'): Promise<ArchiveRow[]> {
  const rows: ArchiveRow[] = [];
  for (const record of await streamRecordsOf(installationId, region)) {
    for (const lines of archiveLines(record).values()) {
      for (const line of lines.split('\n')) if (line) rows.push(archiveRowSchema.parse(JSON.parse(line)));
    }
  }
  return rows;
}

/** Every record on the region's stream for one installation, decoded, in stream order per shard. */
export async function streamRecordsOf(installationId: string, region: RegionKey = 'eu'): Promise<DecodedRecord[]> {
  const kinesis = localKinesis(cloud().regions[region].endpoints.kinesis, cloud().regions[region].region);
  const StreamName = streamName(region);
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName }))).Shards ?? [];
  const records: DecodedRecord[] = [];
  for (const shard of shards) {
    let iterator = (
      await kinesis.send(
        new GetShardIteratorCommand({ StreamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
      )
    ).ShardIterator;
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) {
        if (record.PartitionKey !== installationId) continue;
        records.push(decodeStreamRecord(record.Data!));
      }
      if (!page.Records?.length || page.MillisBehindLatest === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  kinesis.destroy();
  return records;
}

/**
 * The archive compaction on Athena and S3: Athena counts and rewrites an hour (UNLOAD into the
 * run's own folder), S3 lists the hours and swaps the hour's manifest. The local cloud's Athena
 * stand-in (local/athena.ts) runs the same statements on DuckDB.
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  type ArchiveHour,
  countRawRowsSql,
  countRunRowsSql,
  manifestKey,
  manifestsPrefix,
  rawPrefix,
  runPrefix,
  unloadHourSql,
} from '../core/telemetry/archive-tables';
import type { ArchiveCompactionStore } from '../core/telemetry/compact-archive';
import { traced } from '../shared/powertools';

let client: AthenaClient | undefined;
export function athenaClient(): AthenaClient {
  client ??= traced(new AthenaClient({}));
  return client;
}

export class AthenaQueryFailed extends Error {
  constructor(queryId: string, state: string, reason: string | undefined) {
    super(`Athena query ${queryId} ${state}: ${reason ?? 'no reason given'}`);
    this.name = 'AthenaQueryFailed';
  }
}

const hourOfKey = (key: string): ArchiveHour | undefined => {
  const m = /region=([^/]+)\/dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\//.exec(key);
  return m ? { region: m[1]!, dt: m[2]!, hour: m[3]! } : undefined;
};
const label = (h: ArchiveHour) => `${h.region}/${h.dt}/${h.hour}`;

export class AthenaArchiveCompactor implements ArchiveCompactionStore {
  constructor(
    private readonly options: {
      readonly athena: AthenaClient;
      readonly s3: S3Client;
      readonly bucket: string;
      readonly database: string;
      readonly workGroup: string;
      /** waits between polls of a running query. @default setTimeout */
      readonly wait?: (ms: number) => Promise<void>;
    },
  ) {}

  async rawHours(region: string, days: readonly string[]) {
    const newest = new Map<string, { hour: ArchiveHour; lastWrittenAt: Date }>();
    for (const day of days) {
      for (const object of await this.list(`${rawPrefix}region=${region}/dt=${day}/`)) {
        const hour = hourOfKey(object.key);
        if (!hour || !object.key.endsWith('.ndjson.gz')) continue;
        const seen = newest.get(label(hour));
        if (!seen || object.lastModified > seen.lastWrittenAt)
          newest.set(label(hour), { hour, lastWrittenAt: object.lastModified });
      }
    }
    return [...newest.values()];
  }

  async compactedHours(region: string, days: readonly string[]) {
    const out: { hour: ArchiveHour; compactedAt: Date }[] = [];
    for (const day of days) {
      for (const object of await this.list(`${manifestsPrefix}region=${region}/dt=${day}/`)) {
        const hour = hourOfKey(object.key);
        if (hour && object.key === manifestKey(hour)) out.push({ hour, compactedAt: object.lastModified });
      }
    }
    return out;
  }

  async countRawRows(hour: ArchiveHour): Promise<number> {
    return this.count(countRawRowsSql(this.options.database, hour));
  }

  async writeRun(hour: ArchiveHour, runId: string): Promise<void> {
    await this.query(unloadHourSql(this.options.database, hour, this.options.bucket, runId));
  }

  async countRunRows(hour: ArchiveHour, runId: string): Promise<number> {
    return this.count(countRunRowsSql(this.options.database, hour, runId));
  }

  /** One PUT replaces the manifest, so a query sees the old run or the new one, never a mix. */
  async publishRun(hour: ArchiveHour, runId: string): Promise<void> {
    const files = (await this.list(runPrefix(hour, runId))).map((o) => o.key);
    const previous = await this.readManifest(hour);
    await this.options.s3.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: manifestKey(hour),
        Body: files.map((key) => `s3://${this.options.bucket}/${key}\n`).join(''),
        ContentType: 'text/plain',
      }),
    );
    const uri = `s3://${this.options.bucket}/`;
    await this.delete(
      previous.filter((u) => u.startsWith(uri) && !files.includes(u.slice(uri.length))).map((u) => u.slice(uri.length)),
    );
  }

  async discardRun(hour: ArchiveHour, runId: string): Promise<void> {
    await this.delete((await this.list(runPrefix(hour, runId))).map((o) => o.key));
  }

  private async readManifest(hour: ArchiveHour): Promise<string[]> {
    try {
      const out = await this.options.s3.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: manifestKey(hour) }),
      );
      return (await out.Body!.transformToString('utf8')).split('\n').filter((line) => line.trim() !== '');
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return [];
      throw error;
    }
  }

  private async list(prefix: string): Promise<{ key: string; lastModified: Date }[]> {
    const out: { key: string; lastModified: Date }[] = [];
    let token: string | undefined;
    do {
      const page = await this.options.s3.send(
        new ListObjectsV2Command({
          Bucket: this.options.bucket,
          Prefix: prefix,
          ...(token && { ContinuationToken: token }),
        }),
      );
      for (const o of page.Contents ?? [])
        if (o.Key && o.LastModified) out.push({ key: o.Key, lastModified: o.LastModified });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  private async delete(keys: readonly string[]): Promise<void> {
    // DeleteObjects takes 1000 keys a request
    for (let i = 0; i < keys.length; i += 1000) {
      await this.options.s3.send(
        new DeleteObjectsCommand({
          Bucket: this.options.bucket,
          Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
        }),
      );
    }
  }

  private async count(sql: string): Promise<number> {
    const queryId = await this.query(sql);
    const out = await this.options.athena.send(new GetQueryResultsCommand({ QueryExecutionId: queryId }));
    // Rows[0] is the header row
    const value = out.ResultSet?.Rows?.[1]?.Data?.[0]?.VarCharValue;
    const n = Number(value);
    if (value === undefined || !Number.isInteger(n)) throw new Error(`Athena query ${queryId}: no count in its result`);
    return n;
  }

  /** Runs one statement to its end: polls every 0.5 s, backing off to 5 s. */
  private async query(sql: string): Promise<string> {
    const wait = this.options.wait ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
    const started = await this.options.athena.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: this.options.workGroup,
        QueryExecutionContext: { Database: this.options.database },
      }),
    );
    const queryId = started.QueryExecutionId!;
    for (let delay = 500; ; delay = Math.min(delay * 2, 5_000)) {
      const { QueryExecution } = await this.options.athena.send(
        new GetQueryExecutionCommand({ QueryExecutionId: queryId }),
      );
      const state = QueryExecution?.Status?.State;
      if (state === 'SUCCEEDED') return queryId;
      if (state === 'FAILED' || state === 'CANCELLED')
        throw new AthenaQueryFailed(queryId, state, QueryExecution?.Status?.StateChangeReason);
      await wait(delay);
    }
  }
}

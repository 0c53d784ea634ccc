/**
 * SQL over a region's telemetry archive the way an analyst reaches it in the cloud: Athena's API
 * (the local stand-in, local/athena.ts) against the region's Glue database, whose `beats` and
 * `beats_unique` views read Parquet for compacted hours and raw for the newest.
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { localCredentials } from './clients';
import type { LocalRegionInfo } from './cloud';

export interface ArchiveQueryResult {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | null)[])[];
}

/** Runs one statement and waits for it (the stand-in runs queries one at a time, in well under a second each). */
export async function queryArchiveSql(region: LocalRegionInfo, sql: string): Promise<ArchiveQueryResult> {
  if (!region.endpoints.athena || !region.telemetryDatabase)
    throw new Error(
      `${region.region} has no telemetry database on the local cloud: is the archive compaction deployed?`,
    );
  const athena = new AthenaClient({
    endpoint: region.endpoints.athena,
    region: region.region,
    credentials: localCredentials,
  });
  try {
    const { QueryExecutionId } = await athena.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        QueryExecutionContext: { Database: region.telemetryDatabase },
      }),
    );
    for (;;) {
      const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId }));
      const state = QueryExecution?.Status?.State;
      if (state === 'FAILED' || state === 'CANCELLED')
        throw new Error(QueryExecution?.Status?.StateChangeReason ?? state);
      if (state === 'SUCCEEDED') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    let columns: string[] = [];
    const rows: (string | null)[][] = [];
    let token: string | undefined;
    do {
      const page = await athena.send(
        new GetQueryResultsCommand({ QueryExecutionId, ...(token && { NextToken: token }) }),
      );
      const pageRows = page.ResultSet?.Rows ?? [];
      // Athena's first row of the first page repeats the column names
      if (!token) {
        columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? '');
        pageRows.shift();
      }
      for (const r of pageRows) rows.push((r.Data ?? []).map((d) => d.VarCharValue ?? null));
      token = page.NextToken;
    } while (token);
    return { columns, rows };
  } finally {
    athena.destroy();
  }
}

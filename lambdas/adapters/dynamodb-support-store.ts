/**
 * The regional support table (telemetry-derived data stays in its region). Layout:
 *   INST#<inst> / STATE               the rules' state of the installation (one item, version-guarded)
 *   INST#<inst> / SNAP#<beat type>    the newest beat of each type (support's snapshot)
 *   INST#<inst> / FINDING#<finding>   a finding with evidence and history
 *   INST#<inst> / ACK#<finding>#<at>  support's acknowledgement of a finding, with its note
 * GSIs: gsi1 `SILENT#<bucket>` / last beat time — the missing-beat sweep reads only the oldest
 * entries of each bucket; gsi2 `ACC#<account>` / `INST#…` or `FINDING#…` — support lists by account.
 */
import { createHash } from 'node:crypto';
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { SnapshotRecord, StateCommit, SupportStore } from '../core/rules/ports';
import { StateConflict } from '../core/rules/ports';
import type { InstallationState } from '../core/rules/state';
import type { FindingRecord } from '../core/rules/engine';
import { rethrowThrottling } from './aws-errors';

/** Spreads the sweep's index over this many partitions so no single key gets hot. */
export const SILENT_BUCKETS = 8;
export const silentBucketOf = (installationId: string) =>
  createHash('sha256').update(installationId).digest()[0]! % SILENT_BUCKETS;

const statePk = (installationId: string) => `INST#${installationId}`;

// The stored state is our own shape; its outer fields are checked, the rule memory is opaque data.
const stateItem = z.object({
  installationId: z.string(),
  accountId: z.string(),
  version: z.number().int(),
  lastBeatAt: z.number().optional(),
  newest: z.record(z.string(), z.number()),
  memory: z.record(
    z.string(),
    z.object({
      series: z.record(z.string(), z.array(z.object({ t: z.number(), v: z.number() }))),
      facts: z.record(z.string(), z.unknown()),
    }),
  ),
  trackers: z.record(z.string(), z.object({ hits: z.number(), clears: z.number() }).passthrough()),
  checkpoints: z.record(z.string(), z.string()),
  recentBeatIds: z.array(z.string()),
});

export function openFindingsOf(state: InstallationState) {
  return Object.entries(state.trackers)
    .filter(([, t]) => t.open)
    .map(([key, t]) => ({
      findingId: t.open!.findingId,
      ruleId: key.split('|')[0]!,
      subject: key.slice(key.indexOf('|') + 1),
      severity: t.open!.severity,
      openedAt: t.open!.openedAt,
    }));
}

export class DynamoDbSupportStore implements SupportStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getState(installationId: string): Promise<InstallationState | undefined> {
    try {
      const out = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: statePk(installationId), sk: 'STATE' },
          ConsistentRead: true,
        }),
      );
      return out.Item ? (stateItem.parse(out.Item) as InstallationState) : undefined;
    } catch (error) {
      return rethrowThrottling(error, 'The support store');
    }
  }

  async commit(c: StateCommit): Promise<void> {
    const { state } = c;
    const pk = statePk(state.installationId);
    const stateRecord = {
      pk,
      sk: 'STATE',
      type: 'state',
      ...state,
      version: c.expectedVersion + 1,
      careLevel: c.careLevel,
      openFindings: openFindingsOf(state),
      gsi2pk: `ACC#${state.accountId}`,
      gsi2sk: `INST#${state.installationId}`,
      ...(state.lastBeatAt !== undefined
        ? { gsi1pk: `SILENT#${silentBucketOf(state.installationId)}`, gsi1sk: new Date(state.lastBeatAt).toISOString() }
        : {}),
    };
    const items = [
      {
        Put: {
          TableName: this.tableName,
          Item: stateRecord,
          ConditionExpression: 'attribute_not_exists(pk) OR #version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': c.expectedVersion },
        },
      },
      ...c.findings.map((f) => ({ Put: { TableName: this.tableName, Item: this.findingItem(f) } })),
      ...c.snapshots.map((s) => ({ Put: { TableName: this.tableName, Item: this.snapshotItem(s) } })),
    ];
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
      if ((error as Error).name === 'TransactionCanceledException' && reasons?.[0]?.Code === 'ConditionalCheckFailed') {
        throw new StateConflict(state.installationId);
      }
      if (
        (error as Error).name === 'TransactionCanceledException' &&
        reasons?.some((r) => r.Code === 'TransactionConflict')
      ) {
        throw new StateConflict(state.installationId);
      }
      rethrowThrottling(error, 'The support store');
    }
  }

  async silentSince(before: number, limit: number): Promise<string[]> {
    const beforeIso = new Date(before).toISOString();
    const ids: string[] = [];
    for (let bucket = 0; bucket < SILENT_BUCKETS && ids.length < limit; bucket++) {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :before',
          ExpressionAttributeValues: { ':pk': `SILENT#${bucket}`, ':before': beforeIso },
          Limit: limit - ids.length,
        }),
      );
      for (const item of out.Items ?? []) ids.push(z.object({ installationId: z.string() }).parse(item).installationId);
    }
    return ids;
  }

  private findingItem(f: FindingRecord) {
    return {
      pk: statePk(f.installationId),
      sk: `FINDING#${f.findingId}`,
      type: 'finding',
      ...f,
      gsi2pk: `ACC#${f.accountId}`,
      gsi2sk: `FINDING#${f.updatedAt}#${f.findingId}`,
    };
  }

  private snapshotItem(s: SnapshotRecord) {
    return { pk: statePk(s.installationId), sk: `SNAP#${s.type}`, ...s, type: 'snapshot', beatType: s.type };
  }
}

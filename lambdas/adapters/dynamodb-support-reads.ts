/**
 * Support's reads of the regional support table and its acknowledgements (layout in
 * dynamodb-support-store.ts). Query and GetItem only, every page followed, every item parsed.
 * Acknowledgements are items of their own, `INST#<id>` / `ACK#<finding>#<at>#<ackId>`, so they
 * never touch the items the rules Lambda writes.
 */
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { queryAll } from './dynamodb-query-all';
import * as z from 'zod/mini';
import type { FindingRecord } from '../core/rules/engine';
import type { SnapshotRecord } from '../core/rules/ports';
import type {
  Acknowledgement,
  FindingStatus,
  InstallationHealth,
  SilencePosition,
  SupportReadStore,
} from '../core/support/ports';
import { beatTypeSchema } from '../core/telemetry/catalogue';
import { rethrowThrottling } from './aws-errors';
import { batchGetAll } from './dynamodb-batch-get';
import { beatTimesOf, silenceCut } from './dynamodb-silent-installations';
import { SILENT_BUCKETS, silentBucketOf, statePk } from './dynamodb-support-store';
import { decodeOpenFindings } from './support-state-codec';
import { decodeSnapshotData, decodeSnapshotGroup } from './support-snapshot-codec';

const severity = z.enum(['info', 'warning', 'critical']);
const careLevel = z.enum(['basic', 'gold', 'platinum', 'none']);
const evidence = z.record(
  z.string(),
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.union([z.string(), z.number()]))]),
);

// Only these attributes of the state item are read (the rules' own state is deflated beside them).
// Its installation and account are read from its keys (items written before the state was
// compacted also hold them as attributes); keys are in every index, so gsi2 need not list them.
// The newest beat's time is not read from an index: `beatAt`, the exact time, is projected by
// none, so a steady installation's write leaves gsi2 alone (items written before also hold
// `lastBeatAt`, down to the hour, or exact when they have no beatAt); an account's list from
// gsi2 reads its page's times from the table (beatTimesOf).
const healthAttributes = ['installationId', 'accountId', 'careLevel', 'openFindings'];
const healthIndexAttributes = [...healthAttributes, 'pk', 'gsi2pk'];
const healthReadAttributes = [...healthIndexAttributes, 'beatAt', 'lastBeatAt'];
const healthItem = z.pipe(
  z.object({
    pk: z.string().check(z.startsWith('INST#')),
    gsi2pk: z.string().check(z.startsWith('ACC#')),
    installationId: z.optional(z.string()),
    accountId: z.optional(z.string()),
    /** epoch ms */
    lastBeatAt: z.optional(z.number()),
    /** epoch ms, exact */
    beatAt: z.optional(z.number()),
    careLevel: z.optional(careLevel),
    // deflated (decodeOpenFindings); items written before that hold a list of objects
    openFindings: z._default(
      z.union([
        z.instanceof(Uint8Array),
        z.array(
          z.object({
            findingId: z.string(),
            ruleId: z.string(),
            subject: z.string(),
            severity,
            openedAt: z.string(),
          }),
        ),
      ]),
      [],
    ),
  }),
  z.transform(({ pk, gsi2pk, beatAt, careLevel, openFindings, ...item }): InstallationHealth => {
    const installationId = item.installationId ?? pk.slice('INST#'.length);
    const lastBeatAt = beatAt ?? item.lastBeatAt;
    return {
      installationId,
      accountId: item.accountId ?? gsi2pk.slice('ACC#'.length),
      ...(lastBeatAt !== undefined ? { lastBeatAt: new Date(lastBeatAt).toISOString() } : {}),
      ...(careLevel ? { careLevel } : {}),
      openFindings:
        openFindings instanceof Uint8Array ? decodeOpenFindings(installationId, openFindings) : openFindings,
    };
  }),
);

const findingShape = {
  findingId: z.string(),
  installationId: z.string(),
  accountId: z.string(),
  ruleId: z.string(),
  subject: z.string(),
  severity,
  status: z.enum(['open', 'resolved']),
  openedAt: z.string(),
  updatedAt: z.string(),
  resolvedAt: z.optional(z.string()),
  evidence,
  history: z.array(
    z.object({
      at: z.string(),
      event: z.enum(['opened', 'escalated', 'deescalated', 'resolved', 'reopened']),
      severity,
      evidence,
    }),
  ),
  audience: z.enum(['proactive', 'support', 'customer']),
  careLevel,
};
const findingItem = z.pipe(
  z.object(findingShape),
  z.transform(({ resolvedAt, ...rest }): FindingRecord => ({ ...rest, ...(resolvedAt ? { resolvedAt } : {}) })),
);

/**
 * A snapshot item: one type's (its data compressed in `dataZ`, or plain in items written before)
 * or the counters' item, all of them compressed together.
 */
const snapshotItem = z.union([
  z.pipe(
    z.object({
      installationId: z.string(),
      accountId: z.string(),
      beatType: beatTypeSchema,
      beatId: z.string(),
      collectedAt: z.string(),
      // plain in items written before the data was compressed
      data: z.optional(z.unknown()),
      dataZ: z.optional(z.instanceof(Uint8Array)),
    }),
    z.transform(({ beatType, dataZ, data, ...rest }): SnapshotRecord[] => [
      { ...rest, type: beatType, data: dataZ ? decodeSnapshotData(dataZ) : data },
    ]),
  ),
  z.pipe(
    z.object({
      pk: z.string().check(z.startsWith('INST#')),
      accountId: z.string(),
      snapshots: z.instanceof(Uint8Array),
    }),
    z.transform(({ pk, accountId, snapshots }): SnapshotRecord[] =>
      Object.entries(decodeSnapshotGroup(snapshots)).map(([type, s]) => ({
        installationId: pk.slice('INST#'.length),
        accountId,
        type: beatTypeSchema.parse(type),
        ...s,
      })),
    ),
  ),
]);

const acknowledgementItem = z.object({
  ackId: z.string(),
  findingId: z.string(),
  installationId: z.string(),
  accountId: z.string(),
  at: z.string(),
  by: z.string(),
  note: z.string(),
});

const statusFilter = (status: FindingStatus | undefined) =>
  status
    ? {
        FilterExpression: '#status = :status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status },
      }
    : {};

/** A query of this table (the table name is added when it is sent). */
type Query = Omit<QueryCommandInput, 'TableName'>;

/** Adds a filter to a query, merging its names and values (DynamoDB refuses empty maps). */
function withFilter(
  input: Query,
  filter: Pick<Query, 'FilterExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>,
): Query {
  if (!filter.FilterExpression) return input;
  return {
    ...input,
    FilterExpression: filter.FilterExpression,
    ExpressionAttributeNames: { ...input.ExpressionAttributeNames, ...filter.ExpressionAttributeNames },
    ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ...filter.ExpressionAttributeValues },
  };
}

export class DynamoDbSupportReads implements SupportReadStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * gsi2's entries of the account's installations, each with its newest beat's time read from its
   * STATE item (one BatchGetItem of the times only: half a read unit per installation).
   */
  async installationsOfAccount(accountId: string): Promise<InstallationHealth[]> {
    const items = await this.queryAll({
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk AND begins_with(gsi2sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `ACC#${accountId}`, ':prefix': 'INST#' },
      ...this.projection(healthIndexAttributes),
    });
    const ids = items.map((item) => String(item['pk']).slice('INST#'.length));
    const times = await beatTimesOf(this.client, this.tableName, ids);
    return items.map((item, i) => {
      const beatAt = times.get(ids[i]!);
      return healthItem.parse(beatAt === undefined ? item : { ...item, beatAt });
    });
  }

  readonly silenceBuckets = SILENT_BUCKETS;

  /**
   * gsi1 projects the keys and installationId only, so a page of it is followed by a BatchGetItem
   * of the state items' health attributes: each read costs the whole state item (about 1 KB, 0.5
   * RRU eventually consistent), the price of not adding an index.
   */
  async healthBySilence(
    bucket: number,
    page: { beatBefore?: string; after?: SilencePosition; limit: number },
  ): Promise<{ installations: InstallationHealth[]; positions: SilencePosition[]; next?: SilencePosition }> {
    const gsi1pk = `SILENT#${bucket}`;
    const after = page.after;
    if (after && silentBucketOf(after.installationId) !== bucket) return { installations: [], positions: [] };
    const below = page.beatBefore === undefined ? undefined : silenceCut(Date.parse(page.beatBefore));
    try {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: below ? `gsi1pk = :pk AND gsi1sk ${below.op} :below` : 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': gsi1pk, ...(below ? { ':below': below.key } : {}) },
          Limit: page.limit,
          ...(after
            ? {
                ExclusiveStartKey: { pk: statePk(after.installationId), sk: 'STATE', gsi1pk, gsi1sk: after.lastBeatAt },
              }
            : {}),
        }),
      );
      const positions = (out.Items ?? []).map((item) => ({
        installationId: z.string().check(z.startsWith('INST#')).parse(item['pk']).slice('INST#'.length),
        lastBeatAt: z.string().parse(item['gsi1sk']),
      }));
      const byId = await this.healthOfMany(positions.map((p) => p.installationId));
      // the index keys on the last beat down to 3 hours: those of that step that beat since `beatBefore` go
      const read = positions.flatMap((position) => {
        const health = byId.get(position.installationId);
        if (!health) return [];
        if (page.beatBefore && health.lastBeatAt !== undefined && health.lastBeatAt >= page.beatBefore) return [];
        return [{ health, position }];
      });
      const last = out.LastEvaluatedKey;
      return {
        installations: read.map((r) => r.health),
        positions: read.map((r) => r.position),
        ...(last
          ? { next: { installationId: String(last['pk']).slice('INST#'.length), lastBeatAt: String(last['gsi1sk']) } }
          : {}),
      };
    } catch (error) {
      return rethrowThrottling(error, 'The support store');
    }
  }

  private async healthOfMany(ids: readonly string[]): Promise<Map<string, InstallationHealth>> {
    const items = await batchGetAll(
      this.client,
      this.tableName,
      ids.map((id) => ({ pk: statePk(id), sk: 'STATE' })),
      healthReadAttributes,
    ).catch((error: unknown) => rethrowThrottling(error, 'The support store'));
    const found = new Map<string, InstallationHealth>();
    for (const item of items) {
      const health = healthItem.parse(item);
      found.set(health.installationId, health);
    }
    return found;
  }

  async installationHealth(installationId: string): Promise<InstallationHealth | undefined> {
    const item = await this.get(statePk(installationId), 'STATE', healthReadAttributes);
    return item ? healthItem.parse(item) : undefined;
  }

  async snapshot(installationId: string): Promise<SnapshotRecord[]> {
    const items = await this.queryAll(this.inPartition(installationId, 'SNAP#'));
    // a type can be in an old item and a newer one (the counters' item): the newest wins
    const newest = new Map<string, SnapshotRecord>();
    for (const snapshot of items.flatMap((item) => snapshotItem.parse(item))) {
      const seen = newest.get(snapshot.type);
      if (!seen || Date.parse(seen.collectedAt) < Date.parse(snapshot.collectedAt)) newest.set(snapshot.type, snapshot);
    }
    return [...newest.values()];
  }

  async findings(installationId: string, filter: { status?: FindingStatus } = {}): Promise<FindingRecord[]> {
    const items = await this.queryAll(
      withFilter(this.inPartition(installationId, 'FINDING#'), statusFilter(filter.status)),
    );
    return items.map((item) => findingItem.parse(item));
  }

  async findingsOfAccount(accountId: string, filter: { status?: FindingStatus } = {}): Promise<FindingRecord[]> {
    const items = await this.queryAll(
      withFilter(
        {
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk AND begins_with(gsi2sk, :prefix)',
          ExpressionAttributeValues: { ':pk': `ACC#${accountId}`, ':prefix': 'FINDING#' },
          ScanIndexForward: false,
        },
        statusFilter(filter.status),
      ),
    );
    return items.map((item) => findingItem.parse(item));
  }

  async finding(installationId: string, findingId: string): Promise<FindingRecord | undefined> {
    const item = await this.get(statePk(installationId), `FINDING#${findingId}`);
    return item ? findingItem.parse(item) : undefined;
  }

  async acknowledgements(installationId: string, findingId?: string): Promise<Acknowledgement[]> {
    const items = await this.queryAll(this.inPartition(installationId, findingId ? `ACK#${findingId}#` : 'ACK#'));
    return items.map((item) => acknowledgementItem.parse(item));
  }

  async acknowledge(ack: Acknowledgement): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: statePk(ack.installationId),
            sk: `ACK#${ack.findingId}#${ack.at}#${ack.ackId}`,
            type: 'acknowledgement',
            ...ack,
          },
          // ack ids are random: a collision is a bug, never an overwrite
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      rethrowThrottling(error, 'The support store');
    }
  }

  private inPartition(installationId: string, skPrefix: string): Query {
    return {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': statePk(installationId), ':prefix': skPrefix },
    };
  }

  private projection(attributes: readonly string[]) {
    return {
      ProjectionExpression: attributes.map((_, i) => `#p${i}`).join(', '),
      ExpressionAttributeNames: Object.fromEntries(attributes.map((name, i) => [`#p${i}`, name])),
    };
  }

  private async get(pk: string, sk: string, attributes?: readonly string[]) {
    try {
      const out = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk, sk },
          ...(attributes ? this.projection(attributes) : {}),
        }),
      );
      return out.Item;
    } catch (error) {
      return rethrowThrottling(error, 'The support store');
    }
  }

  private async queryAll(input: Query): Promise<Record<string, unknown>[]> {
    return queryAll(this.client, { ...input, TableName: this.tableName }).catch((error: unknown) =>
      rethrowThrottling(error, 'The support store'),
    );
  }
}

/** Attributes the account-level listings read from gsi2: the index must project each (a test checks). */
export const gsi2ReadAttributes: readonly string[] = [...new Set([...healthAttributes, ...Object.keys(findingShape)])];

/**
 * Terms versions and consents on the licensing table (docs/terms.md):
 *   TERMS / V#<0000007>             a published version, with the job's `noticeProgress`
 *   ACC#<account> / TERMS#<0000007> the account's consent record for that version (status
 *                                   pending, accepted, objected or silent, and its notice), listed per
 *                                   version on gsi1: gsi1pk `TERMSCONSENT#<n>`, gsi1sk `<account>`
 * A consent change is one transaction with its audit event (AUDIT#<account> / <at>#<event>).
 * Accounts are enumerated by a Scan of the `ACC#<account> / META` items (no index lists them all);
 * those created since a version's publication by the back office's `NEWACC#<yyyy-mm>` items.
 */
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { AccountRef, NoticeProgress, TermsStore } from '../core/accounts/terms';
import {
  type ConsentRecord,
  type ConsentStatus,
  consentRecordSchema,
  type TermsVersion,
  termsVersionSchema,
} from '../core/accounts/terms-model';
import { regionSchema } from '../core/licensing/catalogue';
import type { AuditEvent } from '../core/licensing/model';
import { hasErrorName, rethrowThrottling, transactionConditionFailed } from './aws-errors';
import { auditItem } from './dynamodb-audit-writer';

const VERSIONS_PK = 'TERMS';
const pad = (n: number) => String(n).padStart(7, '0');
const versionKey = (n: number) => ({ pk: VERSIONS_PK, sk: `V#${pad(n)}` });
const consentKey = (accountId: string, n: number) => ({ pk: `ACC#${accountId}`, sk: `TERMS#${pad(n)}` });
const consentGsiPk = (n: number) => `TERMSCONSENT#${n}`;

const progressSchema = z.object({ cursor: z.optional(z.string()), done: z.boolean(), late: z.optional(z.string()) });
const accountItemSchema = z.object({
  pk: z.string().check(z.startsWith('ACC#')),
  region: regionSchema,
  closure: z.optional(z.looseObject({})),
});
const newAccountItemSchema = z.object({ sk: z.string(), accountId: z.string(), region: regionSchema });
const monthOf = (iso: string) => iso.slice(0, 7);
/** The month after `yyyy-mm`. */
const nextMonth = (month: string) => {
  const d = new Date(`${month}-01T00:00:00.000Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 7);
};
const startKeySchema = z.record(z.string(), z.string());

const encodeCursor = (key: Record<string, unknown> | undefined) =>
  key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
const decodeCursor = (cursor: string | undefined) =>
  cursor === undefined
    ? undefined
    : startKeySchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));

/** Thrown to the use case as `false`: a condition of the transaction's first item failed. */
function conditionFailed(error: unknown): boolean {
  return transactionConditionFailed(error) || hasErrorName(error, 'ConditionalCheckFailedException');
}

export class DynamoDbTermsStore implements TermsStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** the licensing table's gsi1 */
    private readonly indexName = 'gsi1',
  ) {}

  private async send<T>(command: object): Promise<T> {
    return (await this.client
      .send(command as never)
      .catch((e: unknown) => rethrowThrottling(e, 'The licensing table'))) as T;
  }

  async listVersions(): Promise<TermsVersion[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.send<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': VERSIONS_PK },
          ...(startKey && { ExclusiveStartKey: startKey }),
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items.map((item) => termsVersionSchema.parse(item));
  }

  async putVersion(version: TermsVersion): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...versionKey(version.version), type: 'terms-version', ...version, noticeProgress: { done: false } },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      return rethrowThrottling(error, 'The licensing table');
    }
  }

  async listConsents(accountId: string): Promise<ConsentRecord[]> {
    const page = await this.send<{ Items?: Record<string, unknown>[] }>(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :terms)',
        ExpressionAttributeValues: { ':pk': `ACC#${accountId}`, ':terms': 'TERMS#' },
        ConsistentRead: true,
      }),
    );
    return (page.Items ?? []).map((item) => consentRecordSchema.parse(item));
  }

  async getConsent(accountId: string, version: number): Promise<ConsentRecord | null> {
    const { Item } = await this.send<{ Item?: Record<string, unknown> }>(
      new GetCommand({ TableName: this.tableName, Key: consentKey(accountId, version), ConsistentRead: true }),
    );
    return Item ? consentRecordSchema.parse(Item) : null;
  }

  async transition(
    record: ConsentRecord,
    from: readonly (ConsentStatus | 'none')[],
    audit: AuditEvent,
  ): Promise<boolean> {
    const statuses = from.filter((s): s is ConsentStatus => s !== 'none');
    const conditions = [
      ...(from.includes('none') ? ['attribute_not_exists(pk)'] : []),
      ...(statuses.length > 0 ? [`#status IN (${statuses.map((_, i) => `:from${i}`).join(', ')})`] : []),
    ];
    const set: Record<string, unknown> = {
      accountId: record.accountId,
      version: record.version,
      status: record.status,
      gsi1pk: consentGsiPk(record.version),
      gsi1sk: record.accountId,
      type: 'terms-consent',
      ...(record.at !== undefined && { at: record.at }),
      ...(record.by !== undefined && { by: record.by }),
      ...(record.reason !== undefined && { reason: record.reason }),
      ...(record.previousObjection !== undefined && { previousObjection: record.previousObjection }),
    };
    const removed = ['reason', 'previousObjection'].filter((name) => !(name in set));
    const names = Object.fromEntries([...Object.keys(set), ...removed].map((name) => [`#${name}`, name]));
    const values = {
      ...Object.fromEntries(Object.entries(set).map(([name, value]) => [`:${name}`, value])),
      ...Object.fromEntries(statuses.map((s, i) => [`:from${i}`, s])),
    };
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: consentKey(record.accountId, record.version),
                UpdateExpression: `SET ${Object.keys(set)
                  .map((name) => `#${name} = :${name}`)
                  .join(', ')}${removed.length > 0 ? ` REMOVE ${removed.map((name) => `#${name}`).join(', ')}` : ''}`,
                ConditionExpression: conditions.join(' OR '),
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: values,
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: auditItem(audit),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      return rethrowThrottling(error, 'The licensing table');
    }
  }

  async listVersionConsents(
    version: number,
    page: { readonly cursor?: string; readonly limit: number; readonly status?: ConsentStatus },
  ): Promise<{ records: ConsentRecord[]; cursor?: string }> {
    const startKey = decodeCursor(page.cursor);
    const result = await this.send<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: this.indexName,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': consentGsiPk(version), ...(page.status && { ':status': page.status }) },
        ...(page.status && {
          FilterExpression: '#status = :status',
          ExpressionAttributeNames: { '#status': 'status' },
        }),
        Limit: page.limit,
        ...(startKey && { ExclusiveStartKey: startKey }),
      }),
    );
    const cursor = encodeCursor(result.LastEvaluatedKey);
    return { records: (result.Items ?? []).map((item) => consentRecordSchema.parse(item)), ...(cursor && { cursor }) };
  }

  async listAccounts(cursor: string | undefined, limit: number): Promise<{ accounts: AccountRef[]; cursor?: string }> {
    const startKey = decodeCursor(cursor);
    const page = await this.send<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>(
      new ScanCommand({
        TableName: this.tableName,
        FilterExpression: 'sk = :meta AND begins_with(pk, :acc)',
        ProjectionExpression: 'pk, #region, #closure',
        ExpressionAttributeNames: { '#region': 'region', '#closure': 'closure' },
        ExpressionAttributeValues: { ':meta': 'META', ':acc': 'ACC#' },
        // Items read, not accounts found: a page of a big table holds few account items.
        Limit: Math.max(limit * 10, 100),
        ...(startKey && { ExclusiveStartKey: startKey }),
      }),
    );
    const next = encodeCursor(page.LastEvaluatedKey);
    return {
      accounts: (page.Items ?? []).map((item) => {
        const parsed = accountItemSchema.parse(item);
        return {
          accountId: parsed.pk.slice('ACC#'.length),
          region: parsed.region,
          closed: parsed.closure !== undefined,
        };
      }),
      ...(next && { cursor: next }),
    };
  }

  /** The back office's `NEWACC#<yyyy-mm>` / `<createdAt>#<account>` items, month by month (positions are their sk). */
  async listAccountsCreated(
    from: string,
    to: string,
    after: string | undefined,
    limit: number,
  ): Promise<{ accounts: AccountRef[]; last?: string; more: boolean }> {
    const accounts: AccountRef[] = [];
    let last = after;
    let month = monthOf(after ?? from);
    while (month <= monthOf(to)) {
      // BETWEEN is inclusive, but no sk equals `to` (each has `#<account>` after the instant): [lo, to)
      const lo = last !== undefined && last > from ? last : from;
      const page = await this.send<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :to',
          ExpressionAttributeValues: { ':pk': `NEWACC#${month}`, ':lo': lo, ':to': to },
          // one more: the item at `last` itself comes back again
          Limit: limit - accounts.length + 1,
        }),
      );
      for (const item of page.Items ?? []) {
        const parsed = newAccountItemSchema.parse(item);
        if (parsed.sk === last) continue;
        if (accounts.length === limit) return { accounts, ...(last && { last }), more: true };
        accounts.push({ accountId: parsed.accountId, region: parsed.region });
        last = parsed.sk;
      }
      if (page.LastEvaluatedKey) return { accounts, ...(last && { last }), more: true };
      month = nextMonth(month);
    }
    return { accounts, ...(last && { last }), more: false };
  }

  async getProgress(version: number): Promise<NoticeProgress> {
    const { Item } = await this.send<{ Item?: Record<string, unknown> }>(
      new GetCommand({ TableName: this.tableName, Key: versionKey(version), ConsistentRead: true }),
    );
    return progressSchema.parse(Item?.['noticeProgress'] ?? { done: false });
  }

  async saveProgress(version: number, progress: NoticeProgress): Promise<void> {
    await this.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: versionKey(version),
        UpdateExpression: 'SET #progress = :progress',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#progress': 'noticeProgress' },
        ExpressionAttributeValues: { ':progress': progress },
      }),
    );
  }

  async ensurePending(accountId: string, version: number): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...consentKey(accountId, version),
            type: 'terms-consent',
            accountId,
            version,
            status: 'pending',
            gsi1pk: consentGsiPk(version),
            gsi1sk: accountId,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!conditionFailed(error)) rethrowThrottling(error, 'The licensing table');
    }
  }

  async claimNotice(accountId: string, version: number, at: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: consentKey(accountId, version),
          UpdateExpression: 'SET #claimed = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#claimed)',
          ExpressionAttributeNames: { '#claimed': 'noticeClaimedAt' },
          ExpressionAttributeValues: { ':at': at },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      return rethrowThrottling(error, 'The licensing table');
    }
  }

  async finishNotice(
    accountId: string,
    version: number,
    sent: { at: string; recipients: number; audit: AuditEvent } | null,
  ): Promise<void> {
    if (!sent) {
      await this.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: consentKey(accountId, version),
          UpdateExpression: 'REMOVE #claimed',
          ExpressionAttributeNames: { '#claimed': 'noticeClaimedAt' },
        }),
      );
      return;
    }
    const { audit } = sent;
    await this.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: consentKey(accountId, version),
              UpdateExpression: 'SET #sentAt = :at, #recipients = :recipients',
              ExpressionAttributeNames: { '#sentAt': 'noticeSentAt', '#recipients': 'noticeRecipients' },
              ExpressionAttributeValues: { ':at': sent.at, ':recipients': sent.recipients },
            },
          },
          {
            Put: {
              TableName: this.tableName,
              Item: auditItem(audit),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  }
}

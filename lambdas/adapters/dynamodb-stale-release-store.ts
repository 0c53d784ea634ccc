/**
 * The accounts' stale-release settings on the licensing table, in a partition of their own so the
 * scheduled job lists the opted-in accounts in one query (few accounts opt in) and the account
 * partition's readers never see them:
 *   STALE_RELEASE / ACC#<account>   enabled, afterDays, region, notices (installation id → at)
 * Each change is written with its audit event (AUDIT#<account> / <at>#<event>) in one transaction.
 */
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll } from './dynamodb-query-all';
import * as z from 'zod/mini';
import { regionSchema, type Region } from '../core/licensing/catalogue';
import type { AuditEvent } from '../core/licensing/model';
import type { StaleReleaseRecord, StaleReleaseStore } from '../core/licensing/stale-release';
import { auditItem } from './dynamodb-audit-writer';
import { licensingPk } from '../shared/licensing-table-keys';

const PARTITION = licensingPk('staleRelease');
const keyOf = (accountId: string) => ({ pk: PARTITION, sk: licensingPk('account', accountId) });

const recordSchema = z.object({
  accountId: z.string(),
  region: regionSchema,
  enabled: z.boolean(),
  afterDays: z.int(),
  notices: z._default(z.record(z.string(), z.string()), {}),
});

export class DynamoDbStaleReleaseStore implements StaleReleaseStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(accountId: string): Promise<StaleReleaseRecord | null> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keyOf(accountId), ConsistentRead: true }),
    );
    return Item ? recordSchema.parse(Item) : null;
  }

  async putSetting(record: Omit<StaleReleaseRecord, 'notices'>, audit: AuditEvent): Promise<void> {
    await this.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: keyOf(record.accountId),
              UpdateExpression:
                'SET #accountId = :accountId, #region = :region, #enabled = :enabled, #afterDays = :afterDays, #notices = if_not_exists(#notices, :none)',
              ExpressionAttributeNames: {
                '#accountId': 'accountId',
                '#region': 'region',
                '#enabled': 'enabled',
                '#afterDays': 'afterDays',
                '#notices': 'notices',
              },
              ExpressionAttributeValues: {
                ':accountId': record.accountId,
                ':region': record.region,
                ':enabled': record.enabled,
                ':afterDays': record.afterDays,
                ':none': {},
              },
            },
          },
          this.auditPut(audit),
        ],
      }),
    );
  }

  async listEnabled(region: Region): Promise<StaleReleaseRecord[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: '#enabled = :yes AND #region = :region',
      ExpressionAttributeNames: { '#enabled': 'enabled', '#region': 'region' },
      ExpressionAttributeValues: { ':pk': PARTITION, ':yes': true, ':region': region },
    });
    return items.map((item) => recordSchema.parse(item));
  }

  async recordNotice(accountId: string, installationId: string, at: string, audit: AuditEvent): Promise<void> {
    await this.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: keyOf(accountId),
              UpdateExpression: 'SET #notices.#installation = :at',
              ConditionExpression: 'attribute_exists(#notices)',
              ExpressionAttributeNames: { '#notices': 'notices', '#installation': installationId },
              ExpressionAttributeValues: { ':at': at },
            },
          },
          this.auditPut(audit),
        ],
      }),
    );
  }

  private auditPut(event: AuditEvent) {
    return {
      Put: {
        TableName: this.tableName,
        Item: auditItem(event),
      },
    };
  }
}

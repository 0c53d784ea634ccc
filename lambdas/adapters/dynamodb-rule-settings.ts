/**
 * Support's per-account rule settings on the regional support table (the account's home region,
 * where its telemetry is evaluated):
 *   ACC#<account> / RULESETTINGS#<ruleId>   settings (the fields support set), updatedAt, updatedBy
 *   RULESETTINGS / REVISION                 rev: moved in the same transaction as every change
 * The rules Lambda reads an account's with one Query and keeps it while the revision stands
 * (config-sources.ts: one consistent read of the revision an invocation).
 */
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { RuleSettingsSource } from '../core/rules/config-sources';
import type { RuleSettingsStore, StoredRuleSetting } from '../core/support/rule-settings';
import { rethrowThrottling, transactionConditionFailed } from './aws-errors';
import { queryAll } from './dynamodb-query-all';

const PREFIX = 'RULESETTINGS#';
const pkOf = (accountId: string) => `ACC#${accountId}`;
const REVISION_KEY = { pk: 'RULESETTINGS', sk: 'REVISION' };
const item = z.object({
  sk: z.string().check(z.startsWith(PREFIX)),
  settings: z.record(z.string(), z.unknown()),
  updatedAt: z.string(),
  updatedBy: z.string(),
});

/** What the rules read (config-sources.ts); the writes below are support's. */
export class DynamoDbRuleSettingsReads implements RuleSettingsSource {
  constructor(
    protected readonly client: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}

  async list(accountId: string): Promise<StoredRuleSetting[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pkOf(accountId), ':prefix': PREFIX },
      ConsistentRead: true,
    }).catch((error: unknown) => rethrowThrottling(error, 'The support store'));
    return items.map((raw) => {
      const { sk, ...rest } = item.parse(raw);
      return { ruleId: sk.slice(PREFIX.length), ...rest };
    });
  }

  async settingsOf(accountId: string): Promise<Record<string, Record<string, unknown>>> {
    return Object.fromEntries((await this.list(accountId)).map((s) => [s.ruleId, s.settings]));
  }

  async revision(): Promise<number> {
    const out = await this.client
      .send(new GetCommand({ TableName: this.tableName, Key: REVISION_KEY, ConsistentRead: true }))
      .catch((error: unknown) => rethrowThrottling(error, 'The support store'));
    return revisionItem.parse(out.Item ?? { rev: 0 }).rev;
  }
}

const revisionItem = z.object({ rev: z.number() });

export class DynamoDbRuleSettings extends DynamoDbRuleSettingsReads implements RuleSettingsStore {
  async put(accountId: string, setting: StoredRuleSetting): Promise<void> {
    const { ruleId, ...rest } = setting;
    await this.withRevision({
      Put: {
        TableName: this.tableName,
        Item: { pk: pkOf(accountId), sk: `${PREFIX}${ruleId}`, type: 'rule-settings', accountId, ...rest },
      },
    });
  }

  async remove(accountId: string, ruleId: string): Promise<boolean> {
    try {
      await this.withRevision({
        Delete: {
          TableName: this.tableName,
          Key: { pk: pkOf(accountId), sk: `${PREFIX}${ruleId}` },
          ConditionExpression: 'attribute_exists(pk)',
        },
      });
      return true;
    } catch (error) {
      if (transactionConditionFailed(error)) return false;
      throw error;
    }
  }

  /** The change and the revision's move in one transaction: a kept copy never outlives a change. */
  private async withRevision(change: NonNullable<TransactItems>[number]): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          change,
          {
            Update: {
              TableName: this.tableName,
              Key: REVISION_KEY,
              UpdateExpression: 'ADD rev :one',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
        ],
      }),
    );
  }
}

type TransactItems = ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems'];

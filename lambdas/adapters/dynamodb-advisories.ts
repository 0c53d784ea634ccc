/**
 * The back office's advisory tables on the licensing table (a global table: maintained once, read
 * in every region):
 *   ADVISORY / <ruleId>   table (the rule's part of its config), updatedAt, updatedBy
 * each written in one transaction with its audit item (`AUDIT#ops`).
 */
import { QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { advisoryRuleIds, type AdvisoryRuleId, type AdvisoryStore, type AdvisoryTable } from '../core/rules/advisories';
import type { AuditEvent } from '../core/licensing/model';
import type { AdvisorySource } from '../core/rules/config-sources';
import { licensingPk } from '../shared/licensing-table-keys';
import { hasErrorName, rethrowThrottling } from './aws-errors';
import { auditItem } from './dynamodb-audit-writer';

const PK = licensingPk('advisory');
const item = z.object({
  sk: z.enum(advisoryRuleIds as [AdvisoryRuleId, ...AdvisoryRuleId[]]),
  table: z.record(z.string(), z.unknown()),
  updatedAt: z.string(),
  updatedBy: z.string(),
});

/** What the rules read (config-sources.ts); the writes below are the back office's. */
export class DynamoDbAdvisoryReads implements AdvisorySource {
  constructor(
    protected readonly client: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}

  async list(): Promise<AdvisoryTable[]> {
    try {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': PK },
        }),
      );
      // a table of a rule this code no longer has is left alone
      return (page.Items ?? []).flatMap((raw) => {
        const parsed = item.safeParse(raw);
        if (!parsed.success) return [];
        const { sk, ...rest } = parsed.data;
        return [{ ruleId: sk, ...rest }];
      });
    } catch (error) {
      rethrowThrottling(error, 'The advisory tables');
    }
  }
}

export class DynamoDbAdvisories extends DynamoDbAdvisoryReads implements AdvisoryStore {
  private auditPut(event: AuditEvent) {
    return {
      Put: { TableName: this.tableName, Item: auditItem(event), ConditionExpression: 'attribute_not_exists(pk)' },
    };
  }

  async put(table: AdvisoryTable, audit: AuditEvent): Promise<void> {
    const { ruleId, ...rest } = table;
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.tableName, Item: { pk: PK, sk: ruleId, type: 'advisory', ...rest } } },
          this.auditPut(audit),
        ],
      }),
    );
  }

  async remove(ruleId: AdvisoryRuleId, audit: AuditEvent): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tableName,
                Key: { pk: PK, sk: ruleId },
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            this.auditPut(audit),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (hasErrorName(error, 'TransactionCanceledException')) return false;
      throw error;
    }
  }
}

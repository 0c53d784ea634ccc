/** Reads a reseller's customers from the licensing table's `RES#<reseller>/ACC#<account>` items. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll } from './dynamodb-query-all';
import * as z from 'zod/mini';
import { regionSchema } from '../core/licensing/catalogue';
import type { ResellerAccountsReader, ResellerAccountView } from '../core/licensing/list-reseller-accounts';

const itemSchema = z.object({ accountId: z.string(), name: z.string(), region: regionSchema });

export class DynamoDbResellerAccounts implements ResellerAccountsReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async accountsOfReseller(resellerId: string): Promise<ResellerAccountView[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :acc)',
      ExpressionAttributeValues: { ':pk': `RES#${resellerId}`, ':acc': 'ACC#' },
    });
    return items.map((item): ResellerAccountView => {
      const { accountId, name, region } = itemSchema.parse(item);
      return { accountId, name, region };
    });
  }
}

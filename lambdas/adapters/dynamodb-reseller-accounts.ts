/** Reads a reseller's customers from the licensing table's `RES#<reseller>/ACC#<account>` items. */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { regionSchema } from '../core/licensing/catalogue';
import type { ResellerAccountsReader, ResellerAccountView } from '../core/licensing/list-reseller-accounts';

const itemSchema = z.object({ accountId: z.string(), name: z.string(), region: regionSchema });

export class DynamoDbResellerAccounts implements ResellerAccountsReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async accountsOfReseller(resellerId: string): Promise<ResellerAccountView[]> {
    const accounts: ResellerAccountView[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :acc)',
          ExpressionAttributeValues: { ':pk': `RES#${resellerId}`, ':acc': 'ACC#' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const { accountId, name, region } = itemSchema.parse(item);
        accounts.push({ accountId, name, region });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return accounts;
  }
}

/**
 * Erases installations from the regional support table (dynamodb-support-store.ts has the layout):
 * every item under `INST#<installation>` — the rules state, snapshots, findings, acknowledgements —
 * its fleet facts (`FLEETFACTS / <installation>`), and the account's rule settings (`ACC#<account>`).
 * The STATE item goes last, so an interrupted erase leaves the installation findable by the index
 * that lists an account's installations (gsi2) until the rest is gone.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { SupportEraser } from '../core/accounts/erase-closed-accounts';
import { rethrowThrottling } from './aws-errors';
import { queryAll } from './dynamodb-query-all';

const keyItem = z.object({ pk: z.string(), sk: z.string() });
type Key = z.infer<typeof keyItem>;

export class DynamoDbSupportEraser implements SupportEraser {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async eraseInstallations(installationIds: readonly string[], maxItems: number): Promise<boolean> {
    let budget = maxItems;
    for (const installationId of installationIds) {
      const keys = await this.keysOf(`INST#${installationId}`, budget + 1);
      const ordered = [...keys.filter((k) => k.sk !== 'STATE'), ...keys.filter((k) => k.sk === 'STATE')];
      await this.batchDelete(ordered.slice(0, budget));
      if (keys.length > budget) return false;
      // the installation's items are gone: its facts for the fleet overview go with them
      await this.batchDelete([{ pk: 'FLEETFACTS', sk: installationId }]);
      budget -= keys.length;
    }
    return true;
  }

  async eraseAccount(accountId: string): Promise<void> {
    await this.batchDelete(await this.keysOf(`ACC#${accountId}`, 1000));
  }

  private async keysOf(pk: string, limit: number): Promise<Key[]> {
    const items = await queryAll(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ProjectionExpression: 'pk, sk',
      },
      limit,
    ).catch((error: unknown) => rethrowThrottling(error, 'The support store'));
    return items.slice(0, limit).map((item) => keyItem.parse(item));
  }

  private async batchDelete(keys: readonly Key[]): Promise<void> {
    for (let start = 0; start < keys.length; start += 25) {
      let requests = keys.slice(start, start + 25).map((Key) => ({ DeleteRequest: { Key } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 5) throw new Error('the support store left deletes unprocessed after 5 attempts');
        const out = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
        requests = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      }
    }
  }
}

/**
 * Erases installations from the regional support table (dynamodb-support-store.ts has the layout):
 * every item under `INST#<installation>` — the rules state, snapshots, findings, acknowledgements —
 * its fleet facts (`FLEETFACTS / <installation>`), and the account's rule settings (`ACC#<account>`).
 * The STATE item goes last, so an interrupted erase leaves the installation findable by the index
 * that lists an account's installations (gsi2) until the rest is gone.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { SupportEraser } from '../core/accounts/erase-closed-accounts';
import { rethrowThrottling } from './aws-errors';
import { batchWriteAll } from './dynamodb-batch-write';
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
      const now = ordered.slice(0, budget);
      // the state once the rest is gone (the batches of a delete run in parallel)
      await this.batchDelete(now.filter((k) => k.sk !== 'STATE'));
      await this.batchDelete(now.filter((k) => k.sk === 'STATE'));
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
    await batchWriteAll(
      this.client,
      this.tableName,
      keys.map((Key) => ({ DeleteRequest: { Key } })),
    ).catch((error: unknown) => rethrowThrottling(error, 'The support store'));
  }
}

/**
 * Account closures on the licensing table (docs/retention.md):
 *   ACC#<account> / META                      `closure` { closedAt, closedBy, eraseAfter, erasedAt? }
 *   ERASE#<region> / <eraseAfter>#<account>   the eraser's index: a closed account awaiting erasure,
 *                                             in a partition of its own per home region (closures
 *                                             are rare), so a run reads the due ones in one query
 * Closing, reopening and the erasure's record are each one transaction with their audit event.
 * The records kept after erasure get `ttl` (the table's TTL attribute) at the end of their retention.
 */
import {
  BatchWriteCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { queryAll } from './dynamodb-query-all';
import * as z from 'zod/mini';
import type { ClosureCommit, ClosureStore, ErasedCommit, ErasureDue, ReopenCommit } from '../core/accounts/closure';
import type { Region } from '../core/licensing/catalogue';
import type { AuditEvent } from '../core/licensing/model';
import { rethrowThrottling, transactionConditionFailed } from './aws-errors';
import { copyAfterCommit, pendingViewPut } from './dynamodb-account-view';
import { auditItem } from './dynamodb-audit-writer';

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

const accountKey = (accountId: string) => ({ pk: `ACC#${accountId}`, sk: 'META' });
const eraseKey = (region: Region, due: ErasureDue) => ({
  pk: `ERASE#${region}`,
  sk: `${due.eraseAfter}#${due.accountId}`,
});
const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const dueItem = z.object({ accountId: z.string(), eraseAfter: z.string() });
const keyItem = z.object({ pk: z.string(), sk: z.string() });

export class DynamoDbClosureStore implements ClosureStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async close(c: ClosureCommit): Promise<boolean> {
    return this.termsChange(c.accountId, c.closure.closedAt, [
      {
        Update: {
          TableName: this.tableName,
          Key: accountKey(c.accountId),
          UpdateExpression: 'SET #closure = :closure, #telemetryEnabled = :off ADD #termsRev :one',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#closure)',
          ExpressionAttributeNames: {
            '#closure': 'closure',
            '#telemetryEnabled': 'telemetryEnabled',
            '#termsRev': 'termsRev',
          },
          ExpressionAttributeValues: { ':closure': c.closure, ':off': false, ':one': 1 },
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...eraseKey(c.region, { accountId: c.accountId, eraseAfter: c.closure.eraseAfter }),
            type: 'erase-due',
            accountId: c.accountId,
            eraseAfter: c.closure.eraseAfter,
          },
        },
      },
      this.audit(c.audit),
    ]);
  }

  async reopen(c: ReopenCommit): Promise<boolean> {
    return this.termsChange(c.accountId, c.audit.at, [
      {
        Update: {
          TableName: this.tableName,
          Key: accountKey(c.accountId),
          UpdateExpression: 'REMOVE #closure ADD #termsRev :one',
          ConditionExpression: '#closure.#eraseAfter = :eraseAfter AND attribute_not_exists(#closure.#erasedAt)',
          ExpressionAttributeNames: {
            '#closure': 'closure',
            '#eraseAfter': 'eraseAfter',
            '#erasedAt': 'erasedAt',
            '#termsRev': 'termsRev',
          },
          ExpressionAttributeValues: { ':eraseAfter': c.eraseAfter, ':one': 1 },
        },
      },
      {
        Delete: {
          TableName: this.tableName,
          Key: eraseKey(c.region, { accountId: c.accountId, eraseAfter: c.eraseAfter }),
        },
      },
      this.audit(c.audit),
    ]);
  }

  /**
   * Closing and reopening change every licence's terms: the commit puts the pending marker, then
   * copies the terms to the installations (dynamodb-account-view.ts); what it leaves, the 5-minute
   * repair copies. A closed account's installations are refused from the copy on.
   */
  private async termsChange(accountId: string, at: string, items: TransactItem[]): Promise<boolean> {
    const committed = await this.conditional([...items, pendingViewPut(this.tableName, accountId, at)]);
    if (committed) await copyAfterCommit(this.client, this.tableName, accountId);
    return committed;
  }

  async dueForErasure(region: Region, before: string, limit: number): Promise<ErasureDue[]> {
    try {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk < :before',
          ExpressionAttributeValues: { ':pk': `ERASE#${region}`, ':before': before },
          Limit: limit,
        }),
      );
      return (out.Items ?? []).map((item) => dueItem.parse(item));
    } catch (error) {
      return rethrowThrottling(error, 'The licensing store');
    }
  }

  async forgetDue(region: Region, due: ErasureDue): Promise<void> {
    await this.batchDelete([eraseKey(region, due)]);
  }

  async deleteActivationKeys(keyHashes: readonly string[]): Promise<void> {
    await this.batchDelete(keyHashes.map((hash) => ({ pk: `AKEY#${hash}`, sk: 'META' })));
  }

  async expireKeptRecords(
    account: {
      readonly accountId: string;
      readonly orderIds: readonly string[];
      readonly installationIds: readonly string[];
      readonly thumbprints?: readonly string[];
      readonly resellerId?: string;
    },
    until: string,
    maxItems: number,
  ): Promise<boolean> {
    const ttl = epochSeconds(until);
    let budget = maxItems;
    // partitions first (the account's items, its audit trail), then the single items it names
    for (const pk of [
      `ACC#${account.accountId}`,
      `AUDIT#${account.accountId}`,
      ...account.installationIds.map((id) => `INST#${id}`),
    ]) {
      const keys = await this.keysWithoutTtl(pk, budget + 1);
      if (keys.length > budget) {
        await this.setTtl(keys.slice(0, budget), ttl);
        return false;
      }
      await this.setTtl(keys, ttl);
      budget -= keys.length;
    }
    const owner = await this.ownerOf(account.accountId);
    const singles = [
      ...account.orderIds.map((id) => ({ pk: `ORDER#${id}`, sk: 'META' })),
      ...(account.thumbprints ?? []).map((t) => ({ pk: `THUMB#${t}`, sk: 'META' })),
      ...(account.resellerId ? [{ pk: `RES#${account.resellerId}`, sk: `ACC#${account.accountId}` }] : []),
      ...(owner ? [{ pk: `OWNER#${owner}`, sk: 'META' }] : []),
    ];
    if (singles.length > budget) {
      await this.setTtl(singles.slice(0, budget), ttl);
      return false;
    }
    await this.setTtl(singles, ttl);
    return true;
  }

  async markErased(c: ErasedCommit): Promise<void> {
    await this.conditional([
      {
        Update: {
          TableName: this.tableName,
          Key: accountKey(c.accountId),
          // the account reduced to what the kept records need: name, region, the closure
          UpdateExpression: 'SET #closure.#erasedAt = :at, #ttl = :ttl REMOVE #followerInstallationId',
          ConditionExpression: '#closure.#eraseAfter = :eraseAfter',
          ExpressionAttributeNames: {
            '#closure': 'closure',
            '#erasedAt': 'erasedAt',
            '#eraseAfter': 'eraseAfter',
            '#ttl': 'ttl',
            '#followerInstallationId': 'followerInstallationId',
          },
          ExpressionAttributeValues: {
            ':at': c.erasedAt,
            ':eraseAfter': c.eraseAfter,
            ':ttl': epochSeconds(c.keptUntil),
          },
        },
      },
      { Delete: { TableName: this.tableName, Key: eraseKey(c.region, c) } },
      this.audit(c.audit, epochSeconds(c.keptUntil)),
    ]);
  }

  /** The keys of a partition's items that carry no `ttl` yet, at most `limit`. */
  /** Who created the account by sign-up: its first audit event, `account.created` by a customer. */
  private async ownerOf(accountId: string): Promise<string | undefined> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `AUDIT#${accountId}` },
        Limit: 5,
      }),
    );
    const created = (page.Items ?? []).find((item) => item['action'] === 'account.created');
    const actor = created?.['actor'] as { kind?: string; id?: string } | undefined;
    return actor?.kind === 'customer' && typeof actor.id === 'string' ? actor.id : undefined;
  }

  private async keysWithoutTtl(pk: string, limit: number): Promise<{ pk: string; sk: string }[]> {
    const items = await queryAll(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: 'attribute_not_exists(#ttl)',
        ProjectionExpression: 'pk, sk',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':pk': pk },
      },
      limit,
    );
    return items.slice(0, limit).map((item) => keyItem.parse(item));
  }

  private async setTtl(keys: readonly { pk: string; sk: string }[], ttl: number): Promise<void> {
    for (const key of keys) {
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET #ttl = :ttl',
            // never creates an item that is not there (an order id read from an entitlement)
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':ttl': ttl },
          }),
        );
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException')
          rethrowThrottling(error, 'The licensing store');
      }
    }
  }

  private async batchDelete(keys: readonly { pk: string; sk: string }[]): Promise<void> {
    for (let start = 0; start < keys.length; start += 25) {
      let requests = keys.slice(start, start + 25).map((Key) => ({ DeleteRequest: { Key } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 5) throw new Error('the licensing store left deletes unprocessed after 5 attempts');
        const out = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
        requests = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      }
    }
  }

  private audit(event: AuditEvent, ttl?: number) {
    return {
      Put: {
        TableName: this.tableName,
        Item: { ...auditItem(event), ...(ttl !== undefined && { ttl }) },
      },
    };
  }

  /** One transaction; false when its first item's condition failed (already done: the caller's idempotence). */
  private async conditional(
    items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>,
  ) {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      if (transactionConditionFailed(error)) return false;
      return rethrowThrottling(error, 'The licensing store');
    }
  }
}

/**
 * An account's activation-key list on the licensing table: `ACC#<account> / AKEY#<keyId>` items
 * written beside each `AKEY#<hash>` by the key's creation (dynamodb-licensing-repository.ts), and
 * the revocation that marks both, with its audit event, in one transaction.
 */
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll } from './dynamodb-query-all';
import * as z from 'zod/mini';
import type { ActivationKeyListing, ActivationKeyStore, KeyRevocationCommit } from '../core/licensing/activation-keys';
import { productSchema } from '../core/licensing/catalogue';
import { CommitRejected } from '../core/licensing/repository';
import { rethrowThrottling } from './aws-errors';
import { auditItem } from './dynamodb-audit-writer';
import { licensingPk } from '../shared/licensing-table-keys';

const actorItem = z.object({
  kind: z.enum(['backoffice', 'support', 'reseller', 'customer', 'installation', 'system']),
  id: z.string(),
});
const listingItem = z.object({
  keyId: z.string(),
  keyHash: z.string(),
  hint: z.string(),
  createdAt: z.string(),
  createdBy: actorItem,
  expiresAt: z.string(),
  allocation: z.partialRecord(productSchema, z.int().check(z.nonnegative())),
  followsPool: z.boolean(),
  usedBy: z.optional(z.string()),
  usedAt: z.optional(z.string()),
  revokedAt: z.optional(z.string()),
  revokedBy: z.optional(actorItem),
});

const listingKey = (accountId: string, keyId: string) => ({
  pk: licensingPk('account', accountId),
  sk: `AKEY#${keyId}`,
});

const parseListing = (item: Record<string, unknown>): ActivationKeyListing => {
  const { usedBy, usedAt, revokedAt, revokedBy, ...rest } = listingItem.parse(item);
  return {
    ...rest,
    ...(usedBy && { usedBy }),
    ...(usedAt && { usedAt }),
    ...(revokedAt && { revokedAt }),
    ...(revokedBy && { revokedBy }),
  };
};

export class DynamoDbActivationKeyStore implements ActivationKeyStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(accountId: string): Promise<ActivationKeyListing[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :akey)',
      ExpressionAttributeValues: { ':pk': licensingPk('account', accountId), ':akey': 'AKEY#' },
    }).catch((error: unknown) => rethrowThrottling(error, 'The licensing store'));
    return items.map(parseListing);
  }

  async get(accountId: string, keyId: string): Promise<ActivationKeyListing | null> {
    try {
      const out = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: listingKey(accountId, keyId), ConsistentRead: true }),
      );
      return out.Item ? parseListing(out.Item) : null;
    } catch (error) {
      return rethrowThrottling(error, 'The licensing store');
    }
  }

  async commitRevocation(c: KeyRevocationCommit): Promise<void> {
    const revoke = {
      UpdateExpression: 'SET #revokedAt = :at, #revokedBy = :by',
      // a key used meanwhile stays used: the activation won
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#usedBy)',
      ExpressionAttributeNames: { '#revokedAt': 'revokedAt', '#revokedBy': 'revokedBy', '#usedBy': 'usedBy' },
      ExpressionAttributeValues: { ':at': c.at, ':by': c.by },
    };
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: { pk: licensingPk('activationKey', c.keyHash), sk: 'META' },
                ...revoke,
              },
            },
            { Update: { TableName: this.tableName, Key: listingKey(c.accountId, c.keyId), ...revoke } },
            { Put: { TableName: this.tableName, Item: auditItem(c.audit) } },
          ],
        }),
      );
    } catch (error) {
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
      if (reasons.some((r) => r.Code === 'ConditionalCheckFailed')) throw new CommitRejected('key-unavailable');
      rethrowThrottling(error, 'The licensing store');
    }
  }
}

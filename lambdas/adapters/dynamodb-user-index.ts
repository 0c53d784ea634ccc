/**
 * The user index on the licensing table (docs/accounts.md):
 *   USERS#<account> / USER#<sub>   a user of the account (e-mail, status, role, createdAt, username);
 *                                  gsi1 USEREMAIL#<email> / ACC#<account>: the accounts of an e-mail
 * Its own partition, not ACC#<account>'s: the account state query never reads the users.
 */
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { queryAll } from './dynamodb-query-all';
import * as z from 'zod/mini';
import type { IndexedUser, UserIndex } from '../core/accounts/user-index';
import { rethrowThrottling } from './aws-errors';
import { licensingPk } from '../shared/licensing-table-keys';

const usersPk = (accountId: string) => licensingPk('users', accountId);
const userSk = (userId: string) => `USER#${userId}`;
export const userEmailGsi1pk = (email: string) => `USEREMAIL#${email}`;

const itemSchema = z.object({
  accountId: z.string(),
  userId: z.string(),
  username: z.string(),
  email: z.string(),
  status: z.enum(['invited', 'active']),
  role: z.literal('admin'),
  createdAt: z.optional(z.string()),
});
const toUser = (item: Record<string, unknown>): IndexedUser => {
  const { createdAt, ...rest } = itemSchema.parse(item);
  return { ...rest, ...(createdAt && { createdAt }) };
};

export class DynamoDbUserIndex implements UserIndex {
  constructor(
    private readonly client: Pick<DynamoDBDocumentClient, 'send'>,
    private readonly tableName: string,
  ) {}

  async put(user: IndexedUser): Promise<void> {
    await this.client
      .send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: usersPk(user.accountId),
            sk: userSk(user.userId),
            type: 'account-user',
            gsi1pk: userEmailGsi1pk(user.email),
            gsi1sk: `ACC#${user.accountId}`,
            ...user,
          },
        }),
      )
      .catch((error: unknown) => rethrowThrottling(error, 'The user index'));
  }

  async get(accountId: string, userId: string): Promise<IndexedUser | null> {
    const out = await this.client
      .send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: usersPk(accountId), sk: userSk(userId) },
          ConsistentRead: true,
        }),
      )
      .catch((error: unknown) => rethrowThrottling(error, 'The user index'));
    return out.Item ? toUser(out.Item) : null;
  }

  async listByAccount(accountId: string): Promise<IndexedUser[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :user)',
      ExpressionAttributeValues: { ':pk': usersPk(accountId), ':user': 'USER#' },
      ConsistentRead: true,
    }).catch((error: unknown) => rethrowThrottling(error, 'The user index'));
    return items.map(toUser);
  }

  async findByEmail(email: string): Promise<IndexedUser[]> {
    const page = await this.client
      .send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': userEmailGsi1pk(email) },
        }),
      )
      .catch((error: unknown) => rethrowThrottling(error, 'The user index'));
    return (page.Items ?? []).map(toUser);
  }

  async delete(accountId: string, userId: string): Promise<void> {
    await this.client
      .send(new DeleteCommand({ TableName: this.tableName, Key: { pk: usersPk(accountId), sk: userSk(userId) } }))
      .catch((error: unknown) => rethrowThrottling(error, 'The user index'));
  }
}

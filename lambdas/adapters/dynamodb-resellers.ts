/**
 * Reseller records on the licensing table (docs/accounts.md):
 *   RESELLER#<reseller> / META   the application: company, country, status, applicant;
 *                                gsi1 RESELLERS#<status> / <createdAt>#<reseller> (the back office's list)
 *   APPLICANT#<sub> / META       the application a person made (one per person)
 * and the account's reseller: ACC#<account>/META `resellerId` with RES#<reseller>/ACC#<account>,
 * moved together in one transaction (the items access.ts and the reseller's customer list read).
 */
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { queryAll } from './dynamodb-query-all';
import * as z from 'zod/mini';
import type { ResellerApplication, ResellerStatus, ResellerStore } from '../core/accounts/resellers';
import { ConflictError } from '../core/errors';
import { rethrowThrottling, hasErrorName } from './aws-errors';
import { auditItem } from './dynamodb-audit-writer';
import { licensingPk } from '../shared/licensing-table-keys';

const resellerKey = (id: string) => ({ pk: licensingPk('reseller', id), sk: 'META' });
const applicantKey = (sub: string) => ({ pk: `APPLICANT#${sub}`, sk: 'META' });
const listKey = (status: ResellerStatus, createdAt: string, id: string) => ({
  gsi1pk: `RESELLERS#${status}`,
  gsi1sk: `${createdAt}#${id}`,
});

const applicationSchema = z.object({
  resellerId: z.string(),
  companyName: z.string(),
  country: z.string(),
  status: z.enum(['pending', 'approved']),
  applicantSub: z.string(),
  createdAt: z.string(),
  approvedAt: z.optional(z.string()),
});
const parse = (item: Record<string, unknown>): ResellerApplication => {
  const { approvedAt, ...rest } = applicationSchema.parse(item);
  return { ...rest, ...(approvedAt && { approvedAt }) };
};

export class DynamoDbResellers implements ResellerStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async apply(application: ResellerApplication): Promise<ResellerApplication> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...applicantKey(application.applicantSub),
                  type: 'reseller-applicant',
                  resellerId: application.resellerId,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...resellerKey(application.resellerId),
                  type: 'reseller',
                  ...listKey(application.status, application.createdAt, application.resellerId),
                  ...application,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return application;
    } catch (error) {
      // The person applied meanwhile (a double click): theirs stands.
      const earlier = hasErrorName(error, 'TransactionCanceledException')
        ? await this.byApplicant(application.applicantSub)
        : null;
      if (earlier) return earlier;
      return rethrowThrottling(error, 'The reseller store');
    }
  }

  async get(resellerId: string): Promise<ResellerApplication | null> {
    const out = await this.client
      .send(new GetCommand({ TableName: this.tableName, Key: resellerKey(resellerId), ConsistentRead: true }))
      .catch((error: unknown) => rethrowThrottling(error, 'The reseller store'));
    return out.Item ? parse(out.Item) : null;
  }

  async byApplicant(sub: string): Promise<ResellerApplication | null> {
    const out = await this.client
      .send(new GetCommand({ TableName: this.tableName, Key: applicantKey(sub), ConsistentRead: true }))
      .catch((error: unknown) => rethrowThrottling(error, 'The reseller store'));
    const resellerId = out.Item ? z.object({ resellerId: z.string() }).parse(out.Item).resellerId : undefined;
    return resellerId ? this.get(resellerId) : null;
  }

  async listByStatus(status: ResellerStatus): Promise<ResellerApplication[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `RESELLERS#${status}` },
    }).catch((error: unknown) => rethrowThrottling(error, 'The reseller store'));
    return items.map(parse);
  }

  async approve(resellerId: string, at: string): Promise<boolean> {
    const current = await this.get(resellerId);
    if (!current) return false;
    if (current.status === 'approved') return true;
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: resellerKey(resellerId),
          UpdateExpression: 'SET #status = :approved, #approvedAt = :at, #gsi1pk = :list',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status', '#approvedAt': 'approvedAt', '#gsi1pk': 'gsi1pk' },
          ExpressionAttributeValues: { ':approved': 'approved', ':at': at, ':list': 'RESELLERS#approved' },
        }),
      )
      .catch((error: unknown) => rethrowThrottling(error, 'The reseller store'));
    return true;
  }

  /** For an order naming a reseller: approved here, or already acting for an account (before applications existed). */
  async isKnownReseller(resellerId: string): Promise<boolean> {
    if ((await this.get(resellerId))?.status === 'approved') return true;
    const page = await this.client
      .send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :acc)',
          ExpressionAttributeValues: { ':pk': licensingPk('resellerAccounts', resellerId), ':acc': 'ACC#' },
          Limit: 1,
        }),
      )
      .catch((error: unknown) => rethrowThrottling(error, 'The reseller store'));
    return (page.Items ?? []).length > 0;
  }

  async setAccountReseller(change: Parameters<ResellerStore['setAccountReseller']>[0]): Promise<void> {
    const { accountId, from, to } = change;
    const accountKey = { pk: `ACC#${accountId}`, sk: 'META' };
    const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
      {
        Update: {
          TableName: this.tableName,
          Key: accountKey,
          UpdateExpression: to ? 'SET #resellerId = :to' : 'REMOVE #resellerId',
          ConditionExpression: from
            ? 'attribute_exists(pk) AND #resellerId = :from'
            : 'attribute_exists(pk) AND attribute_not_exists(#resellerId)',
          ExpressionAttributeNames: { '#resellerId': 'resellerId' },
          ...((to || from) && {
            ExpressionAttributeValues: { ...(to && { ':to': to }), ...(from && { ':from': from }) },
          }),
        },
      },
    ];
    if (from)
      items.push({
        Delete: {
          TableName: this.tableName,
          Key: { pk: licensingPk('resellerAccounts', from), sk: `ACC#${accountId}` },
        },
      });
    if (to)
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            pk: licensingPk('resellerAccounts', to),
            sk: `ACC#${accountId}`,
            type: 'reseller-customer',
            accountId,
            name: change.name,
            region: change.region,
          },
        },
      });
    const audit = change.audit;
    items.push({
      Put: {
        TableName: this.tableName,
        Item: auditItem(audit),
      },
    });
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (hasErrorName(error, 'TransactionCanceledException'))
        throw new ConflictError("The account's reseller changed meanwhile; reload and try again.");
      rethrowThrottling(error, 'The licensing store');
    }
  }
}

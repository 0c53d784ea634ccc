/**
 * The back office's indexes on the licensing table (docs/back-office.md):
 *   ACC#<account> / META    gsi1 `ACCOUNTS#NAME` / `<normalised name>#<account>`, and `nameKey`
 *                           (the normalised name, for the contains filter): accounts by name
 *   NEWACC#<yyyy-mm> / <createdAt>#<account>  an account created that month (orders and sign-ups)
 *   ORDER#<order> / META    gsi1 `ORDERS#<yyyy-mm>` / `<createdAt>#<order>`: orders by month
 * The account write paths spread `accountIndexAttributes` into the account item and put
 * `newAccountIndexItem` beside it, in their transaction, so every account is found however it was made.
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from './dynamodb-batch-get';
import * as z from 'zod/mini';
import type { Clock } from '../core/ports';
import {
  normaliseName,
  type AccountSearchIndex,
  type AccountSummary,
  type OrderSummary,
  type Page,
} from '../core/licensing/back-office-search';
import { regionSchema } from '../core/licensing/catalogue';
import type { SmartAccount } from '../core/licensing/model';
import { rethrowThrottling } from './aws-errors';
import { licensingPk } from '../shared/licensing-table-keys';

export const ACCOUNT_NAME_GSI1PK = 'ACCOUNTS#NAME';
const monthOf = (iso: string) => iso.slice(0, 7);
const newAccountPk = (iso: string) => licensingPk('newAccounts', monthOf(iso));
const ordersGsi1pk = (iso: string) => `ORDERS#${monthOf(iso)}`;

/** What an account item carries for the name index (spread into `ACC#<account>/META`). */
export function accountIndexAttributes(record: Pick<SmartAccount, 'accountId' | 'name'>): Record<string, string> {
  const nameKey = normaliseName(record.name);
  // nameKey again outside the key: a filter may not read a key attribute (the contains search)
  return { gsi1pk: ACCOUNT_NAME_GSI1PK, gsi1sk: `${nameKey}#${record.accountId}`, nameKey };
}

/** The item that lists the account under the month it was created (put beside the account item). */
export function newAccountIndexItem(record: SmartAccount, via: 'order' | 'sign-up'): Record<string, unknown> {
  return {
    pk: newAccountPk(record.createdAt),
    sk: `${record.createdAt}#${record.accountId}`,
    type: 'new-account',
    accountId: record.accountId,
    name: record.name,
    region: record.region,
    ...(record.resellerId ? { resellerId: record.resellerId } : {}),
    createdAt: record.createdAt,
    via,
  };
}

/** What an order item carries for the recent-orders index (spread into `ORDER#<order>/META`). */
export function orderIndexAttributes(order: { orderId: string; createdAt: string }): Record<string, string> {
  return { gsi1pk: ordersGsi1pk(order.createdAt), gsi1sk: `${order.createdAt}#${order.orderId}` };
}

const summarySchema = z.object({
  accountId: z.string(),
  name: z.string(),
  region: regionSchema,
  resellerId: z.optional(z.string()),
  createdAt: z.string(),
  closure: z.optional(z.object({ closedAt: z.string(), eraseAfter: z.string() })),
});
const toSummary = (item: Record<string, unknown>): AccountSummary => {
  const { resellerId, closure, ...rest } = summarySchema.parse(item);
  return {
    ...rest,
    ...(resellerId ? { resellerId } : {}),
    ...(closure && { closedAt: closure.closedAt, eraseAfter: closure.eraseAfter }),
  };
};
const orderSchema = z.object({
  orderId: z.string(),
  accountId: z.string(),
  createdAt: z.string(),
  result: z.object({
    accountCreated: z._default(z.boolean(), false),
    lines: z.array(z.record(z.string(), z.unknown())),
  }),
});
/** Where a month-by-month read stopped: the month and the last key returned in it. */
const cursorSchema = z.object({
  month: z.string().check(z.regex(/^\d{4}-\d{2}$/)),
  last: z.record(z.string(), z.string()),
});

const encode = (cursor: z.infer<typeof cursorSchema>) => Buffer.from(JSON.stringify(cursor)).toString('base64url');
function decode(cursor: string | undefined): z.infer<typeof cursorSchema> | undefined {
  if (cursor === undefined) return undefined;
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    return undefined;
  }
}

/** The months from `until`'s back to `since`'s, newest first (`yyyy-mm`). */
export function monthsBack(since: string, until: string): string[] {
  const months: string[] = [];
  const first = monthOf(since);
  let [y, m] = monthOf(until).split('-').map(Number) as [number, number];
  for (let month = monthOf(until); month >= first; ) {
    months.push(month);
    m -= 1;
    if (m === 0) [y, m] = [y - 1, 12];
    month = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
  }
  return months;
}

/** A contains-search reads at most this many items of the name index (about 1 MB): the back office's scale. */
export const NAME_CONTAINS_MAX_ITEMS = 5000;

export class DynamoDbAccountSearch implements AccountSearchIndex {
  constructor(
    private readonly client: Pick<DynamoDBDocumentClient, 'send'>,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  private async query(input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>) {
    return this.client
      .send(new QueryCommand({ TableName: this.tableName, ...input }))
      .catch((error: unknown) => rethrowThrottling(error, 'The licensing table'));
  }

  async accountsByName(
    needle: string,
    options: { contains: boolean; limit: number },
  ): Promise<{ accounts: AccountSummary[]; truncated: boolean }> {
    const accounts: AccountSummary[] = [];
    let read = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.query({
        IndexName: 'gsi1',
        KeyConditionExpression: options.contains ? 'gsi1pk = :pk' : 'gsi1pk = :pk AND begins_with(gsi1sk, :needle)',
        ...(options.contains ? { FilterExpression: 'contains(nameKey, :needle)' } : {}),
        ExpressionAttributeValues: { ':pk': ACCOUNT_NAME_GSI1PK, ':needle': needle },
        ExclusiveStartKey: startKey,
      });
      read += page.ScannedCount ?? 0;
      accounts.push(...(page.Items ?? []).map(toSummary));
      startKey = page.LastEvaluatedKey;
    } while (startKey && accounts.length < options.limit && read < NAME_CONTAINS_MAX_ITEMS);
    return {
      accounts: accounts.slice(0, options.limit),
      truncated: startKey !== undefined && accounts.length < options.limit,
    };
  }

  /** Reads month partitions newest first until `limit` items, resuming where a cursor stopped. */
  private async byMonth(
    since: string,
    page: Page,
    read: (
      month: string,
      after: Record<string, string> | undefined,
      limit: number,
    ) => Promise<{
      items: Record<string, unknown>[];
      last?: Record<string, string>;
    }>,
  ): Promise<{ items: Record<string, unknown>[]; nextCursor?: string }> {
    const cursor = decode(page.cursor);
    const months = monthsBack(since, this.clock.now().toISOString()).filter((m) => !cursor || m <= cursor.month);
    const items: Record<string, unknown>[] = [];
    for (const [n, month] of months.entries()) {
      let after = cursor && month === cursor.month && Object.keys(cursor.last).length > 0 ? cursor.last : undefined;
      do {
        const out = await read(month, after, page.limit - items.length);
        items.push(...out.items);
        after = out.last;
        if (items.length < page.limit) continue;
        // Full: resume in this month after its last key, or at the start of the next month.
        if (after) return { items, nextCursor: encode({ month, last: after }) };
        const next = months[n + 1];
        return { items, ...(next ? { nextCursor: encode({ month: next, last: {} }) } : {}) };
      } while (after);
    }
    return { items };
  }

  async accountsCreatedSince(since: string, page: Page): Promise<{ accounts: AccountSummary[]; nextCursor?: string }> {
    const { items, nextCursor } = await this.byMonth(since, page, async (month, after, limit) => {
      const out = await this.query({
        KeyConditionExpression: 'pk = :pk AND sk >= :since',
        ExpressionAttributeValues: { ':pk': `NEWACC#${month}`, ':since': since },
        ScanIndexForward: false,
        Limit: limit,
        ...(after && Object.keys(after).length > 0 ? { ExclusiveStartKey: after } : {}),
      });
      return {
        items: out.Items ?? [],
        ...(out.LastEvaluatedKey && { last: out.LastEvaluatedKey as Record<string, string> }),
      };
    });
    // the month items do not follow a closure: the account items say which are closed
    const closed = new Map(
      (await this.getAccounts(items.map((i) => String(i['accountId']))))
        .filter((a) => a.closedAt)
        .map((a) => [a.accountId, a]),
    );
    const accounts = items.map(toSummary).map((a) => {
      const c = closed.get(a.accountId);
      return c ? { ...a, closedAt: c.closedAt!, eraseAfter: c.eraseAfter! } : a;
    });
    return { accounts, ...(nextCursor && { nextCursor }) };
  }

  async ordersSince(since: string, page: Page): Promise<{ orders: OrderSummary[]; nextCursor?: string }> {
    const { items, nextCursor } = await this.byMonth(since, page, async (month, after, limit) => {
      const out = await this.query({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk >= :since',
        ExpressionAttributeValues: { ':pk': `ORDERS#${month}`, ':since': since },
        ScanIndexForward: false,
        Limit: limit,
        ...(after && Object.keys(after).length > 0 ? { ExclusiveStartKey: after } : {}),
      });
      return {
        items: out.Items ?? [],
        ...(out.LastEvaluatedKey && { last: out.LastEvaluatedKey as Record<string, string> }),
      };
    });
    const orders = items.map((item) => {
      const { orderId, accountId, createdAt, result } = orderSchema.parse(item);
      return { orderId, accountId, createdAt, accountCreated: result.accountCreated, lines: result.lines };
    });
    return { orders, ...(nextCursor && { nextCursor }) };
  }

  async getAccounts(accountIds: readonly string[]): Promise<AccountSummary[]> {
    // the searches ask for at most 100 (one request)
    const items = await batchGetAll(
      this.client,
      this.tableName,
      accountIds.slice(0, 100).map((id) => ({ pk: `ACC#${id}`, sk: 'META' })),
    ).catch((error: unknown) => rethrowThrottling(error, 'The licensing table'));
    return items.map(toSummary);
  }

  async accountIdOfInstallation(installationId: string): Promise<string | null> {
    const out = await this.client
      .send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: `INST#${installationId}`, sk: 'META' },
          ProjectionExpression: 'accountId',
        }),
      )
      .catch((error: unknown) => rethrowThrottling(error, 'The licensing table'));
    return out.Item ? z.object({ accountId: z.string() }).parse(out.Item).accountId : null;
  }

  async accountIdsOfReseller(resellerId: string): Promise<string[]> {
    const ids: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.query({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :acc)',
        ExpressionAttributeValues: { ':pk': `RES#${resellerId}`, ':acc': 'ACC#' },
        ProjectionExpression: 'accountId',
        ExclusiveStartKey: startKey,
      });
      ids.push(...(page.Items ?? []).map((item) => z.object({ accountId: z.string() }).parse(item).accountId));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return ids;
  }
}

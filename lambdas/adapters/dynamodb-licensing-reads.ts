/**
 * The licensing store's reads (the layout: dynamodb-licensing-repository.ts): the account with its
 * entitlements, an installation with its last poll and its copy of the account's terms, last polls.
 * Functions that only read licensing (support, presence) bundle this, not the commits; the rules
 * bundle only the installation's read (dynamodb-installation-read.ts).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { ServiceUnavailableError } from '../core/errors';
import { careLevelSchema, licenseKindSchema, productSchema, regionSchema } from '../core/licensing/catalogue';
import type { AccountState, Entitlement, Installation, ProductPool, SmartAccount } from '../core/licensing/model';
import type { AccountTerms, LicensingRepository } from '../core/licensing/repository';
import { licensingPk } from '../shared/licensing-table-keys';
import { rethrowThrottling } from './aws-errors';
import { getAccountTerms } from './dynamodb-account-view';
import { batchGetAll, type BatchGetRetries } from './dynamodb-batch-get';
import { queryAll } from './dynamodb-query-all';
import {
  allocationItem,
  installationPk,
  installationSummaryItem,
  LAST_POLL_SK,
  lastPollItem,
  readInstallationWithTerms,
} from './dynamodb-installation-read';

export { allocationItem, installationPk, LAST_POLL_SK };

export const key = (pk: string, sk = 'META') => ({ pk, sk });
export const accountPk = (id: string) => licensingPk('account', id);

// Stored items are a boundary: parsed, never cast.
const accountItem = z.object({
  accountId: z.string(),
  name: z.string(),
  region: regionSchema,
  resellerId: z.optional(z.string()),
  telemetryEnabled: z.boolean(),
  termsRev: z.int(),
  installSeq: z.int(),
  followerInstallationId: z.optional(z.string()),
  createdAt: z.string(),
  country: z.optional(z.string()),
  origin: z.optional(z.enum(['sign-up', 'order'])),
  closure: z.optional(
    z.object({
      closedAt: z.string(),
      closedBy: z.object({
        kind: z.enum(['backoffice', 'support', 'reseller', 'customer', 'installation', 'system']),
        id: z.string(),
      }),
      eraseAfter: z.string(),
      erasedAt: z.optional(z.string()),
    }),
  ),
});
const poolItem = z.object({
  product: productSchema,
  allocated: z.int(),
  entitlementsRev: z._default(z.int(), 0),
  // the merged terms of a pool deposited before entitlements were stored (LEGACY_ENTITLEMENT_ID)
  capacity: z.optional(z.int()),
  kind: z.optional(licenseKindSchema),
  expiresAt: z.optional(z.string()),
  care: z.optional(z.object({ level: careLevelSchema, expiresAt: z.string() })),
});
const entitlementItem = z.object({
  entitlementId: z.string(),
  product: productSchema,
  kind: z.enum(['perpetual', 'subscription', 'care']),
  quantity: z.int().check(z.nonnegative()),
  startsAt: z.optional(z.string()),
  endsAt: z.optional(z.string()),
  care: z.optional(z.object({ level: careLevelSchema, startsAt: z.optional(z.string()), endsAt: z.string() })),
});
const entitlementsItem = z.object({ entitlements: z.array(entitlementItem) });

/** The id of the one entitlement an older pool item reads as. */
export const LEGACY_ENTITLEMENT_ID = 'pool';

/**
 * A pool deposited before entitlements were stored, read as the one entitlement its merged terms
 * describe: active since always, a subscription until `expiresAt`, its Care until `care.expiresAt`.
 */
function legacyEntitlement(pool: z.infer<typeof poolItem>): Entitlement[] {
  if (!pool.capacity || pool.capacity <= 0) return [];
  const subscription = pool.kind === 'subscription' && pool.expiresAt !== undefined;
  return [
    {
      entitlementId: LEGACY_ENTITLEMENT_ID,
      product: pool.product,
      kind: subscription ? 'subscription' : 'perpetual',
      quantity: pool.capacity,
      ...(subscription ? { endsAt: pool.expiresAt } : {}),
      ...(pool.care ? { care: { level: pool.care.level, endsAt: pool.care.expiresAt } } : {}),
    },
  ];
}

const byProductThenId = (a: Entitlement, b: Entitlement) =>
  a.product < b.product
    ? -1
    : a.product > b.product
      ? 1
      : a.entitlementId < b.entitlementId
        ? -1
        : a.entitlementId > b.entitlementId
          ? 1
          : 0;
/** keys a last-poll read leaves unprocessed (throttling): 5 requests over about 3 s, then busy (503) */
const lastPollRetries: BatchGetRetries = {
  maxRequests: 5,
  backoffMs: (retry) => 100 * 2 ** retry,
  exhausted: () => new ServiceUnavailableError('The licensing store is busy right now; retry shortly.', 2),
};

export interface LicensingReadsOptions {
  /**
   * the client of the installation read every agent request makes (aws-clients.ts dynamoReadClient)
   * @default the document client, which sends a low-level command as it is
   */
  readonly reads?: () => DynamoDBClient;
}

export type LicensingReads = Pick<
  LicensingRepository,
  'getAccountState' | 'getInstallation' | 'getInstallationWithTerms' | 'getAccountTerms' | 'getLastPolls'
> & { getAccount(accountId: string): Promise<SmartAccount | null> };

export class DynamoDbLicensingReads implements LicensingReads {
  constructor(
    protected readonly client: DynamoDBDocumentClient,
    protected readonly tableName: string,
    protected readonly options: LicensingReadsOptions = {},
  ) {}

  async getAccountState(accountId: string): Promise<AccountState | null> {
    // ENT# … PROD#: entitlements, installation summaries, the account, pools. Not the activation
    // keys' listings (AKEY#) or the terms consents (TERMS#) beside them: a licence rebuild reads
    // this, and an account's keys and consents only grow.
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': accountPk(accountId), ':from': 'ENT#', ':to': 'PROD#\uffff' },
      ConsistentRead: true,
    }).catch((error: unknown) => rethrowThrottling(error, 'The licensing store'));
    const meta = items.find((i) => i.sk === 'META');
    if (!meta) return null;
    const pools = items.filter((i) => String(i.sk).startsWith('PROD#')).map((i) => poolItem.parse(i));
    const entitlements: Entitlement[] = [
      ...items
        .filter((i) => String(i.sk).startsWith('ENT#'))
        .flatMap((i) => entitlementsItem.parse(i).entitlements as Entitlement[]),
      ...pools.flatMap(legacyEntitlement),
    ].sort(byProductThenId);
    return {
      account: accountItem.parse(meta),
      pools: pools.map(
        ({ product, allocated, entitlementsRev }): ProductPool => ({ product, allocated, entitlementsRev }),
      ),
      entitlements,
      installations: items.filter((i) => String(i.sk).startsWith('INST#')).map((i) => installationSummaryItem.parse(i)),
    };
  }

  async getInstallation(
    installationId: string,
    options: { consistentRead?: boolean } = {},
  ): Promise<Installation | null> {
    return (await this.getInstallationWithTerms(installationId, options))?.installation ?? null;
  }

  async getInstallationWithTerms(
    installationId: string,
    options: { consistentRead?: boolean } = {},
  ): Promise<{ installation: Installation; terms?: AccountTerms } | null> {
    const reads = this.options.reads?.() ?? (this.client as unknown as DynamoDBClient);
    return readInstallationWithTerms(reads, this.tableName, installationId, options);
  }

  /** The account item alone (a small read, eventually consistent): who owns it and where it lives. */
  async getAccount(accountId: string): Promise<SmartAccount | null> {
    const item = await this.get(key(accountPk(accountId)), false);
    return item ? accountItem.parse(item) : null;
  }

  async getAccountTerms(accountId: string, options: { consistentRead?: boolean } = {}): Promise<AccountTerms | null> {
    return getAccountTerms(this.client, this.tableName, accountId, options);
  }

  async getLastPolls(installationIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const lastPolls = await this.batchLastPolls(installationIds, LAST_POLL_SK);
    // Installations that polled only before the last poll had an item of its own keep it on META.
    const earlier = await this.batchLastPolls(
      installationIds.filter((id) => !lastPolls.has(id)),
      'META',
    );
    return new Map([...earlier, ...lastPolls]);
  }

  /** `lastPollAt` of each installation's item under `sk` that has one. */
  private async batchLastPolls(installationIds: readonly string[], sk: string): Promise<Map<string, string>> {
    const items = await batchGetAll(
      this.client,
      this.tableName,
      installationIds.map((id) => key(installationPk(id), sk)),
      ['installationId', 'lastPollAt'],
      lastPollRetries,
    ).catch((error: unknown) => rethrowThrottling(error, 'The licensing store'));
    const lastPolls = new Map<string, string>();
    for (const item of items) {
      const { installationId, lastPollAt } = lastPollItem.parse(item);
      if (lastPollAt) lastPolls.set(installationId, lastPollAt);
    }
    return lastPolls;
  }

  /** One item by its key; throttling answers 503 (the commits' reads use it too). */
  protected async get(
    k: { pk: string; sk: string },
    consistentRead = true,
  ): Promise<Record<string, unknown> | undefined> {
    try {
      const out = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: k, ConsistentRead: consistentRead }),
      );
      return out.Item;
    } catch (error) {
      return rethrowThrottling(error, 'The licensing store');
    }
  }
}

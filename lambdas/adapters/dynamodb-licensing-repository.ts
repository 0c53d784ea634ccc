/**
 * The licensing store on DynamoDB (one table, the global table). Layout:
 *   ACC#<account> / META            the Smart Account (`closure` once closed: docs/retention.md)
 *   ACC#<account> / ENT#<product>#<order>  the order's lines of that product, each an entitlement
 *                                   of its own (`entitlements: [...]`; one item per product and
 *                                   order keeps an order within one transaction)
 *   ACC#<account> / PROD#<product>  a product pool: `allocated` and `entitlementsRev`, the item every
 *                                   allocating commit conditions on. Pools deposited before
 *                                   entitlements were stored carry their merged terms (`capacity`,
 *                                   `kind`, `expiresAt`, `care`) and no entitlement items: they
 *                                   read as one entitlement, id `pool`, active since always
 *   ACC#<account> / INST#<inst>     an installation summary, so one query reads the whole account
 *   ACC#<account> / AKEY#<keyId>    an activation key's listing: who created it, expiry, allocation,
 *                                   its hash and last four characters, used or revoked
 *                                   (dynamodb-activation-key-store.ts)
 *   INST#<inst>   / META            the installation with its signed licence (one query per poll
 *                                   reads it with its last poll)
 *   INST#<inst>   / POLL            its last licence poll (written at most once an hour, by whichever
 *                                   region answered): an item of its own, because regions replicate
 *                                   whole items and a poll must never write over licensing state.
 *                                   Items of the earlier format carry `lastPollAt` on META; it is
 *                                   read when there is no POLL item.
 *   THUMB#<jwk thumbprint> / META   the installation a public key is bound to
 *   AKEY#<sha256 of key>  / META    an activation key (the key itself is never stored)
 *   ORDER#<order> / META            a deposited order with its body hash and result
 *   AUDIT#<account> / <at>#<event>  the audit trail
 *   RES#<reseller> / ACC#<account>  a reseller's customers
 *   OWNER#<sub>   / META            the account a person created by sign-up (one per person)
 *   ERASE#<region> / <eraseAfter>#<account>  a closed account awaiting the eraser
 *                                   (dynamodb-closure-store.ts)
 *   INST#<inst>   / ACCT            its account's terms, copied (dynamodb-account-view.ts): one
 *                                   query reads ACCT, META and POLL, so a signed request reads
 *                                   one partition
 *   ACCTVIEW_PENDING / <account>    an account whose terms are still to be copied
 * Every change is one TransactWriteItems whose conditions carry the invariants. A change of every
 * licence of an account bumps the account's `termsRev` (ACC#/META) once, with a pending marker; the
 * copies to its installations follow the commit, so no transaction ever spans the account's
 * installations.
 */
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  accountViewPut,
  copyAfterCommit,
  pendingViewAccounts,
  pendingViewPut,
  propagateAccountView,
} from './dynamodb-account-view';
import * as z from 'zod/mini';
import type {
  ActivationKeyRecord,
  AuditEvent,
  Installation,
  InstallationSummary,
  SmartAccount,
  StoredLicense,
} from '../core/licensing/model';
import {
  CommitRejected,
  type AccountCreationCommit,
  type ActivationCommit,
  type AllocationChangeCommit,
  type CapacityCheck,
  type DeactivationCommit,
  type TelemetryOverrideCommit,
  type LicensingRepository,
  type OrderCommit,
  type OrderRecord,
  type RejectReason,
  type TelemetrySwitchCommit,
} from '../core/licensing/repository';
import { ServiceUnavailableError } from '../core/errors';
import { isThrottling, rethrowThrottling } from './aws-errors';
import { accountIndexAttributes, newAccountIndexItem, orderIndexAttributes } from './dynamodb-account-search';
import { auditItem } from './dynamodb-audit-writer';
import { recordLastPoll } from './dynamodb-last-poll';
import { licensingPk } from '../shared/licensing-table-keys';
import {
  DynamoDbLicensingReads,
  accountPk,
  allocationItem,
  installationPk,
  key,
  type LicensingReadsOptions,
} from './dynamodb-licensing-reads';

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];
interface Guarded {
  readonly item: TransactItem;
  /** what a failed condition on this item means */
  readonly onConditionFailed: RejectReason;
  /** what the condition is about, passed on with the refusal (the product of a capacity check) */
  readonly subject?: string;
  /** the reason when it depends on the item as it was (a capacity check refused because its entitlements changed is 'stale') */
  readonly classify?: (old: { entitlementsRev?: number } | undefined) => RejectReason;
}

/**
 * Attribute names are always written `#name` in expressions (several of ours, such as `capacity`
 * and `free`, are DynamoDB reserved words); this declares each one that was not declared explicitly.
 */
export function attributeNames(explicit: Record<string, string> | undefined, ...expressions: (string | undefined)[]) {
  const names: Record<string, string> = {};
  for (const expression of expressions) {
    for (const [token, name] of expression?.matchAll(/#(\w+)/g) ?? []) names[token] = name!;
  }
  return { ...names, ...explicit };
}

const activationKeyItem = z.object({
  keyHash: z.string(),
  accountId: z.string(),
  allocation: allocationItem,
  followsPool: z.boolean(),
  expiresAt: z.string(),
  createdAt: z.string(),
  usedBy: z.optional(z.string()),
  keyId: z.optional(z.string()),
  hint: z.optional(z.string()),
  revokedAt: z.optional(z.string()),
});
const orderItem = z.object({
  orderId: z.string(),
  bodyHash: z.string(),
  accountId: z.string(),
  result: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});

const summaryOf = (i: Installation): InstallationSummary => ({
  installationId: i.installationId,
  status: i.status,
  allocation: i.allocation,
  nodes: i.nodes,
  suiteVersion: i.suiteVersion,
  activatedAt: i.activatedAt,
  ...(i.deactivatedAt ? { deactivatedAt: i.deactivatedAt } : {}),
});

/** Activation keys and orders stay for audit, then expire: a year after their own expiry. */
const KEEP_SECONDS = 365 * 86_400;
const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export interface LicensingRepositoryOptions extends LicensingReadsOptions {
  /** an account whose copies a commit left to the 5-minute repair (its budget ran out, or a copy failed) */
  readonly onViewsDeferred?: (accountId: string, error?: unknown) => void;
  /**
   * the client of the installation read every agent request makes (aws-clients.ts dynamoReadClient)
   * @default the document client, which sends a low-level command as it is
   */
  readonly reads?: () => DynamoDBClient;
}

export class DynamoDbLicensingRepository extends DynamoDbLicensingReads implements LicensingRepository {
  constructor(
    client: DynamoDBDocumentClient,
    tableName: string,
    protected override readonly options: LicensingRepositoryOptions = {},
  ) {
    super(client, tableName, options);
  }

  async getOrder(orderId: string): Promise<OrderRecord | null> {
    const item = await this.get(key(licensingPk('order', orderId)));
    return item ? orderItem.parse(item) : null;
  }

  async getActivationKey(keyHash: string): Promise<ActivationKeyRecord | null> {
    const item = await this.get(key(licensingPk('activationKey', keyHash)));
    return item ? activationKeyItem.parse(item) : null;
  }

  async repairAccountViews(options: { deadline: number; limit: number }): Promise<{ accounts: number; left: number }> {
    const accountIds = await pendingViewAccounts(this.client, this.tableName, options.limit);
    let accounts = 0;
    for (const accountId of accountIds) {
      if (Date.now() >= options.deadline) break;
      const outcome = await propagateAccountView(this.client, this.tableName, accountId, options);
      if (outcome.complete) accounts++;
    }
    return { accounts, left: accountIds.length - accounts };
  }

  async findInstallationIdByThumbprint(thumbprint: string): Promise<string | null> {
    const item = await this.get(key(licensingPk('thumbprint', thumbprint)));
    return item ? z.object({ installationId: z.string() }).parse(item).installationId : null;
  }

  async commitOrder(c: OrderCommit): Promise<void> {
    const accountId = c.order.accountId;
    const items: Guarded[] = [
      this.put(
        { ...key(licensingPk('order', c.order.orderId)), type: 'order', ...c.order, ...orderIndexAttributes(c.order) },
        'order-exists',
      ),
    ];
    if (c.account.kind === 'create') {
      const record: SmartAccount = c.account.record;
      items.push(this.put(this.accountRecordItem(record), 'stale'));
      items.push(this.put(newAccountIndexItem(record, 'order'), 'stale'));
      if (record.resellerId) {
        items.push(
          this.put(
            {
              ...key(licensingPk('resellerAccounts', record.resellerId), accountPk(accountId)),
              type: 'reseller-customer',
              accountId,
              name: record.name,
              region: record.region,
            },
            'stale',
          ),
        );
      }
    } else {
      items.push(
        this.update(key(accountPk(accountId)), 'stale', {
          UpdateExpression: 'ADD #termsRev :one',
          ConditionExpression: '#installSeq = :seq AND #termsRev = :rev',
          ExpressionAttributeValues: {
            ':one': 1,
            ':seq': c.account.expectedInstallSeq,
            ':rev': c.account.expectedTermsRev,
          },
        }),
      );
    }
    for (const product of new Set(c.entitlements.map((e) => e.product))) {
      items.push(
        this.put(
          {
            ...key(accountPk(accountId), `ENT#${product}#${c.order.orderId}`),
            type: 'entitlements',
            product,
            orderId: c.order.orderId,
            entitlements: c.entitlements.filter((e) => e.product === product),
          },
          'stale',
        ),
      );
    }
    for (const deposit of c.pools) {
      items.push(
        this.update(key(accountPk(accountId), `PROD#${deposit.product}`), 'stale', {
          UpdateExpression: 'SET #type = :type, #product = :product ADD #entitlementsRev :one, #allocated :a',
          ExpressionAttributeValues: {
            ':type': 'pool',
            ':product': deposit.product,
            ':one': 1,
            ':a': deposit.addAllocated,
          },
        }),
      );
    }
    const grant = c.followerGrant;
    if (grant) {
      const products = Object.entries(grant.add);
      const names = Object.fromEntries(products.map(([p], n) => [`#p${n}`, p]));
      const values = Object.fromEntries(products.map(([, q], n) => [`:q${n}`, q]));
      const sets = products
        .map((_, n) => `#allocation.#p${n} = if_not_exists(#allocation.#p${n}, :zero) + :q${n}`)
        .join(', ');
      items.push(
        this.update(key(installationPk(grant.installationId)), 'stale', {
          UpdateExpression: `SET ${sets} ADD #rev :one`,
          ConditionExpression: '#status = :active',
          ExpressionAttributeNames: { ...names, '#status': 'status' },
          ExpressionAttributeValues: { ...values, ':zero': 0, ':one': 1, ':active': 'active' },
        }),
        this.update(key(accountPk(accountId), `INST#${grant.installationId}`), 'stale', {
          UpdateExpression: `SET ${sets}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...values, ':zero': 0 },
        }),
      );
    }
    items.push(this.audit(c.audit));
    if (c.account.kind === 'create') await this.transact(items);
    else await this.transactTermsChange(accountId, items, c.audit.at);
  }

  async commitAccountCreation(c: AccountCreationCommit): Promise<void> {
    await this.transact([
      this.put(
        {
          ...key(licensingPk('owner', c.ownerSub)),
          type: 'account-owner',
          accountId: c.record.accountId,
          createdAt: c.record.createdAt,
        },
        'account-exists',
      ),
      this.put(this.accountRecordItem(c.record), 'stale'),
      this.put(newAccountIndexItem(c.record, 'sign-up'), 'stale'),
      this.audit(c.audit),
    ]);
  }

  async getAccountIdOfOwner(sub: string): Promise<string | null> {
    const item = await this.get(key(licensingPk('owner', sub)));
    return item ? z.object({ accountId: z.string() }).parse(item).accountId : null;
  }

  /** The account item as every creation writes it (an order's or a sign-up's): one shape for every reader. */
  private accountRecordItem(record: SmartAccount): Record<string, unknown> {
    // the back office's name index (dynamodb-account-search.ts) rides on the account item
    return { ...key(accountPk(record.accountId)), type: 'account', ...record, ...accountIndexAttributes(record) };
  }

  async putActivationKey(record: ActivationKeyRecord, audit: AuditEvent): Promise<void> {
    const ttl = epochSeconds(record.expiresAt) + KEEP_SECONDS;
    const { keyId, hint, createdBy } = record;
    await this.transact([
      this.put(
        { ...key(licensingPk('activationKey', record.keyHash)), type: 'activation-key', ...record, ttl },
        'stale',
      ),
      // the account's key list reads this item; the key itself is never stored
      ...(keyId && hint && createdBy
        ? [
            this.put(
              {
                ...key(accountPk(record.accountId), `AKEY#${keyId}`),
                type: 'activation-key-listing',
                keyId,
                keyHash: record.keyHash,
                hint,
                createdAt: record.createdAt,
                createdBy,
                expiresAt: record.expiresAt,
                allocation: record.allocation,
                followsPool: record.followsPool,
                ttl,
              },
              'stale',
            ),
          ]
        : []),
      this.audit(audit),
    ]);
  }

  async commitActivation(c: ActivationCommit): Promise<void> {
    const inst = c.installation;
    const items: Guarded[] = [
      this.update(key(licensingPk('activationKey', c.keyHash)), 'key-unavailable', {
        UpdateExpression: 'SET #usedBy = :inst, #usedAt = :now',
        ConditionExpression:
          'attribute_exists(pk) AND attribute_not_exists(#usedBy) AND attribute_not_exists(#revokedAt) AND #expiresAt > :now',
        ExpressionAttributeValues: { ':inst': inst.installationId, ':now': c.now },
      }),
    ];
    if (c.keyId)
      items.push(
        this.update(key(accountPk(inst.accountId), `AKEY#${c.keyId}`), 'key-unavailable', {
          UpdateExpression: 'SET #usedBy = :inst, #usedAt = :now',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':inst': inst.installationId, ':now': c.now },
        }),
      );
    for (const [product, quantity = 0] of Object.entries(inst.allocation)) {
      const check = c.capacity.find((x) => x.product === product);
      items.push(this.allocate(inst.accountId, product, quantity, check));
    }
    items.push(
      this.update(key(accountPk(inst.accountId)), 'stale', {
        UpdateExpression: c.becomeFollower
          ? 'SET #followerInstallationId = :inst ADD #installSeq :one'
          : 'ADD #installSeq :one',
        ConditionExpression: c.becomeFollower
          ? '#termsRev = :rev AND attribute_not_exists(#followerInstallationId)'
          : '#termsRev = :rev',
        ExpressionAttributeValues: {
          ':one': 1,
          ':rev': c.expectedTermsRev,
          ...(c.becomeFollower ? { ':inst': inst.installationId } : {}),
        },
      }),
      this.put({ ...key(installationPk(inst.installationId)), type: 'installation', ...inst }, 'stale'),
      // the terms the commit holds at (its condition on termsRev): a change after it copies its own
      {
        item: accountViewPut(this.tableName, inst.installationId, {
          termsRev: c.expectedTermsRev,
          telemetryEnabled: inst.telemetryEnabled,
        }),
        onConditionFailed: 'stale',
      },
      this.put(
        {
          ...key(accountPk(inst.accountId), `INST#${inst.installationId}`),
          type: 'installation-summary',
          ...summaryOf(inst),
        },
        'stale',
      ),
      this.put(
        { ...key(licensingPk('thumbprint', inst.thumbprint)), type: 'thumbprint', installationId: inst.installationId },
        'installation-exists',
      ),
      this.audit(c.audit),
    );
    await this.transact(items);
  }

  async commitDeactivation(c: DeactivationCommit): Promise<void> {
    const inst = c.installation;
    const items: Guarded[] = [
      this.update(key(installationPk(inst.installationId)), 'stale', {
        UpdateExpression: 'SET #status = :gone, #deactivatedAt = :now ADD #rev :one',
        ConditionExpression: '#status = :active AND #rev = :rev',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':gone': 'deactivated',
          ':active': 'active',
          ':now': c.now,
          ':one': 1,
          ':rev': inst.rev,
        },
      }),
      this.update(key(accountPk(inst.accountId), `INST#${inst.installationId}`), 'stale', {
        UpdateExpression: 'SET #status = :gone, #deactivatedAt = :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':gone': 'deactivated', ':now': c.now },
      }),
    ];
    for (const [product, quantity] of Object.entries(inst.allocation)) {
      items.push(
        this.update(key(accountPk(inst.accountId), `PROD#${product}`), 'stale', {
          UpdateExpression: 'ADD #allocated :minus',
          ExpressionAttributeValues: { ':minus': -(quantity ?? 0) },
        }),
      );
    }
    items.push(
      c.clearFollower
        ? this.update(key(accountPk(inst.accountId)), 'stale', {
            UpdateExpression: 'REMOVE #followerInstallationId ADD #termsRev :one',
            ConditionExpression: '#followerInstallationId = :inst',
            ExpressionAttributeValues: { ':inst': inst.installationId, ':one': 1 },
          })
        : this.bumpTermsRev(inst.accountId),
      this.audit(c.audit),
    );
    await this.transactTermsChange(inst.accountId, items, c.now, c.deferTermsCopy);
  }

  async commitAllocationChange(c: AllocationChangeCommit): Promise<void> {
    const inst = c.installation;
    const items: Guarded[] = [
      this.update(key(installationPk(inst.installationId)), 'stale', {
        UpdateExpression: 'SET #allocation = :allocation ADD #rev :one',
        ConditionExpression: '#status = :active AND #rev = :rev',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':allocation': c.allocation, ':one': 1, ':active': 'active', ':rev': inst.rev },
      }),
      this.update(key(accountPk(inst.accountId), `INST#${inst.installationId}`), 'stale', {
        UpdateExpression: 'SET #allocation = :allocation',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':allocation': c.allocation },
      }),
    ];
    for (const take of c.pools) {
      items.push(
        take.take > 0
          ? this.allocate(inst.accountId, take.product, take.take, take)
          : this.update(key(accountPk(inst.accountId), `PROD#${take.product}`), 'stale', {
              UpdateExpression: 'ADD #allocated :take',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':take': take.take },
            }),
      );
    }
    items.push(this.bumpTermsRev(inst.accountId), this.audit(c.audit));
    await this.transactTermsChange(inst.accountId, items, c.audit.at, c.deferTermsCopy);
  }

  async commitTelemetrySwitch(c: TelemetrySwitchCommit): Promise<void> {
    const items: Guarded[] = [
      this.update(key(accountPk(c.accountId)), 'stale', {
        UpdateExpression: 'SET #telemetryEnabled = :e ADD #termsRev :one',
        ConditionExpression: '#installSeq = :seq AND #termsRev = :rev',
        ExpressionAttributeValues: {
          ':e': c.enabled,
          ':one': 1,
          ':seq': c.expectedInstallSeq,
          ':rev': c.expectedTermsRev,
        },
      }),
      this.audit(c.audit),
    ];
    await this.transactTermsChange(c.accountId, items, c.audit.at);
  }

  async commitTelemetryOverride(c: TelemetryOverrideCommit): Promise<void> {
    const inst = c.installation;
    await this.transact([
      this.update(key(installationPk(inst.installationId)), 'stale', {
        UpdateExpression: c.override
          ? 'SET #telemetryOverride = :override ADD #rev :one'
          : 'REMOVE #telemetryOverride ADD #rev :one',
        ConditionExpression: '#status = :active AND #rev = :rev',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ...(c.override ? { ':override': c.override } : {}),
          ':one': 1,
          ':active': 'active',
          ':rev': inst.rev,
        },
      }),
      this.audit(c.audit),
    ]);
  }

  async storeLicense(installationId: string, license: StoredLicense, expectedRev: number): Promise<boolean> {
    // Never over a licence built from a newer account termsRev (a concurrent poll read the account later).
    const accountRev = license.basedOnAccountRev;
    const notOlderTerms =
      accountRev === undefined
        ? ''
        : ' AND (attribute_not_exists(#license.#accountRev) OR #license.#accountRev <= :accountRev)';
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(installationPk(installationId)),
          UpdateExpression: 'SET #license = :license',
          ConditionExpression: `#rev = :rev AND #license.#ver <= :ver${notOlderTerms}`,
          ExpressionAttributeNames: {
            '#license': 'license',
            '#rev': 'rev',
            '#ver': 'ver',
            ...(accountRev === undefined ? {} : { '#accountRev': 'basedOnAccountRev' }),
          },
          ExpressionAttributeValues: {
            ':license': license,
            ':rev': expectedRev,
            ':ver': license.ver,
            ...(accountRev === undefined ? {} : { ':accountRev': accountRev }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
      // Storing is an optimisation: the caller already holds a valid licence to answer with.
      if (isThrottling(error) || error instanceof ServiceUnavailableError) return false;
      throw error;
    }
  }

  async recordPoll(installationId: string, at: string, olderThan: string): Promise<boolean> {
    return recordLastPoll(this.client, this.tableName, installationId, at, olderThan);
  }

  private put(item: Record<string, unknown>, onConditionFailed: RejectReason): Guarded {
    return {
      item: { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
      onConditionFailed,
    };
  }

  private update(
    k: { pk: string; sk: string },
    onConditionFailed: RejectReason,
    expression: {
      UpdateExpression: string;
      ConditionExpression?: string;
      ExpressionAttributeNames?: Record<string, string>;
      ExpressionAttributeValues?: Record<string, unknown>;
    },
  ): Guarded {
    const names = attributeNames(
      expression.ExpressionAttributeNames,
      expression.UpdateExpression,
      expression.ConditionExpression,
    );
    return {
      item: { Update: { TableName: this.tableName, Key: k, ...expression, ExpressionAttributeNames: names } },
      onConditionFailed,
    };
  }

  /**
   * Allocates `quantity` more of a product, never beyond the capacity the commit names (computed
   * from the entitlements at `entitlementsRev`) and only while the entitlements are still those:
   * `allocated <= :capacity − :quantity AND entitlementsRev = :rev`, tested by DynamoDB at write time,
   * so concurrent allocations never pass the capacity together.
   */
  private allocate(accountId: string, product: string, quantity: number, check: CapacityCheck | undefined): Guarded {
    const rev = check?.entitlementsRev ?? 0;
    const guarded = this.update(key(accountPk(accountId), `PROD#${product}`), 'capacity', {
      UpdateExpression: 'ADD #allocated :q',
      ConditionExpression: `#allocated <= :max AND ${
        rev === 0 ? 'attribute_not_exists(#entitlementsRev)' : '#entitlementsRev = :rev'
      }`,
      ExpressionAttributeValues: {
        ':q': quantity,
        ':max': (check?.capacity ?? 0) - quantity,
        ...(rev === 0 ? {} : { ':rev': rev }),
      },
    });
    return {
      item: { Update: { ...guarded.item.Update!, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
      onConditionFailed: 'capacity',
      subject: product,
      classify: (old) => (old !== undefined && (old.entitlementsRev ?? 0) !== rev ? 'stale' : 'capacity'),
    };
  }

  /** Every licence of the account depends on what the commit changes: their next polls rebuild. */
  private bumpTermsRev(accountId: string): Guarded {
    return this.update(key(accountPk(accountId)), 'stale', {
      UpdateExpression: 'ADD #termsRev :one',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':one': 1 },
    });
  }

  private audit(event: AuditEvent): Guarded {
    return {
      item: {
        Put: {
          TableName: this.tableName,
          Item: auditItem(event),
        },
      },
      onConditionFailed: 'stale',
    };
  }

  /**
   * The refused item as the condition saw it (the transaction returns it, ALL_OLD), or as read now
   * where it did not: only its `entitlementsRev` is needed.
   */
  private async itemAsItWas(
    item: TransactItem,
    returned: Record<string, { N?: string }> | undefined,
  ): Promise<{ entitlementsRev?: number } | undefined> {
    if (returned)
      return { ...(returned.entitlementsRev?.N ? { entitlementsRev: Number(returned.entitlementsRev.N) } : {}) };
    const k = item.Update?.Key as { pk: string; sk: string } | undefined;
    const now = k ? await this.get(k) : undefined;
    return now ? z.object({ entitlementsRev: z.optional(z.int()) }).parse(now) : undefined;
  }

  /**
   * A commit that changes the account's terms: with its pending marker, then the copies (unless the
   * commit is one of a run, whose copies are made once after it: per commit they would cost the
   * run's length times the account's installations).
   */
  private async transactTermsChange(accountId: string, items: Guarded[], at: string, defer = false): Promise<void> {
    await this.transact([
      ...items,
      { item: pendingViewPut(this.tableName, accountId, at), onConditionFailed: 'stale' },
    ]);
    if (!defer) await copyAfterCommit(this.client, this.tableName, accountId, this.options.onViewsDeferred);
  }

  private async transact(items: Guarded[]): Promise<void> {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items.map((i) => i.item) }));
    } catch (error) {
      if (
        error instanceof TransactionCanceledException ||
        (error instanceof Error && error.name === 'TransactionCanceledException')
      ) {
        const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
        const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
        if (failed >= 0) {
          const guarded = items[failed];
          const reason = guarded?.classify
            ? guarded.classify(await this.itemAsItWas(guarded.item, reasons[failed]?.Item))
            : (guarded?.onConditionFailed ?? 'stale');
          throw new CommitRejected(reason, reason === 'capacity' ? guarded?.subject : undefined);
        }
        if (reasons.some((r) => r.Code === 'ThrottlingError' || r.Code === 'ProvisionedThroughputExceeded')) {
          rethrowThrottling(
            Object.assign(new Error('throttled'), { name: 'ThrottlingException' }),
            'The licensing store',
          );
        }
        throw new CommitRejected('stale'); // TransactionConflict: read again and retry
      }
      if (error instanceof Error && error.name === 'TransactionConflictException') throw new CommitRejected('stale');
      rethrowThrottling(error, 'The licensing store');
    }
  }
}

/**
 * An in-memory LicensingRepository for unit tests, with the commit semantics of
 * `lambdas/adapters/dynamodb-licensing-repository.ts` item for item: every commit is one
 * transaction whose conditions are all checked against the state before it, the first failing
 * item names the CommitRejected reason, and only a commit whose every condition holds is applied.
 * It also refuses, like DynamoDB, a transaction naming one item twice or holding more than 100.
 *
 * Test hooks: `snapshot()` and the small readers inspect state; `rejectNext()` injects one refusal
 * (by default 'stale'); `beforeNext()` runs a concurrent change between a use case's reads and its
 * commit, so a real condition fails; `commits` logs every commit attempt and its outcome.
 */
import type { Clock } from '#lambdas/core/ports';
import type { Allocation, Product } from '#lambdas/core/licensing/catalogue';
import { standingAt, type ProductStanding } from '#lambdas/core/licensing/entitlements';
import type {
  AccountState,
  ActivationKeyRecord,
  AuditEvent,
  Entitlement,
  Installation,
  InstallationSummary,
  ProductPool,
  SmartAccount,
  StoredLicense,
} from '#lambdas/core/licensing/model';
import {
  CommitRejected,
  type AccountTerms,
  type ActivationCommit,
  type AccountCreationCommit,
  type AllocationChangeCommit,
  type CapacityCheck,
  type DeactivationCommit,
  type LicensingRepository,
  type OrderCommit,
  type OrderRecord,
  type RejectReason,
  type TelemetryOverrideCommit,
  type TelemetrySwitchCommit,
} from '#lambdas/core/licensing/repository';

export type CommitMethod =
  | 'commitOrder'
  | 'commitAccountCreation'
  | 'putActivationKey'
  | 'commitActivation'
  | 'commitDeactivation'
  | 'commitAllocationChange'
  | 'commitTelemetrySwitch'
  | 'commitTelemetryOverride';

export interface CommitLogEntry {
  readonly method: CommitMethod;
  /** 'applied', or the reason it was refused (injected refusals included) */
  readonly outcome: 'applied' | RejectReason;
}

type StoredKey = ActivationKeyRecord & { usedAt?: string };
interface ResellerCustomer {
  accountId: string;
  name: string;
  region: SmartAccount['region'];
}

/** One item of a transaction: its DynamoDB key, its condition and what a failed condition means. */
interface TransactItem {
  readonly key: string;
  readonly reason: RejectReason;
  /** the reason of a failed condition when it depends on what failed (a capacity check: 'stale' when the entitlements changed) */
  readonly refusal?: () => RejectReason;
  /** passed on with a refusal, as the adapter does (the product of a capacity check) */
  readonly subject?: string;
  readonly condition: () => boolean;
  readonly apply: () => void;
}

/** A plain-data copy of the whole store, for assertions. */
export interface MemorySnapshot {
  accounts: Record<string, SmartAccount>;
  pools: Record<string, Record<string, ProductPool>>;
  /** account → its entitlements, by product then entitlement id */
  entitlements: Record<string, Entitlement[]>;
  summaries: Record<string, Record<string, InstallationSummary>>;
  /** installation items as stored: `lastPollAt` only on those written in the earlier format */
  installations: Record<string, Installation>;
  /** the last-poll items, apart from the installations (installation id → lastPollAt) */
  lastPolls: Record<string, string>;
  thumbprints: Record<string, string>;
  activationKeys: Record<string, StoredKey>;
  orders: Record<string, OrderRecord>;
  resellerCustomers: Record<string, Record<string, ResellerCustomer>>;
  audit: AuditEvent[];
}

const MAX_TRANSACT_ITEMS = 100;
const copy = <T>(value: T): T => structuredClone(value);
const sortedValues = <T>(map: Map<string, T> | undefined): T[] =>
  [...(map?.entries() ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => copy(v));
const toRecord = <T>(map: Map<string, T>): Record<string, T> =>
  Object.fromEntries([...map].map(([k, v]) => [k, copy(v)]));

function addToAllocation(allocation: Allocation, add: Allocation): Allocation {
  const next: Allocation = { ...allocation };
  for (const [product, quantity] of Object.entries(add) as [Product, number][]) {
    next[product] = (next[product] ?? 0) + quantity;
  }
  return next;
}

export class MemoryLicensingRepository implements LicensingRepository {
  private readonly accounts = new Map<string, SmartAccount>();
  private readonly pools = new Map<string, Map<string, ProductPool>>();
  /** account → `<product>#<entitlementId>` → entitlement */
  private readonly entitlements = new Map<string, Map<string, Entitlement>>();
  private readonly summaries = new Map<string, Map<string, InstallationSummary>>();
  private readonly installations = new Map<string, Installation>();
  private readonly lastPolls = new Map<string, string>();
  private readonly thumbprints = new Map<string, string>();
  private readonly keys = new Map<string, StoredKey>();
  private readonly orders = new Map<string, OrderRecord>();
  private readonly resellerCustomers = new Map<string, Map<string, ResellerCustomer>>();
  private readonly auditTrail = new Map<string, AuditEvent>();
  private readonly owners = new Map<string, string>();

  private readonly injected: { method?: CommitMethod; reason: RejectReason }[] = [];
  private readonly hooks: { method?: CommitMethod; action: () => Promise<void> | void }[] = [];
  /** every commit attempt, in order */
  readonly commits: CommitLogEntry[] = [];
  /** storeLicense calls and whether each stored */
  readonly licenseStores: { installationId: string; ver: number; stored: boolean }[] = [];
  /** recordPoll calls and whether each wrote */
  readonly pollRecords: { installationId: string; at: string; written: boolean }[] = [];
  /** getInstallation calls and their consistency */
  readonly installationReads: { installationId: string; consistentRead: boolean }[] = [];
  /** getAccountTerms calls and their consistency */
  readonly accountTermsReads: { accountId: string; consistentRead: boolean }[] = [];
  /** while set, recordPoll throws it (a write that fails, e.g. throttled) */
  recordPollFailure: Error | undefined;

  /** `clock` is only the test hooks' default instant (`pool()`): commits never read time */
  constructor(private readonly clock?: Clock) {}

  // ---- test hooks -------------------------------------------------------------------------

  /** The next commit (of `method`, or any) is refused with `reason` without looking at state. */
  rejectNext(reason: RejectReason = 'stale', method?: CommitMethod): void {
    this.injected.push({ reason, ...(method ? { method } : {}) });
  }

  /** Runs `action` once, just before the next commit (of `method`, or any) is evaluated. */
  beforeNext(method: CommitMethod | undefined, action: () => Promise<void> | void): void {
    this.hooks.push({ action, ...(method ? { method } : {}) });
  }

  snapshot(): MemorySnapshot {
    const nested = <T>(map: Map<string, Map<string, T>>) =>
      Object.fromEntries([...map].map(([k, inner]) => [k, toRecord(inner)]));
    return {
      accounts: toRecord(this.accounts),
      pools: nested(this.pools),
      entitlements: Object.fromEntries(
        [...this.entitlements.keys()].map((k) => [k, sortedValues(this.entitlements.get(k))]),
      ),
      summaries: nested(this.summaries),
      installations: toRecord(this.installations),
      lastPolls: Object.fromEntries(this.lastPolls),
      thumbprints: Object.fromEntries(this.thumbprints),
      activationKeys: toRecord(this.keys),
      orders: toRecord(this.orders),
      resellerCustomers: nested(this.resellerCustomers),
      audit: sortedValues(this.auditTrail),
    };
  }

  /** Changes the account item in place, as a store of account settings beside this one does (closure). */
  patchAccount(accountId: string, change: (account: SmartAccount) => SmartAccount): void {
    const account = this.accounts.get(accountId);
    if (account) this.accounts.set(accountId, change(copy(account)));
  }

  /** Appends an audit event written beside the account change of another store (closure). */
  appendAudit(event: AuditEvent): void {
    this.auditTrail.set(`AUDIT#${event.accountId}/${event.at}#${event.eventId}`, copy(event));
  }

  account(accountId: string): SmartAccount | undefined {
    const account = this.accounts.get(accountId);
    return account && copy(account);
  }

  /** The product as it stands at `at` (by default the clock's now): capacity from the entitlements, allocated, free. */
  pool(accountId: string, product: Product, at: Date = this.clock?.now() ?? new Date()): ProductStanding | undefined {
    const pool = this.pools.get(accountId)?.get(product);
    return pool && standingAt(copy(pool), sortedValues(this.entitlements.get(accountId)), at.getTime());
  }

  /** The installation as getInstallation reads it (its last poll included). */
  installation(installationId: string): Installation | undefined {
    return this.readInstallation(installationId) ?? undefined;
  }

  /** Stores an installation as the earlier format did, its last poll on the installation item. */
  putLegacyLastPoll(installationId: string, lastPollAt: string): void {
    const installation = this.installations.get(installationId);
    if (!installation) throw new Error(`arrange: installation ${installationId} does not exist`);
    this.installations.set(installationId, { ...installation, lastPollAt });
  }

  auditOf(accountId: string): AuditEvent[] {
    return this.snapshot().audit.filter((e) => e.accountId === accountId);
  }

  appliedCommits(method: CommitMethod): number {
    return this.commits.filter((c) => c.method === method && c.outcome === 'applied').length;
  }

  // ---- reads (copies, so a caller never holds live state) -----------------------------------

  async getAccountState(accountId: string): Promise<AccountState | null> {
    const account = this.accounts.get(accountId);
    if (!account) return null;
    // a query returns items in sort-key order: ENT#<product>#…, INST#<id>, PROD#<product>
    return {
      account: copy(account),
      pools: sortedValues(this.pools.get(accountId)),
      entitlements: sortedValues(this.entitlements.get(accountId)),
      installations: sortedValues(this.summaries.get(accountId)),
    };
  }

  async getOrder(orderId: string): Promise<OrderRecord | null> {
    const order = this.orders.get(orderId);
    return order ? copy(order) : null;
  }

  async getActivationKey(keyHash: string): Promise<ActivationKeyRecord | null> {
    const stored = this.keys.get(keyHash);
    if (!stored) return null;
    // the adapter parses the item with a schema that does not know usedAt
    const { usedAt: _usedAt, ...record } = copy(stored);
    return record;
  }

  /** Test hook for the key list's fake store (memory-activation-key-store.ts): the revocation's mark on the key. */
  markKeyRevoked(keyHash: string, revokedAt: string): void {
    const stored = this.keys.get(keyHash);
    if (stored) this.keys.set(keyHash, { ...stored, revokedAt });
  }

  /** the keys as stored, with when each was used (the key list's fake store reads them) */
  storedKeys(): (ActivationKeyRecord & { usedAt?: string })[] {
    return [...this.keys.values()].map((k) => copy(k));
  }

  /** installations an eventually consistent read does not see yet: a replica behind their activation */
  readonly notYetReplicated = new Set<string>();

  async getInstallation(
    installationId: string,
    options: { consistentRead?: boolean } = {},
  ): Promise<Installation | null> {
    const consistentRead = options.consistentRead ?? true;
    this.installationReads.push({ installationId, consistentRead });
    if (!consistentRead && this.notYetReplicated.has(installationId)) return null;
    return this.readInstallation(installationId);
  }

  /** installations without a copy of their account's terms (activated before copies were kept) */
  readonly withoutAccountView = new Set<string>();

  /** The copies are kept at once here: the terms as the account has them now. */
  async getInstallationWithTerms(
    installationId: string,
    options: { consistentRead?: boolean } = {},
  ): Promise<{ installation: Installation; terms?: AccountTerms } | null> {
    const installation = await this.getInstallation(installationId, options);
    if (!installation) return null;
    const account = this.accounts.get(installation.accountId);
    if (!account || this.withoutAccountView.has(installationId)) return { installation };
    return { installation, terms: this.termsOf(account) };
  }

  /** Nothing is ever owed here: copies are kept with the commit. */
  async repairAccountViews(): Promise<{ accounts: number; left: number }> {
    return { accounts: 0, left: 0 };
  }

  private termsOf(account: SmartAccount): AccountTerms {
    return {
      termsRev: account.termsRev,
      telemetryEnabled: account.telemetryEnabled,
      ...(account.closure && { closedAt: account.closure.closedAt }),
    };
  }

  async getAccountTerms(accountId: string, options: { consistentRead?: boolean } = {}): Promise<AccountTerms | null> {
    this.accountTermsReads.push({ accountId, consistentRead: options.consistentRead ?? true });
    const account = this.accounts.get(accountId);
    return account ? this.termsOf(account) : null;
  }

  /** The installation item with its last-poll item, which wins over a last poll stored the earlier way. */
  private readInstallation(installationId: string): Installation | null {
    const installation = this.installations.get(installationId);
    if (!installation) return null;
    const lastPollAt = this.lastPolls.get(installationId) ?? installation.lastPollAt;
    return copy({ ...installation, ...(lastPollAt ? { lastPollAt } : {}) });
  }

  async getLastPolls(installationIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const found = installationIds.flatMap((id) => {
      const at = this.lastPolls.get(id) ?? this.installations.get(id)?.lastPollAt;
      return at ? [[id, at] as const] : [];
    });
    return new Map(found);
  }

  async findInstallationIdByThumbprint(thumbprint: string): Promise<string | null> {
    return this.thumbprints.get(thumbprint) ?? null;
  }

  // ---- commits ------------------------------------------------------------------------------

  async getAccountIdOfOwner(sub: string): Promise<string | null> {
    return this.owners.get(sub) ?? null;
  }

  async commitAccountCreation(input: AccountCreationCommit): Promise<void> {
    await this.transact('commitAccountCreation', () => {
      const c = copy(input);
      const accountId = c.record.accountId;
      return [
        this.putNew(`OWNER#${c.ownerSub}`, 'account-exists', this.owners.has(c.ownerSub), () =>
          this.owners.set(c.ownerSub, accountId),
        ),
        this.putNew(`ACC#${accountId}/META`, 'stale', this.accounts.has(accountId), () =>
          this.accounts.set(accountId, c.record),
        ),
        this.audit(c.audit),
      ];
    });
  }

  async commitOrder(input: OrderCommit): Promise<void> {
    await this.transact('commitOrder', () => {
      const c = copy(input);
      const accountId = c.order.accountId;
      const items: TransactItem[] = [
        this.putNew(`ORDER#${c.order.orderId}`, 'order-exists', this.orders.has(c.order.orderId), () =>
          this.orders.set(c.order.orderId, c.order),
        ),
      ];
      if (c.account.kind === 'create') {
        const record = c.account.record;
        items.push(
          this.putNew(`ACC#${accountId}/META`, 'stale', this.accounts.has(accountId), () =>
            this.accounts.set(accountId, record),
          ),
        );
        const resellerId = record.resellerId;
        if (resellerId) {
          const exists = this.resellerCustomers.get(resellerId)?.has(accountId) ?? false;
          items.push(
            this.putNew(`RES#${resellerId}/ACC#${accountId}`, 'stale', exists, () =>
              this.innerMap(this.resellerCustomers, resellerId).set(accountId, {
                accountId,
                name: record.name,
                region: record.region,
              }),
            ),
          );
        }
      } else {
        const expected = c.account;
        items.push({
          key: `ACC#${accountId}/META`,
          reason: 'stale',
          condition: () => {
            const account = this.accounts.get(accountId);
            return (
              account !== undefined &&
              account.installSeq === expected.expectedInstallSeq &&
              account.termsRev === expected.expectedTermsRev
            );
          },
          apply: () => {
            const account = this.accounts.get(accountId)!;
            this.accounts.set(accountId, { ...account, termsRev: account.termsRev + 1 });
          },
        });
      }
      // one item per product and order, as the adapter stores an order's lines of a product
      for (const product of new Set(c.entitlements.map((e) => e.product))) {
        const lines = c.entitlements.filter((e) => e.product === product);
        const taken = lines.some((e) => this.entitlements.get(accountId)?.has(`${product}#${e.entitlementId}`));
        items.push(
          this.putNew(`ACC#${accountId}/ENT#${product}#${c.order.orderId}`, 'stale', taken, () => {
            const stored = this.innerMap(this.entitlements, accountId);
            for (const e of lines) stored.set(`${product}#${e.entitlementId}`, e);
          }),
        );
      }
      for (const deposit of c.pools) {
        items.push({
          key: `ACC#${accountId}/PROD#${deposit.product}`,
          reason: 'stale',
          condition: () => true,
          apply: () => {
            const pools = this.innerMap(this.pools, accountId);
            const pool = pools.get(deposit.product);
            pools.set(deposit.product, {
              product: deposit.product,
              allocated: (pool?.allocated ?? 0) + deposit.addAllocated,
              entitlementsRev: (pool?.entitlementsRev ?? 0) + 1,
            });
          },
        });
      }
      const grant = c.followerGrant;
      if (grant) {
        items.push(
          {
            key: `INST#${grant.installationId}/META`,
            reason: 'stale',
            condition: () => this.installations.get(grant.installationId)?.status === 'active',
            apply: () => {
              const installation = this.installations.get(grant.installationId)!;
              this.installations.set(grant.installationId, {
                ...installation,
                allocation: addToAllocation(installation.allocation, grant.add),
                rev: installation.rev + 1,
              });
            },
          },
          {
            key: `ACC#${accountId}/INST#${grant.installationId}`,
            reason: 'stale',
            condition: () => true,
            apply: () => {
              const summaries = this.innerMap(this.summaries, accountId);
              const summary = summaries.get(grant.installationId);
              // DynamoDB refuses SET allocation.<p> on an item without that map; the adapter never asks it
              if (!summary) throw new Error(`ValidationException: no summary of ${grant.installationId} to grant to`);
              summaries.set(grant.installationId, {
                ...summary,
                allocation: addToAllocation(summary.allocation, grant.add),
              });
            },
          },
        );
      }
      items.push(this.audit(c.audit));
      return items;
    });
  }

  async putActivationKey(record: ActivationKeyRecord, audit: AuditEvent): Promise<void> {
    await this.transact('putActivationKey', () => {
      const stored = copy(record);
      return [
        this.putNew(`AKEY#${stored.keyHash}`, 'stale', this.keys.has(stored.keyHash), () =>
          this.keys.set(stored.keyHash, stored),
        ),
        this.audit(copy(audit)),
      ];
    });
  }

  async commitActivation(input: ActivationCommit): Promise<void> {
    await this.transact('commitActivation', () => {
      const c = copy(input);
      const inst = c.installation;
      const items: TransactItem[] = [
        {
          key: `AKEY#${c.keyHash}/META`,
          reason: 'key-unavailable',
          // ISO strings compared as strings, as the condition `expiresAt > :now` does
          condition: () => {
            const key = this.keys.get(c.keyHash);
            return key !== undefined && key.usedBy === undefined && !key.revokedAt && key.expiresAt > c.now;
          },
          apply: () => {
            const key = this.keys.get(c.keyHash)!;
            this.keys.set(c.keyHash, { ...key, usedBy: inst.installationId, usedAt: c.now });
          },
        },
      ];
      for (const [product, quantity = 0] of Object.entries(inst.allocation) as [Product, number | undefined][]) {
        items.push(
          this.allocate(
            inst.accountId,
            product,
            quantity,
            c.capacity.find((check) => check.product === product),
          ),
        );
      }
      items.push(
        {
          key: `ACC#${inst.accountId}/META`,
          reason: 'stale',
          condition: () => {
            const account = this.accounts.get(inst.accountId);
            return (
              account !== undefined &&
              account.termsRev === c.expectedTermsRev &&
              (!c.becomeFollower || account.followerInstallationId === undefined)
            );
          },
          apply: () => {
            const account = this.accounts.get(inst.accountId)!;
            this.accounts.set(inst.accountId, {
              ...account,
              installSeq: account.installSeq + 1,
              ...(c.becomeFollower ? { followerInstallationId: inst.installationId } : {}),
            });
          },
        },
        this.putNew(`INST#${inst.installationId}/META`, 'stale', this.installations.has(inst.installationId), () =>
          this.installations.set(inst.installationId, inst),
        ),
        this.putNew(
          `ACC#${inst.accountId}/INST#${inst.installationId}`,
          'stale',
          this.summaries.get(inst.accountId)?.has(inst.installationId) ?? false,
          () => this.innerMap(this.summaries, inst.accountId).set(inst.installationId, summaryOf(inst)),
        ),
        this.putNew(`THUMB#${inst.thumbprint}/META`, 'installation-exists', this.thumbprints.has(inst.thumbprint), () =>
          this.thumbprints.set(inst.thumbprint, inst.installationId),
        ),
        this.audit(c.audit),
      );
      return items;
    });
  }

  async commitDeactivation(input: DeactivationCommit): Promise<void> {
    await this.transact('commitDeactivation', () => {
      const c = copy(input);
      const inst = c.installation;
      const items: TransactItem[] = [
        this.activeInstallationAtRev(inst, (stored) => ({ ...stored, status: 'deactivated', deactivatedAt: c.now })),
        {
          key: `ACC#${inst.accountId}/INST#${inst.installationId}`,
          reason: 'stale',
          condition: () => true,
          apply: () => {
            const summaries = this.innerMap(this.summaries, inst.accountId);
            const summary = summaries.get(inst.installationId);
            if (!summary) throw new Error(`invariant: installation ${inst.installationId} has no account summary`);
            summaries.set(inst.installationId, { ...summary, status: 'deactivated', deactivatedAt: c.now });
          },
        },
      ];
      // what the caller read goes back: the rev condition above makes sure it is still what is allocated
      for (const [product, quantity = 0] of Object.entries(inst.allocation) as [Product, number | undefined][]) {
        items.push({
          key: `ACC#${inst.accountId}/PROD#${product}`,
          reason: 'stale',
          condition: () => true,
          apply: () => {
            const pools = this.innerMap(this.pools, inst.accountId);
            const pool = pools.get(product);
            if (!pool) throw new Error(`invariant: account ${inst.accountId} has no ${product} pool to release to`);
            pools.set(product, { ...pool, allocated: pool.allocated - quantity });
          },
        });
      }
      items.push(
        c.clearFollower
          ? {
              key: `ACC#${inst.accountId}/META`,
              reason: 'stale',
              condition: () => this.accounts.get(inst.accountId)?.followerInstallationId === inst.installationId,
              apply: () => {
                const { followerInstallationId: _cleared, ...account } = this.accounts.get(inst.accountId)!;
                this.accounts.set(inst.accountId, { ...account, termsRev: account.termsRev + 1 });
              },
            }
          : this.bumpTermsRev(inst.accountId),
        this.audit(c.audit),
      );
      return items;
    });
  }

  async commitAllocationChange(input: AllocationChangeCommit): Promise<void> {
    await this.transact('commitAllocationChange', () => {
      const c = copy(input);
      const inst = c.installation;
      const items: TransactItem[] = [
        this.activeInstallationAtRev(inst, (stored) => ({ ...stored, allocation: c.allocation })),
        {
          key: `ACC#${inst.accountId}/INST#${inst.installationId}`,
          reason: 'stale',
          condition: () => this.summaries.get(inst.accountId)?.has(inst.installationId) ?? false,
          apply: () => {
            const summaries = this.innerMap(this.summaries, inst.accountId);
            summaries.set(inst.installationId, { ...summaries.get(inst.installationId)!, allocation: c.allocation });
          },
        },
      ];
      for (const take of c.pools) {
        const { product } = take;
        items.push(
          take.take > 0
            ? { ...this.allocate(inst.accountId, product, take.take, take), subject: product }
            : {
                key: `ACC#${inst.accountId}/PROD#${product}`,
                // giving back: `attribute_exists(pk)`
                reason: 'stale',
                condition: () => this.pools.get(inst.accountId)?.has(product) ?? false,
                apply: () => {
                  const pools = this.innerMap(this.pools, inst.accountId);
                  const pool = pools.get(product)!;
                  pools.set(product, { ...pool, allocated: pool.allocated + take.take });
                },
              },
        );
      }
      items.push(this.bumpTermsRev(inst.accountId), this.audit(c.audit));
      return items;
    });
  }

  async commitTelemetryOverride(input: TelemetryOverrideCommit): Promise<void> {
    await this.transact('commitTelemetryOverride', () => {
      const c = copy(input);
      return [
        this.activeInstallationAtRev(c.installation, ({ telemetryOverride: _ended, ...stored }) =>
          c.override ? { ...stored, telemetryOverride: c.override } : stored,
        ),
        this.audit(c.audit),
      ];
    });
  }

  async commitTelemetrySwitch(input: TelemetrySwitchCommit): Promise<void> {
    await this.transact('commitTelemetrySwitch', () => {
      const c = copy(input);
      return [
        {
          key: `ACC#${c.accountId}/META`,
          reason: 'stale',
          condition: () => {
            const account = this.accounts.get(c.accountId);
            return (
              account !== undefined &&
              account.installSeq === c.expectedInstallSeq &&
              account.termsRev === c.expectedTermsRev
            );
          },
          apply: () => {
            const account = this.accounts.get(c.accountId)!;
            this.accounts.set(c.accountId, {
              ...account,
              telemetryEnabled: c.enabled,
              termsRev: account.termsRev + 1,
            });
          },
        },
        this.audit(c.audit),
      ];
    });
  }

  async storeLicense(installationId: string, license: StoredLicense, expectedRev: number): Promise<boolean> {
    const installation = this.installations.get(installationId);
    // the adapter's `#rev = :rev AND #license.#ver <= :ver`, and no licence built from older account terms
    // over one built from newer (`basedOnAccountRev`, when the new licence names one)
    const olderTerms =
      license.basedOnAccountRev !== undefined &&
      installation?.license.basedOnAccountRev !== undefined &&
      installation.license.basedOnAccountRev > license.basedOnAccountRev;
    const stored =
      installation !== undefined &&
      installation.rev === expectedRev &&
      installation.license.ver <= license.ver &&
      !olderTerms;
    if (stored) this.installations.set(installationId, { ...installation, license: copy(license) });
    this.licenseStores.push({ installationId, ver: license.ver, stored });
    return stored;
  }

  async recordPoll(installationId: string, at: string, olderThan: string): Promise<boolean> {
    if (this.recordPollFailure) throw this.recordPollFailure;
    // The last-poll item alone, as the adapter's conditional write sees it; ISO strings compared
    // as strings, as the condition `lastPollAt < :olderThan` does.
    const last = this.lastPolls.get(installationId);
    const written = last === undefined || last < olderThan;
    if (written) this.lastPolls.set(installationId, at);
    this.pollRecords.push({ installationId, at, written });
    return written;
  }

  // ---- transaction machinery ----------------------------------------------------------------

  private async transact(method: CommitMethod, build: () => TransactItem[]): Promise<void> {
    const hook = this.take(this.hooks, method);
    if (hook) await hook.action();
    const injected = this.take(this.injected, method);
    if (injected) {
      this.commits.push({ method, outcome: injected.reason });
      throw new CommitRejected(injected.reason);
    }

    const items = build();
    if (items.length > MAX_TRANSACT_ITEMS) {
      throw new Error(
        `ValidationException: a transaction holds at most ${MAX_TRANSACT_ITEMS} items, not ${items.length}`,
      );
    }
    const seen = new Set<string>();
    for (const item of items) {
      if (seen.has(item.key)) {
        throw new Error(
          `ValidationException: transaction request cannot include multiple operations on one item (${item.key})`,
        );
      }
      seen.add(item.key);
    }
    // every condition against the state before the transaction, the first failure reported
    const failed = items.find((item) => !item.condition());
    if (failed) {
      const reason = failed.refusal?.() ?? failed.reason;
      this.commits.push({ method, outcome: reason });
      throw new CommitRejected(reason, reason === 'capacity' ? failed.subject : undefined);
    }
    for (const item of items) item.apply();
    this.commits.push({ method, outcome: 'applied' });
  }

  private take<T extends { method?: CommitMethod }>(queue: T[], method: CommitMethod): T | undefined {
    const index = queue.findIndex((entry) => entry.method === undefined || entry.method === method);
    return index >= 0 ? queue.splice(index, 1)[0] : undefined;
  }

  /** A Put with `attribute_not_exists(pk)`. */
  private putNew(key: string, reason: RejectReason, exists: boolean, apply: () => void): TransactItem {
    return { key, reason, condition: () => !exists, apply };
  }

  /** The adapter's `ADD #termsRev :one` on the account item, which must exist. */
  private bumpTermsRev(accountId: string): TransactItem {
    return {
      key: `ACC#${accountId}/META`,
      reason: 'stale',
      condition: () => this.accounts.has(accountId),
      apply: () => {
        const account = this.accounts.get(accountId)!;
        this.accounts.set(accountId, { ...account, termsRev: account.termsRev + 1 });
      },
    };
  }

  /** An unconditional Put: the same event id again overwrites. */
  /**
   * The installation item changed only while it is active at the rev the caller read (the
   * adapter's `#status = :active AND #rev = :rev`); the change bumps rev.
   */
  private activeInstallationAtRev(inst: Installation, change: (stored: Installation) => Installation): TransactItem {
    return {
      key: `INST#${inst.installationId}/META`,
      reason: 'stale',
      condition: () => {
        const stored = this.installations.get(inst.installationId);
        return stored !== undefined && stored.status === 'active' && stored.rev === inst.rev;
      },
      apply: () => {
        const stored = this.installations.get(inst.installationId)!;
        this.installations.set(inst.installationId, { ...change(stored), rev: stored.rev + 1 });
      },
    };
  }

  /**
   * Allocates `quantity` more of a product within the capacity the commit names, from entitlements
   * still at the rev read (the adapter's `allocated <= :capacity − :q AND entitlementsRev = :rev`).
   */
  private allocate(
    accountId: string,
    product: Product,
    quantity: number,
    check: CapacityCheck | undefined,
  ): TransactItem {
    const pool = () => this.pools.get(accountId)?.get(product);
    return {
      key: `ACC#${accountId}/PROD#${product}`,
      reason: 'capacity',
      refusal: () => {
        const stored = pool();
        return stored !== undefined && stored.entitlementsRev !== check?.entitlementsRev ? 'stale' : 'capacity';
      },
      condition: () => {
        const stored = pool();
        return (
          stored !== undefined &&
          check !== undefined &&
          stored.entitlementsRev === check.entitlementsRev &&
          stored.allocated + quantity <= check.capacity
        );
      },
      apply: () => {
        const stored = pool()!;
        this.innerMap(this.pools, accountId).set(product, { ...stored, allocated: stored.allocated + quantity });
      },
    };
  }

  private audit(event: AuditEvent): TransactItem {
    const key = `AUDIT#${event.accountId}/${event.at}#${event.eventId}`;
    return { key, reason: 'stale', condition: () => true, apply: () => this.auditTrail.set(key, event) };
  }

  private innerMap<T>(outer: Map<string, Map<string, T>>, key: string): Map<string, T> {
    let inner = outer.get(key);
    if (!inner) {
      inner = new Map();
      outer.set(key, inner);
    }
    return inner;
  }
}

function summaryOf(i: Installation): InstallationSummary {
  return {
    installationId: i.installationId,
    status: i.status,
    allocation: i.allocation,
    nodes: i.nodes,
    suiteVersion: i.suiteVersion,
    activatedAt: i.activatedAt,
    ...(i.deactivatedAt ? { deactivatedAt: i.deactivatedAt } : {}),
  };
}

/**
 * Small factories for the licensing repository contracts: records and commits as the use cases
 * build them, with ids from the world's generator and times from its clock, and arrange steps
 * that go through the port only (so they work on every implementation).
 */
import type { AuditLogReader } from '#lambdas/core/licensing/list-audit-events';
import type { Allocation, Product } from '#lambdas/core/licensing/catalogue';
import { capacityAt, capacityChecks } from '#lambdas/core/licensing/entitlements';
import type {
  ActivationKeyRecord,
  AuditEvent,
  Entitlement,
  Installation,
  SmartAccount,
  StoredLicense,
} from '#lambdas/core/licensing/model';
import {
  CommitRejected,
  type ActivationCommit,
  type AllocationChangeCommit,
  type CapacityCheck,
  type DeactivationCommit,
  type LicensingRepository,
  type OrderCommit,
  type PoolDeposit,
  type TelemetrySwitchCommit,
} from '#lambdas/core/licensing/repository';
import { DAY_MS, type FixedClock, type SequentialIds } from '#test/support/licensing-fixtures';

/** What a contract is run against: the repository, and the audit log that reads what its commits write. */
export interface LicensingStore {
  readonly repository: LicensingRepository;
  readonly auditLog: AuditLogReader;
}

export interface ContractWorld extends LicensingStore {
  readonly clock: FixedClock;
  readonly ids: SequentialIds;
}

const now = (world: ContractWorld) => world.clock.now().toISOString();

export function auditEvent(world: ContractWorld, accountId: string, action: string, details = {}): AuditEvent {
  return {
    accountId,
    at: now(world),
    eventId: world.ids.id('evt_'),
    actor: { kind: 'backoffice', id: 'sub-backoffice-1' },
    action,
    details,
  };
}

/** An entitlement as a deposit makes it (perpetual from now on unless told), with an id of its own. */
export function entitlementOf(
  world: ContractWorld,
  product: Product,
  quantity: number,
  more: Partial<Entitlement> = {},
): Entitlement {
  return {
    entitlementId: `${world.ids.id('PO-')}#01`,
    product,
    kind: 'perpetual',
    quantity,
    startsAt: now(world),
    ...more,
  };
}

/** One pool deposit per product the entitlements name; `grant` is what a follower is given of each. */
export function poolsOf(entitlements: readonly Entitlement[], grant: Allocation = {}): PoolDeposit[] {
  return [...new Set(entitlements.map((e) => e.product))].map((product) => ({
    product,
    addAllocated: grant[product] ?? 0,
  }));
}

export function accountRecord(world: ContractWorld, overrides: Partial<SmartAccount> = {}): SmartAccount {
  return {
    accountId: world.ids.id('acc_'),
    name: 'Fabrikam Hospital',
    region: 'eu',
    telemetryEnabled: true,
    termsRev: 1,
    installSeq: 0,
    createdAt: now(world),
    ...overrides,
  };
}

/** The commit of an order that creates `account` with `entitlements`. */
export function newAccountOrder(
  world: ContractWorld,
  account: SmartAccount,
  entitlements: readonly Entitlement[],
  orderId = world.ids.id('PO-'),
): OrderCommit {
  return {
    order: orderRecord(world, orderId, account.accountId),
    account: { kind: 'create', record: account },
    entitlements,
    pools: poolsOf(entitlements),
    audit: auditEvent(world, account.accountId, 'order.deposited', { orderId }),
  };
}

/** The commit of an order for an existing account, read at `account`'s installSeq and termsRev. */
export function existingAccountOrder(
  world: ContractWorld,
  account: SmartAccount,
  entitlements: readonly Entitlement[],
  more: Partial<OrderCommit> = {},
): OrderCommit {
  const orderId = world.ids.id('PO-');
  return {
    order: orderRecord(world, orderId, account.accountId),
    account: {
      kind: 'existing',
      accountId: account.accountId,
      expectedInstallSeq: account.installSeq,
      expectedTermsRev: account.termsRev,
    },
    entitlements,
    pools: poolsOf(entitlements),
    audit: auditEvent(world, account.accountId, 'order.deposited', { orderId }),
    ...more,
  };
}

function orderRecord(world: ContractWorld, orderId: string, accountId: string) {
  return { orderId, bodyHash: `hash-of-${orderId}`, accountId, result: { orderId, accountId }, createdAt: now(world) };
}

export function activationKeyRecord(
  world: ContractWorld,
  accountId: string,
  allocation: Allocation,
  overrides: Partial<ActivationKeyRecord> = {},
): ActivationKeyRecord {
  return {
    keyHash: world.ids.id('keyhash-'),
    accountId,
    allocation,
    followsPool: false,
    expiresAt: new Date(world.clock.now().getTime() + 30 * DAY_MS).toISOString(),
    createdAt: now(world),
    ...overrides,
  };
}

export function licenseOf(ver: number, basedOnRev: number): StoredLicense {
  return {
    jws: `header.payload-v${ver}.signature`,
    etag: `"etag-v${ver}"`,
    ver,
    contentHash: `content-v${ver}`,
    exp: 1_900_000_000 + ver,
    basedOnRev,
  };
}

/** A new installation as an activation builds it, with a public key and thumbprint of its own. */
export function installationRecord(
  world: ContractWorld,
  key: Pick<ActivationKeyRecord, 'accountId' | 'allocation' | 'keyHash'>,
  overrides: Partial<Installation> = {},
): Installation {
  const installationId = world.ids.id('inst_');
  return {
    installationId,
    accountId: key.accountId,
    region: 'eu',
    publicKey: { kty: 'OKP', crv: 'Ed25519', x: `x-${installationId}`.padEnd(43, 'A') },
    thumbprint: `thumb-${installationId}`,
    activationKeyHash: key.keyHash,
    nodes: ['ucx-node-a', 'ucx-node-b'],
    suiteVersion: '14.2.1',
    status: 'active',
    allocation: key.allocation,
    telemetryEnabled: true,
    rev: 0,
    license: licenseOf(1, 0),
    activatedAt: now(world),
    ...overrides,
  };
}

/** The refusal a commit ended with; fails when it went through or threw anything else. */
export async function refusalOf(commit: Promise<unknown>): Promise<CommitRejected> {
  try {
    await commit;
  } catch (error) {
    if (error instanceof CommitRejected) return error;
    throw error;
  }
  throw new Error('expected the commit to be refused with CommitRejected, but it went through');
}

// ---- arranging through the port ---------------------------------------------------------------

export async function givenAccount(
  world: ContractWorld,
  entitlements: readonly Entitlement[] = [entitlementOf(world, 'attendant-console', 10)],
  overrides: Partial<SmartAccount> = {},
): Promise<SmartAccount> {
  const account = accountRecord(world, overrides);
  await world.repository.commitOrder(newAccountOrder(world, account, entitlements));
  return account;
}

/** What allocating commits check, from the account as stored now, at the world's instant. */
export async function checksNow(world: ContractWorld, accountId: string, products: readonly Product[]) {
  const state = await world.repository.getAccountState(accountId);
  return capacityChecks(state ?? { pools: [], entitlements: [] }, products, world.clock.now().getTime());
}

/** A product's capacity at the world's instant, from the entitlements as stored. */
export async function capacityNow(world: ContractWorld, accountId: string, product: Product): Promise<number> {
  const state = await world.repository.getAccountState(accountId);
  return capacityAt(state?.entitlements ?? [], product, world.clock.now().getTime());
}

/** The account as stored now (it moves on with every activation and terms change). */
export async function accountNow(world: ContractWorld, accountId: string): Promise<SmartAccount> {
  const state = await world.repository.getAccountState(accountId);
  if (!state) throw new Error(`arrange: account ${accountId} does not exist`);
  return state.account;
}

export async function givenKey(
  world: ContractWorld,
  accountId: string,
  allocation: Allocation,
  overrides: Partial<ActivationKeyRecord> = {},
): Promise<ActivationKeyRecord> {
  const key = activationKeyRecord(world, accountId, allocation, overrides);
  await world.repository.putActivationKey(key, auditEvent(world, accountId, 'activation-key.created'));
  return key;
}

/**
 * The commit of activating `installation` with `key`, read at the account's current termsRev, its
 * capacity checked as the entitlements stored now give it (unless `capacity` names other checks).
 */
export async function activationOf(
  world: ContractWorld,
  key: Pick<ActivationKeyRecord, 'keyHash'>,
  installation: Installation,
  options: { becomeFollower?: boolean; expectedTermsRev?: number; capacity?: readonly CapacityCheck[] } = {},
): Promise<ActivationCommit> {
  const account = await accountNow(world, installation.accountId);
  return {
    keyHash: key.keyHash,
    installation,
    expectedTermsRev: options.expectedTermsRev ?? account.termsRev,
    capacity:
      options.capacity ??
      (await checksNow(world, installation.accountId, Object.keys(installation.allocation) as Product[])),
    becomeFollower: options.becomeFollower ?? false,
    now: now(world),
    audit: auditEvent(world, installation.accountId, 'installation.activated', {
      installationId: installation.installationId,
    }),
  };
}

/** Issues a key for `allocation` and activates a new installation with it; returns it as stored. */
export async function givenInstallation(
  world: ContractWorld,
  accountId: string,
  allocation: Allocation,
  options: { becomeFollower?: boolean } = {},
): Promise<Installation> {
  const key = await givenKey(world, accountId, allocation, { followsPool: options.becomeFollower ?? false });
  const installation = installationRecord(world, key);
  await world.repository.commitActivation(await activationOf(world, key, installation, options));
  return installationNow(world, installation.installationId);
}

export async function installationNow(world: ContractWorld, installationId: string): Promise<Installation> {
  const installation = await world.repository.getInstallation(installationId);
  if (!installation) throw new Error(`arrange: installation ${installationId} does not exist`);
  return installation;
}

export async function poolNow(world: ContractWorld, accountId: string, product: Product) {
  const state = await world.repository.getAccountState(accountId);
  return state?.pools.find((pool) => pool.product === product);
}

/** Each pool with its capacity at the world's instant and what is free of it, by product. */
export async function standingsNow(world: ContractWorld, accountId: string) {
  const state = await world.repository.getAccountState(accountId);
  const t = world.clock.now().getTime();
  return (state?.pools ?? []).map((pool) => {
    const capacity = capacityAt(state?.entitlements ?? [], pool.product, t);
    return { product: pool.product, capacity, allocated: pool.allocated, free: capacity - pool.allocated };
  });
}

export async function standingNow(world: ContractWorld, accountId: string, product: Product) {
  return (await standingsNow(world, accountId)).find((standing) => standing.product === product);
}

/** The account's audit actions as the audit log reads them, oldest first. */
export async function auditActions(world: ContractWorld, accountId: string): Promise<string[]> {
  const { events } = await world.auditLog.auditEvents(accountId, { limit: 1000 });
  return events.map((event) => event.action).reverse();
}

// ---- commits of changes, as read ----------------------------------------------------------------

export function deactivationOf(
  world: ContractWorld,
  installation: Installation,
  options: { clearFollower?: boolean } = {},
): DeactivationCommit {
  return {
    installation,
    clearFollower: options.clearFollower ?? false,
    now: now(world),
    audit: auditEvent(world, installation.accountId, 'installation.deactivated', {
      installationId: installation.installationId,
    }),
  };
}

/** The commit of changing `installation`'s allocation, its capacity checked as the entitlements stored now give it. */
export async function allocationChangeOf(
  world: ContractWorld,
  installation: Installation,
  allocation: Allocation,
): Promise<AllocationChangeCommit> {
  const products = [...new Set([...Object.keys(installation.allocation), ...Object.keys(allocation)] as Product[])];
  const checks = await checksNow(world, installation.accountId, products);
  const pools = checks
    .map((check) => ({
      ...check,
      take: (allocation[check.product] ?? 0) - (installation.allocation[check.product] ?? 0),
    }))
    .filter(({ take }) => take !== 0);
  return {
    installation,
    allocation,
    pools,
    audit: auditEvent(world, installation.accountId, 'installation.allocation-changed', {
      installationId: installation.installationId,
    }),
  };
}

export function telemetrySwitchOf(
  world: ContractWorld,
  account: SmartAccount,
  enabled: boolean,
): TelemetrySwitchCommit {
  return {
    accountId: account.accountId,
    enabled,
    expectedInstallSeq: account.installSeq,
    expectedTermsRev: account.termsRev,
    audit: auditEvent(world, account.accountId, enabled ? 'telemetry.enabled' : 'telemetry.disabled'),
  };
}

/**
 * The licensing store port. Reads are plain; every change is one atomic commit whose conditions
 * (not a read before it) enforce the invariants: allocated ≤ capacity, single-use keys, one
 * order per id. A commit refused by a condition throws CommitRejected naming the reason.
 *
 * Capacity depends on time, so the store does not keep it: a commit that allocates carries the
 * capacity its use case computed from the entitlements it read (`capacityAt`, at the commit's
 * instant) and the pool's `entitlementsRev` as read; the pool refuses the commit when the
 * allocation would exceed that capacity ('capacity') or its entitlements changed since ('stale').
 *
 * A change every licence of an account depends on (a deposit, the telemetry switch, an installation
 * leaving or changing its allocation, which moves the entitlements backing the others) bumps the
 * account's `termsRev` once; no commit touches every installation. A stored licence records the
 * `termsRev` it was built from. The store may keep a copy of the account's terms beside each
 * installation, kept after the commit (getInstallationWithTerms), so that a signed request reads one
 * place; where it has none, the request reads the account's.
 */
import type { Allocation, Product } from './catalogue';
import type {
  AccountState,
  ActivationKeyRecord,
  AuditEvent,
  Entitlement,
  Installation,
  InstallationSummary,
  SmartAccount,
  StoredLicense,
  TelemetryOverride,
} from './model';

export type RejectReason =
  /** the order id is already taken */
  | 'order-exists'
  /** the activation key is used, expired or gone */
  | 'key-unavailable'
  /** a pool would hold more allocated than the capacity the commit names */
  | 'capacity'
  /** the public key is already bound to an installation */
  | 'installation-exists'
  /** something read before the commit changed meanwhile (or a transaction conflict): read again and retry */
  | 'stale'
  /** the person already created a Smart Account (AccountCreationCommit) */
  | 'account-exists';

export class CommitRejected extends Error {
  constructor(
    readonly reason: RejectReason,
    /** what the refused condition was about, where one commit checks several of a kind (the product of a 'capacity') */
    readonly subject?: string,
  ) {
    super(`commit rejected: ${reason}${subject ? ` (${subject})` : ''}`);
    this.name = 'CommitRejected';
  }
}

export interface OrderRecord {
  readonly orderId: string;
  readonly bodyHash: string;
  readonly accountId: string;
  readonly result: Record<string, unknown>;
  readonly createdAt: string;
}

/** A product an order deposits into: its pool's entitlement set changes (rev + 1), a follower may be granted some. */
export interface PoolDeposit {
  readonly product: Product;
  /** what the follower installation is granted of it now */
  readonly addAllocated: number;
}

/** What an allocating commit may take a product's pool up to: computed from the entitlements read. */
export interface CapacityCheck {
  readonly product: Product;
  /** the product's capacity at the commit's instant */
  readonly capacity: number;
  /** the pool's entitlementsRev the capacity was computed from (0: no pool, or one deposited before revs) */
  readonly entitlementsRev: number;
}

export interface OrderCommit {
  readonly order: OrderRecord;
  readonly account:
    | { readonly kind: 'create'; readonly record: SmartAccount }
    | {
        readonly kind: 'existing';
        readonly accountId: string;
        readonly expectedInstallSeq: number;
        readonly expectedTermsRev: number;
      };
  /** every line of the order, each an entitlement of its own */
  readonly entitlements: readonly Entitlement[];
  /** one per product the order names */
  readonly pools: readonly PoolDeposit[];
  /** capacity granted to the follower installation (activated with a default key): its rev is bumped */
  readonly followerGrant?: { readonly installationId: string; readonly add: Allocation };
  readonly audit: AuditEvent;
}

export interface ActivationCommit {
  readonly keyHash: string;
  /** the key's listing to mark used, when the key has one (ActivationKeyRecord.keyId) */
  readonly keyId?: string;
  readonly installation: Installation;
  readonly expectedTermsRev: number;
  /** one per product of the installation's allocation */
  readonly capacity: readonly CapacityCheck[];
  /** become the account's follower installation (only if it has none) */
  readonly becomeFollower: boolean;
  readonly now: string;
  readonly audit: AuditEvent;
}

/** Bumps the account's termsRev too: the installations allocated after this one are backed differently now. */
export interface DeactivationCommit {
  readonly installation: Installation;
  readonly clearFollower: boolean;
  readonly now: string;
  readonly audit: AuditEvent;
  /** one of a run of changes to the account: its installations get the new terms once, after the run (repairAccountViews) */
  readonly deferTermsCopy?: boolean;
}

/**
 * One product of an allocation change: `take` > 0 allocates more, within `capacity` as the
 * entitlements at `entitlementsRev` give it; < 0 gives back (the check is then not asked).
 */
export interface PoolTake extends CapacityCheck {
  readonly take: number;
}

/** Bumps the account's termsRev too: the installations allocated after this one are backed differently now. */
export interface AllocationChangeCommit {
  /** the installation as read: the commit holds only if its `rev` is still this one */
  readonly installation: Installation;
  /** the new full allocation (products at 0 left out) */
  readonly allocation: Allocation;
  /** the difference to the allocation read, product by product (no zero takes) */
  readonly pools: readonly PoolTake[];
  readonly audit: AuditEvent;
  /** one of a run of changes to the account: its installations get the new terms once, after the run (repairAccountViews) */
  readonly deferTermsCopy?: boolean;
}

export interface TelemetrySwitchCommit {
  readonly accountId: string;
  readonly enabled: boolean;
  readonly expectedInstallSeq: number;
  readonly expectedTermsRev: number;
  readonly audit: AuditEvent;
}

/**
 * Support's cycle for one installation set (or ended: no `override`). Bumps the installation's rev,
 * so its licence is rebuilt (and its ETag changes) at the next poll.
 */
export interface TelemetryOverrideCommit {
  /** the installation as read: the commit holds only if it is still active at this `rev` */
  readonly installation: Installation;
  readonly override?: TelemetryOverride;
  readonly audit: AuditEvent;
}

/**
 * A Smart Account created by a person's sign-up: the account item (as an order's), an owner item
 * `OWNER#<sub>` naming it (so a retry finds the account instead of creating another; refused
 * 'account-exists' when the person already created one) and the audit event, in one commit.
 */
export interface AccountCreationCommit {
  readonly record: SmartAccount;
  readonly ownerSub: string;
  readonly audit: AuditEvent;
}

/** What of the account every licence of it depends on beyond the installation's own item. */
export type AccountTerms = Pick<SmartAccount, 'termsRev' | 'telemetryEnabled'> & {
  /** set once the account is closed: its installations are refused (410) and their telemetry (403) */
  readonly closedAt?: string;
};

export interface LicensingRepository {
  getAccountState(accountId: string): Promise<AccountState | null>;
  getOrder(orderId: string): Promise<OrderRecord | null>;
  getActivationKey(keyHash: string): Promise<ActivationKeyRecord | null>;
  /** strongly consistent unless `consistentRead: false` (the licence poll's hot path) */
  getInstallation(installationId: string, options?: { consistentRead?: boolean }): Promise<Installation | null>;
  /**
   * getInstallation, with its account's terms as copied beside it; `terms` is absent where there is
   * no copy yet (an installation activated before copies were kept): read getAccountTerms then
   */
  getInstallationWithTerms(
    installationId: string,
    options?: { consistentRead?: boolean },
  ): Promise<{ installation: Installation; terms?: AccountTerms } | null>;
  /**
   * Copies the terms still owed (a commit's own copying ran out of budget or failed), account by
   * account until `deadline` (epoch ms): how many accounts were completed and how many are left
   */
  repairAccountViews(options: { deadline: number; limit: number }): Promise<{ accounts: number; left: number }>;
  /** the account item's termsRev and switch alone; strongly consistent unless `consistentRead: false` (the poll) */
  getAccountTerms(accountId: string, options?: { consistentRead?: boolean }): Promise<AccountTerms | null>;
  /** `lastPollAt` of each of these installations that has one (eventually consistent) */
  getLastPolls(installationIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
  findInstallationIdByThumbprint(thumbprint: string): Promise<string | null>;

  commitOrder(commit: OrderCommit): Promise<void>;
  /** a sign-up's account; CommitRejected 'account-exists' when the owner already has one */
  commitAccountCreation(commit: AccountCreationCommit): Promise<void>;
  /** the account a person created by sign-up, if any */
  getAccountIdOfOwner(sub: string): Promise<string | null>;
  putActivationKey(key: ActivationKeyRecord, audit: AuditEvent): Promise<void>;
  commitActivation(commit: ActivationCommit): Promise<void>;
  commitDeactivation(commit: DeactivationCommit): Promise<void>;
  /** a 'capacity' refusal names the product as its `subject` */
  commitAllocationChange(commit: AllocationChangeCommit): Promise<void>;
  commitTelemetrySwitch(commit: TelemetrySwitchCommit): Promise<void>;
  commitTelemetryOverride(commit: TelemetryOverrideCommit): Promise<void>;
  /**
   * stores a re-signed licence unless the installation changed meanwhile or the stored one was
   * built from a newer account termsRev (`basedOnAccountRev`); returns whether it was stored
   */
  storeLicense(installationId: string, license: StoredLicense, expectedRev: number): Promise<boolean>;
  /**
   * Sets `lastPollAt` to `at` when it is missing or older than `olderThan`, in one conditional
   * update; returns whether it was written (false: a concurrent poll already did).
   */
  recordPoll(installationId: string, at: string, olderThan: string): Promise<boolean>;
}

export type { InstallationSummary };

/**
 * The licensing store port. Reads are plain; every change is one atomic commit whose conditions
 * (not a read before it) enforce the invariants: allocated ≤ capacity, single-use keys, one
 * order per id. A commit refused by a condition throws CommitRejected naming the reason.
 */
import type { Allocation, LicenseKind, Product } from './catalogue';
import type {
  AccountState,
  ActivationKeyRecord,
  AuditEvent,
  Installation,
  InstallationSummary,
  SmartAccount,
  StoredLicense,
} from './model';

export type RejectReason =
  /** the order id is already taken */
  | 'order-exists'
  /** the activation key is used, expired or gone */
  | 'key-unavailable'
  /** a pool has less free capacity than asked */
  | 'capacity'
  /** the public key is already bound to an installation */
  | 'installation-exists'
  /** something read before the commit changed meanwhile (or a transaction conflict): read again and retry */
  | 'stale';

export class CommitRejected extends Error {
  constructor(readonly reason: RejectReason) {
    super(`commit rejected: ${reason}`);
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

export interface PoolChange {
  readonly product: Product;
  readonly addCapacity: number;
  readonly addFree: number;
  readonly addAllocated: number;
  readonly kind: LicenseKind;
  readonly expiresAt?: string;
  readonly care?: { readonly level: string; readonly expiresAt: string };
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
  readonly pools: readonly PoolChange[];
  /** capacity granted to the follower installation (activated with a default key) */
  readonly followerGrant?: { readonly installationId: string; readonly add: Allocation };
  /** active installations whose licence the order changes */
  readonly touchInstallations: readonly string[];
  readonly audit: AuditEvent;
}

export interface ActivationCommit {
  readonly keyHash: string;
  readonly installation: Installation;
  readonly expectedTermsRev: number;
  /** become the account's follower installation (only if it has none) */
  readonly becomeFollower: boolean;
  readonly now: string;
  readonly audit: AuditEvent;
}

export interface DeactivationCommit {
  readonly installation: Installation;
  readonly clearFollower: boolean;
  readonly now: string;
  readonly audit: AuditEvent;
}

export interface TelemetrySwitchCommit {
  readonly accountId: string;
  readonly enabled: boolean;
  readonly expectedInstallSeq: number;
  readonly expectedTermsRev: number;
  readonly touchInstallations: readonly string[];
  readonly audit: AuditEvent;
}

export interface LicensingRepository {
  getAccountState(accountId: string): Promise<AccountState | null>;
  getOrder(orderId: string): Promise<OrderRecord | null>;
  getActivationKey(keyHash: string): Promise<ActivationKeyRecord | null>;
  getInstallation(installationId: string): Promise<Installation | null>;
  findInstallationIdByThumbprint(thumbprint: string): Promise<string | null>;

  commitOrder(commit: OrderCommit): Promise<void>;
  putActivationKey(key: ActivationKeyRecord, audit: AuditEvent): Promise<void>;
  commitActivation(commit: ActivationCommit): Promise<void>;
  commitDeactivation(commit: DeactivationCommit): Promise<void>;
  commitTelemetrySwitch(commit: TelemetrySwitchCommit): Promise<void>;
  /** stores a re-signed licence unless the installation changed meanwhile; returns whether it was stored */
  storeLicense(installationId: string, license: StoredLicense, expectedRev: number): Promise<boolean>;
}

export type { InstallationSummary };

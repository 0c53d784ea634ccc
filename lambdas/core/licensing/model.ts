/** The licensing domain's records: Smart Accounts, entitlements, product pools, activation keys, installations. */
import type { Allocation, CareLevel, LicenseKind, Product, Region } from './catalogue';

export interface SmartAccount {
  readonly accountId: string;
  readonly name: string;
  /** home region: telemetry and activations are served there */
  readonly region: Region;
  readonly resellerId?: string;
  readonly telemetryEnabled: boolean;
  /** bumped by every change of the terms every licence of the account carries */
  readonly termsRev: number;
  /** bumped by every activation, so a concurrent deposit cannot miss a new installation */
  readonly installSeq: number;
  /** the installation that receives newly deposited capacity (activated with a default key) */
  readonly followerInstallationId?: string;
  readonly createdAt: string;
  /** ISO 3166-1 alpha-2, as the customer gave it at sign-up (absent: created by an order without one) */
  readonly country?: string;
  /** how it came to be: a person's sign-up or a processed order (absent: an order, before this was recorded) */
  readonly origin?: 'sign-up' | 'order';
  /** present once the account is closed (accounts/closure.ts): nothing new is accepted, its installations are refused */
  readonly closure?: AccountClosure;
}

/** Who closed the account and when; what is erasable goes after `eraseAfter` (docs/retention.md). */
export interface AccountClosure {
  readonly closedAt: string;
  readonly closedBy: Actor;
  readonly eraseAfter: string;
  /** the eraser's pass: the erasable data is gone, the account record is kept reduced */
  readonly erasedAt?: string;
}

/** A Care contract's period: the level covers the product from `startsAt` (absent: always) until `endsAt`. */
export interface CarePeriod {
  readonly level: CareLevel;
  readonly startsAt?: string;
  readonly endsAt: string;
}

/**
 * One order line as deposited: nothing is merged away. Perpetual capacity counts from `startsAt`
 * on, a subscription's from `startsAt` until `endsAt`; a `care` line adds no capacity, only Care.
 */
export interface Entitlement {
  /** `<orderId>#<line number>`: unique in the account, stable, readable */
  readonly entitlementId: string;
  readonly product: Product;
  readonly kind: EntitlementKind;
  /** what it adds to the product's capacity while active (0 for a care line) */
  readonly quantity: number;
  /** absent: active since always (an item deposited before entitlements were stored, read as one) */
  readonly startsAt?: string;
  /** subscriptions only: the first instant it no longer counts */
  readonly endsAt?: string;
  /** perpetual and care lines */
  readonly care?: CarePeriod;
}

export type EntitlementKind = LicenseKind | 'care';

/**
 * How much of one product an account has allocated: the item every allocating commit conditions
 * on. Its capacity is not stored (it changes with time): it comes from the entitlements.
 */
export interface ProductPool {
  readonly product: Product;
  readonly allocated: number;
  /** bumped by every deposit of the product, so an allocation computed from older entitlements is refused */
  readonly entitlementsRev: number;
}

export interface InstallationSummary {
  readonly installationId: string;
  readonly status: InstallationStatus;
  readonly allocation: Allocation;
  readonly nodes: readonly string[];
  readonly suiteVersion: string;
  readonly activatedAt: string;
  readonly deactivatedAt?: string;
}

/** The account partition: the account, its pools, entitlements and installations, read in one query. */
export interface AccountState {
  readonly account: SmartAccount;
  readonly pools: readonly ProductPool[];
  /** by product, then entitlement id */
  readonly entitlements: readonly Entitlement[];
  readonly installations: readonly InstallationSummary[];
}

export interface ActivationKeyRecord {
  /** SHA-256 of the key: the key itself is a secret and is never stored */
  readonly keyHash: string;
  readonly accountId: string;
  readonly allocation: Allocation;
  /** created without an explicit allocation: the installation follows the pool */
  readonly followsPool: boolean;
  readonly expiresAt: string;
  readonly createdAt: string;
  readonly usedBy?: string;
  /** the key's id in the account's key list (docs/licensing.md, "Activation keys"); absent on keys issued before the list */
  readonly keyId?: string;
  /** the key's last four characters, so a person recognises it in the list; never more of it */
  readonly hint?: string;
  readonly createdBy?: Actor;
  /** set when the key was revoked: activation with it is refused (403) */
  readonly revokedAt?: string;
}

export type InstallationStatus = 'active' | 'deactivated';

export interface Ed25519Jwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
}

export interface StoredLicense {
  readonly jws: string;
  readonly etag: string;
  readonly ver: number;
  /** hash of the signed content without iat/exp, to re-sign only on change */
  readonly contentHash: string;
  readonly exp: number;
  /** the installation's `rev` this licence was built from */
  readonly basedOnRev: number;
  /** the account's `termsRev` it was built from (absent: stored before licences recorded it, rebuilt at the next poll) */
  readonly basedOnAccountRev?: number;
  /** the next instant its terms change by themselves (a subscription ends, Care lapses): stale from then on */
  readonly validUntil?: string;
}

export interface Installation {
  readonly installationId: string;
  readonly accountId: string;
  readonly region: Region;
  readonly publicKey: Ed25519Jwk;
  readonly thumbprint: string;
  readonly activationKeyHash: string;
  readonly nodes: readonly string[];
  readonly suiteVersion: string;
  readonly status: InstallationStatus;
  readonly allocation: Allocation;
  /** the account's switch as the installation was activated; the account's own is what counts (loadVerified reads it) */
  readonly telemetryEnabled: boolean;
  /** bumped by every change of this installation its licence depends on (the account's own changes bump the account's termsRev) */
  readonly rev: number;
  readonly license: StoredLicense;
  readonly activatedAt: string;
  readonly deactivatedAt?: string;
  /**
   * its last contact: written by a poll only when missing or older than LAST_POLL_RESOLUTION_MS
   * (poll-license.ts, an hour), by a telemetry request when older than contactStampSeconds (cadence.ts)
   */
  readonly lastPollAt?: string;
  /** support's shorter telemetry cycle while investigating (set-telemetry-interval.ts); ignored once `until` has passed */
  readonly telemetryOverride?: TelemetryOverride;
}

/** A cycle support set for one installation: `seconds` between telemetry requests until `until`. */
export interface TelemetryOverride {
  readonly seconds: number;
  readonly until: string;
}

export interface Actor {
  readonly kind: 'backoffice' | 'support' | 'reseller' | 'customer' | 'installation' | 'system';
  /** opaque subject id (Cognito sub, installation id): never a name or an e-mail */
  readonly id: string;
}

export interface AuditEvent {
  readonly accountId: string;
  readonly at: string;
  readonly eventId: string;
  readonly actor: Actor;
  readonly action: string;
  readonly details: Record<string, unknown>;
}

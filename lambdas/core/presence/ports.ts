/**
 * Ports of the Presence Service: Microsoft's identity platform and Graph, the sealed token store,
 * the regional presence store and the suite's sessions. Adapters implement them (lambdas/adapters),
 * tests fake them (test/contract holds both to one contract).
 */

/** A user of the customer's tenant, as Graph names them. */
export interface DirectoryUser {
  /** Entra object id: what presence subscriptions and reads take */
  readonly id: string;
  /** lower-cased */
  readonly upn: string;
}

/** Graph's presence of one user. */
export interface GraphPresence {
  readonly id: string;
  readonly availability: string;
  readonly activity: string;
}

/** A change-notification subscription on `/communications/presences?$filter=id in (...)`. */
export interface GraphSubscription {
  readonly subscriptionId: string;
  readonly expiresAt: string;
}

export interface NewSubscription {
  /** at most 650 (Graph's limit) */
  readonly userIds: readonly string[];
  readonly notificationUrl: string;
  readonly lifecycleNotificationUrl: string;
  readonly clientState: string;
  /** at most 60 minutes ahead */
  readonly expiresAt: Date;
}

/** The tenant's grant: what redeeming an authorization code or a refresh token gives. */
export interface TenantGrant {
  readonly tenantId: string;
  /** the administrator who consented, lower-cased UPN */
  readonly consentedBy: string;
  /** the newest refresh token (Microsoft rotates them: store it whenever it changes) */
  readonly refreshToken: string;
}

export interface AuthorizationRequest {
  readonly state: string;
  /** PKCE S256 challenge of the verifier the callback redeems with */
  readonly codeChallenge: string;
  readonly redirectUri: string;
  readonly loginHint?: string;
}

/** Microsoft's identity platform, for the multi-tenant Presence app (oauth4webapi in the adapter). */
export interface IdentityPlatform {
  authorizeUrl(request: AuthorizationRequest): Promise<string>;
  redeemCode(input: { code: string; codeVerifier: string; redirectUri: string }): Promise<TenantGrant>;
}

/** Graph on behalf of one connected tenant (a delegated token from its refresh token). */
export interface TenantGraph {
  /** UPNs not in the tenant are left out of the answer */
  resolveUsers(upns: readonly string[]): Promise<DirectoryUser[]>;
  /** `POST /communications/getPresencesByUserId`, chunked by 650 */
  getPresences(userIds: readonly string[]): Promise<GraphPresence[]>;
  createSubscription(input: NewSubscription): Promise<GraphSubscription>;
  renewSubscription(subscriptionId: string, expiresAt: Date): Promise<GraphSubscription>;
  reauthorizeSubscription(subscriptionId: string): Promise<void>;
  /** gone already is success */
  deleteSubscription(subscriptionId: string): Promise<void>;
  /** the refresh token now current, when Microsoft rotated it during the calls above */
  rotatedRefreshToken(): string | undefined;
}

/** Opens Graph for a tenant from its refresh token. */
export type TenantGraphFactory = (tenant: { tenantId: string; refreshToken: string }) => TenantGraph;

/** Graph answered 429 (or 503) and asked to wait: the caller retries after `retryAfterSeconds`. */
export class GraphThrottledError extends Error {
  override readonly name = 'GraphThrottledError';
  constructor(readonly retryAfterSeconds: number) {
    super(`Microsoft Graph throttled the request; retry after ${retryAfterSeconds} s`);
  }
}

/** The tenant's grant is gone (consent revoked, refresh token expired): an administrator must connect again. */
export class GraphGrantRevokedError extends Error {
  override readonly name = 'GraphGrantRevokedError';
}

/** Renewing or reauthorizing found no such subscription (it expired or Graph removed it): create a new one. */
export class GraphSubscriptionGoneError extends Error {
  override readonly name = 'GraphSubscriptionGoneError';
  constructor(readonly subscriptionId: string) {
    super(`Microsoft Graph has no subscription ${subscriptionId} any more`);
  }
}

/** One change notification with encrypted resource data, as Graph posts it. */
export interface RichNotification {
  readonly subscriptionId: string;
  readonly clientState?: string;
  readonly changeType: string;
  readonly resource: string;
  readonly tenantId?: string;
  readonly encryptedContent?: {
    readonly data: string;
    readonly dataKey: string;
    readonly dataSignature: string;
    readonly encryptionCertificateId: string;
    readonly encryptionCertificateThumbprint: string;
  };
}

/** Verifies `dataSignature` (HMAC-SHA256) before decrypting; undefined when either fails. */
export interface NotificationDecryptor {
  /** base64 DER of the certificate subscriptions are created with, and its id */
  certificate(): Promise<{ id: string; base64Der: string }>;
  open(notification: RichNotification): Promise<GraphPresence | undefined>;
}

/** Seals refresh tokens with a KMS key of the account's home region (a key file locally). */
export interface TokenVault {
  seal(plaintext: string, context: { accountId: string }): Promise<string>;
  open(sealed: string, context: { accountId: string }): Promise<string>;
}

/** The suite's live sessions: API Gateway's @connections API. */
export interface SessionChannel {
  /** false when the connection is gone (410): the caller forgets it */
  send(connectionId: string, frame: unknown): Promise<boolean>;
  close(connectionId: string): Promise<void>;
}

/**
 * The regional presence store (one table per region; nothing of it is replicated). Everything is
 * keyed by the account, so a disconnection finds and erases all of it. docs/presence.md has the
 * item layout.
 */
import type { DirectoryUser, GraphPresence } from './ports';

/** The account's connected Microsoft 365 tenant. */
export interface TenantRecord {
  readonly tenantId: string;
  /** the Microsoft 365 administrator who consented (lower-cased UPN) */
  readonly connectedBy: string;
  readonly connectedAt: string;
  /** the refresh token, sealed by the region's KMS key with the account id as context */
  readonly sealedRefreshToken: string;
  /** set when Microsoft refused the grant: an administrator must connect again */
  readonly grantRevokedAt?: string;
}

export interface PresenceAccount {
  readonly accountId: string;
  readonly enabled: boolean;
  readonly tenant?: TenantRecord;
  /** our ids of the tenant's Graph subscriptions */
  readonly subscriptionIds: readonly string[];
}

/** A pending "Connect Microsoft 365": single use, 10 minutes. */
export interface AuthorizationRecord {
  readonly state: string;
  readonly accountId: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
  readonly returnTo: string;
  readonly actor: { readonly kind: string; readonly id: string };
  readonly expiresAt: string;
}

/** A live suite session (an API Gateway WebSocket connection). */
export interface SessionRecord {
  readonly connectionId: string;
  readonly installationId: string;
  readonly accountId: string;
  readonly connectedAt: string;
  /** users this session watches */
  readonly users: number;
  /** the latest instant the session can still be open (API Gateway closes it after 2 h) */
  readonly endsBy: string;
}

/** One Graph subscription: ours is a stable id; Graph's changes when it has to be recreated. */
export interface SubscriptionRecord {
  readonly subscriptionId: string;
  readonly accountId: string;
  readonly graphId: string;
  readonly clientState: string;
  readonly userIds: readonly string[];
  readonly expiresAt: string;
}

/** What a notification is checked against (read once per notification, so it stays small). */
export type SubscriptionRef = Pick<SubscriptionRecord, 'subscriptionId' | 'accountId' | 'graphId' | 'clientState'>;

/** A watched user of the tenant: how many sessions watch it, the subscription covering it, its last presence. */
export interface WatchedUser extends DirectoryUser {
  readonly watchers: number;
  readonly subscriptionId?: string;
  readonly presence?: { readonly availability: string; readonly activity: string; readonly at: string };
}

export interface PresenceUpdate {
  readonly userId: string;
  readonly upn: string;
  readonly availability: string;
  readonly activity: string;
  readonly at: string;
}

export interface PresenceStore {
  getAccount(accountId: string): Promise<PresenceAccount | undefined>;
  setEnabled(accountId: string, enabled: boolean): Promise<void>;
  /** fails with `false` when a tenant is already connected */
  putTenant(accountId: string, tenant: TenantRecord): Promise<boolean>;
  updateTenant(accountId: string, change: { sealedRefreshToken?: string; grantRevokedAt?: string }): Promise<void>;

  putAuthorization(record: AuthorizationRecord): Promise<void>;
  /** reads and deletes in one step: a state is redeemed once */
  takeAuthorization(state: string): Promise<AuthorizationRecord | undefined>;

  putSession(session: SessionRecord): Promise<void>;
  getSession(connectionId: string): Promise<SessionRecord | undefined>;
  listSessions(accountId: string): Promise<SessionRecord[]>;
  /** removes the session and its watches, decrementing each user's watchers; returns the users it watched */
  deleteSession(connectionId: string): Promise<void>;

  /** cached UPN → user id (7 days), by lower-cased UPN */
  cachedUsers(accountId: string, upns: readonly string[]): Promise<DirectoryUser[]>;
  cacheUsers(accountId: string, users: readonly DirectoryUser[]): Promise<void>;

  /** the session watches these users (idempotent per user); returns them as the tenant now holds them */
  addWatches(session: SessionRecord, users: readonly DirectoryUser[]): Promise<WatchedUser[]>;
  /** the session stops watching; a user nobody watches any more is forgotten with its presence */
  removeWatches(session: SessionRecord, userIds: readonly string[]): Promise<void>;
  /** the users this session watches */
  watchedBy(connectionId: string): Promise<DirectoryUser[]>;
  /** the sessions watching each user */
  watchersOf(accountId: string, userIds: readonly string[]): Promise<Map<string, string[]>>;
  getWatchedUsers(accountId: string, userIds: readonly string[]): Promise<WatchedUser[]>;
  /** records which subscription covers these users */
  setCoverage(accountId: string, subscriptionId: string, userIds: readonly string[]): Promise<void>;
  /**
   * stores a presence when the user is watched and it differs from the stored one; returns the
   * update to fan out, or undefined (unwatched, or a repeated notification)
   */
  recordPresence(accountId: string, presence: GraphPresence, at: string): Promise<PresenceUpdate | undefined>;

  putSubscription(record: SubscriptionRecord): Promise<void>;
  getSubscription(subscriptionId: string): Promise<SubscriptionRecord | undefined>;
  /** by Graph's id, as notifications name it: the small part a notification is checked against */
  findSubscription(graphId: string): Promise<SubscriptionRef | undefined>;
  /** subscriptions expiring before `before`, oldest first, at most `limit` */
  subscriptionsDue(before: string, limit: number): Promise<SubscriptionRecord[]>;
  deleteSubscription(record: SubscriptionRecord): Promise<void>;

  /** erases the tenant, its subscriptions, sessions, watches, users and presence; keeps `enabled` */
  eraseTenant(accountId: string): Promise<void>;
  /** eraseTenant, and the account's own item too: nothing of the account is left (a closed account's erasure) */
  forgetAccount(accountId: string): Promise<void>;
}

/** Sends fan-out work to the queue between notifications and sessions. */
export interface FanOutQueue {
  send(message: FanOutMessage): Promise<void>;
}

export type FanOutMessage =
  | { readonly kind: 'presence'; readonly accountId: string; readonly updates: readonly PresenceUpdate[] }
  | { readonly kind: 'resync'; readonly accountId: string; readonly userIds: readonly string[] }
  | {
      readonly kind: 'notice';
      readonly accountId: string;
      readonly status: number;
      readonly title: string;
      readonly detail: string;
    };

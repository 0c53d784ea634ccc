/**
 * The presence store in memory, for the Presence use cases' unit tests. It keeps the contract of
 * DynamoDbPresenceStore (test/contract/presence-store.contract.ts), its TTL included: a session past
 * `endsBy` drops out of `listSessions`, a cached UPN out of `cachedUsers` after 7 days, both read
 * from the same clock; nothing else expires on read, as DynamoDB's lazy TTL does not either.
 */
import type { Clock } from '#lambdas/core/ports';
import type { DirectoryUser, GraphPresence } from '#lambdas/core/presence/ports';
import type {
  AuthorizationRecord,
  PresenceAccount,
  PresenceStore,
  PresenceUpdate,
  SessionRecord,
  SubscriptionRecord,
  SubscriptionRef,
  TenantRecord,
  WatchedUser,
} from '#lambdas/core/presence/store';

const upnCacheSeconds = 7 * 24 * 3600;

interface AccountEntry {
  enabled?: boolean;
  tenant?: TenantRecord;
  subscriptionIds: Set<string>;
}

interface UserEntry {
  upn: string;
  watchers: number;
  subscriptionId?: string;
  presence?: { availability: string; activity: string; at: string };
}

interface WatchEntry {
  readonly accountId: string;
  readonly userId: string;
  readonly upn: string;
  readonly connectionId: string;
}

const copy = <T>(value: T): T => structuredClone(value);

export class MemoryPresenceStore implements PresenceStore {
  readonly accounts = new Map<string, AccountEntry>();
  readonly authorizations = new Map<string, AuthorizationRecord>();
  readonly sessions = new Map<string, SessionRecord>();
  /** `<account> <upn>` → the user id and when the entry expires (epoch seconds, as the TTL attribute) */
  readonly upnCache = new Map<string, { accountId: string; id: string; upn: string; expiresAtEpoch: number }>();
  /** `<account> <user>` → the user */
  readonly users = new Map<string, UserEntry & { accountId: string; id: string }>();
  /** `<account> <user> <connection>` → a session's watch */
  readonly watches = new Map<string, WatchEntry>();
  readonly subscriptions = new Map<string, SubscriptionRecord>();
  /** Graph's id → ours */
  readonly graphIds = new Map<string, SubscriptionRef>();

  constructor(private readonly clock: Clock) {}

  private nowEpoch() {
    return Math.floor(this.clock.now().getTime() / 1000);
  }

  private account(accountId: string): AccountEntry {
    let entry = this.accounts.get(accountId);
    if (!entry) {
      entry = { subscriptionIds: new Set() };
      this.accounts.set(accountId, entry);
    }
    return entry;
  }

  async getAccount(accountId: string): Promise<PresenceAccount | undefined> {
    const entry = this.accounts.get(accountId);
    if (!entry) return undefined;
    return {
      accountId,
      enabled: entry.enabled === true,
      ...(entry.tenant && { tenant: copy(entry.tenant) }),
      subscriptionIds: [...entry.subscriptionIds],
    };
  }

  async setEnabled(accountId: string, enabled: boolean) {
    this.account(accountId).enabled = enabled;
  }

  async putTenant(accountId: string, tenant: TenantRecord) {
    const entry = this.account(accountId);
    if (entry.tenant) return false;
    entry.tenant = copy(tenant);
    return true;
  }

  async updateTenant(accountId: string, change: { sealedRefreshToken?: string; grantRevokedAt?: string }) {
    const entry = this.accounts.get(accountId);
    if (!entry?.tenant) return;
    const defined = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
    entry.tenant = { ...entry.tenant, ...defined };
  }

  async putAuthorization(record: AuthorizationRecord) {
    this.authorizations.set(record.state, copy(record));
  }

  async takeAuthorization(state: string) {
    const record = this.authorizations.get(state);
    this.authorizations.delete(state);
    return record;
  }

  async putSession(session: SessionRecord) {
    this.sessions.set(session.connectionId, copy(session));
  }

  async getSession(connectionId: string) {
    const session = this.sessions.get(connectionId);
    return session && copy(session);
  }

  async listSessions(accountId: string) {
    const now = this.clock.now().toISOString();
    return [...this.sessions.values()]
      .filter((s) => s.accountId === accountId && s.endsBy > now)
      .sort((a, b) => (a.connectionId < b.connectionId ? -1 : 1))
      .map(copy);
  }

  async deleteSession(connectionId: string) {
    const session = this.sessions.get(connectionId);
    if (session)
      await this.removeWatches(
        session,
        (await this.watchedBy(connectionId)).map((u) => u.id),
      );
    this.sessions.delete(connectionId);
  }

  async cachedUsers(accountId: string, upns: readonly string[]) {
    const now = this.nowEpoch();
    return upns.flatMap((upn) => {
      const entry = this.upnCache.get(`${accountId} ${upn}`);
      return entry && entry.expiresAtEpoch > now ? [{ id: entry.id, upn: entry.upn }] : [];
    });
  }

  async cacheUsers(accountId: string, users: readonly DirectoryUser[]) {
    const expiresAtEpoch = this.nowEpoch() + upnCacheSeconds;
    for (const u of users)
      this.upnCache.set(`${accountId} ${u.upn}`, { accountId, id: u.id, upn: u.upn, expiresAtEpoch });
  }

  private watchedUser(key: string): WatchedUser | undefined {
    const user = this.users.get(key);
    if (!user) return undefined;
    return {
      id: user.id,
      upn: user.upn,
      watchers: user.watchers,
      ...(user.subscriptionId !== undefined && { subscriptionId: user.subscriptionId }),
      ...(user.presence && { presence: copy(user.presence) }),
    };
  }

  async addWatches(session: SessionRecord, users: readonly DirectoryUser[]) {
    const out: WatchedUser[] = [];
    for (const user of users) {
      const watchKey = `${session.accountId} ${user.id} ${session.connectionId}`;
      const added = !this.watches.has(watchKey);
      if (added)
        this.watches.set(watchKey, {
          accountId: session.accountId,
          userId: user.id,
          upn: user.upn,
          connectionId: session.connectionId,
        });
      const userKey = `${session.accountId} ${user.id}`;
      const entry = this.users.get(userKey) ?? {
        accountId: session.accountId,
        id: user.id,
        upn: user.upn,
        watchers: 0,
      };
      entry.upn = user.upn;
      if (added) entry.watchers += 1;
      this.users.set(userKey, entry);
      out.push(this.watchedUser(userKey) as WatchedUser);
    }
    return out;
  }

  async removeWatches(session: SessionRecord, userIds: readonly string[]) {
    for (const userId of userIds) {
      if (!this.watches.delete(`${session.accountId} ${userId} ${session.connectionId}`)) continue;
      const userKey = `${session.accountId} ${userId}`;
      const user = this.users.get(userKey);
      if (!user) continue;
      user.watchers -= 1;
      // Nobody watches this user any more: its presence is not kept a moment longer.
      if (user.watchers <= 0) this.users.delete(userKey);
    }
  }

  async watchedBy(connectionId: string) {
    return [...this.watches.values()]
      .filter((w) => w.connectionId === connectionId)
      .sort((a, b) => (a.userId < b.userId ? -1 : 1))
      .map((w) => ({ id: w.userId, upn: w.upn }));
  }

  async watchersOf(accountId: string, userIds: readonly string[]) {
    const out = new Map<string, string[]>();
    for (const userId of new Set(userIds))
      out.set(
        userId,
        [...this.watches.values()]
          .filter((w) => w.accountId === accountId && w.userId === userId)
          .map((w) => w.connectionId)
          .sort(),
      );
    return out;
  }

  async getWatchedUsers(accountId: string, userIds: readonly string[]) {
    return [...new Set(userIds)].flatMap((id) => {
      const user = this.watchedUser(`${accountId} ${id}`);
      return user ? [user] : [];
    });
  }

  async setCoverage(accountId: string, subscriptionId: string, userIds: readonly string[]) {
    for (const userId of userIds) {
      const user = this.users.get(`${accountId} ${userId}`);
      if (user) user.subscriptionId = subscriptionId;
    }
  }

  async recordPresence(accountId: string, presence: GraphPresence, at: string): Promise<PresenceUpdate | undefined> {
    const user = this.users.get(`${accountId} ${presence.id}`);
    if (!user || user.watchers <= 0) return undefined;
    if (user.presence?.availability === presence.availability && user.presence.activity === presence.activity)
      return undefined;
    user.presence = { availability: presence.availability, activity: presence.activity, at };
    return { userId: presence.id, upn: user.upn, availability: presence.availability, activity: presence.activity, at };
  }

  async putSubscription(record: SubscriptionRecord) {
    this.subscriptions.set(record.subscriptionId, copy(record));
    const { subscriptionId, accountId, graphId, clientState } = record;
    this.graphIds.set(graphId, { subscriptionId, accountId, graphId, clientState });
    this.account(accountId).subscriptionIds.add(subscriptionId);
  }

  async getSubscription(subscriptionId: string) {
    const record = this.subscriptions.get(subscriptionId);
    return record && copy(record);
  }

  async findSubscription(graphId: string) {
    const ref = this.graphIds.get(graphId);
    return ref && { ...ref };
  }

  async subscriptionsDue(before: string, limit: number) {
    const sortKey = (r: SubscriptionRecord) => `${r.expiresAt}#${r.subscriptionId}`;
    return [...this.subscriptions.values()]
      .filter((r) => sortKey(r) < before)
      .sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1))
      .slice(0, limit)
      .map(copy);
  }

  async deleteSubscription(record: SubscriptionRecord) {
    this.subscriptions.delete(record.subscriptionId);
    this.graphIds.delete(record.graphId);
    this.accounts.get(record.accountId)?.subscriptionIds.delete(record.subscriptionId);
  }

  async eraseTenant(accountId: string) {
    for (const id of this.accounts.get(accountId)?.subscriptionIds ?? []) {
      const record = this.subscriptions.get(id);
      if (record) await this.deleteSubscription(record);
    }
    for (const session of [...this.sessions.values()])
      if (session.accountId === accountId) await this.deleteSession(session.connectionId);
    for (const map of [this.users, this.watches, this.upnCache])
      for (const [key, value] of map) if (value.accountId === accountId) map.delete(key);
    const entry = this.accounts.get(accountId);
    if (entry) {
      delete entry.tenant;
      entry.subscriptionIds.clear();
    }
  }

  async forgetAccount(accountId: string) {
    await this.eraseTenant(accountId);
    this.accounts.delete(accountId);
  }

  /** Everything still held about the account, as the table would hold it: for erase tests. */
  remnants(accountId: string): unknown[] {
    const entry = this.accounts.get(accountId);
    const account = entry && {
      ...(entry.enabled !== undefined && { enabled: entry.enabled }),
      ...(entry.tenant && { tenant: entry.tenant }),
      ...(entry.subscriptionIds.size > 0 && { subscriptionIds: [...entry.subscriptionIds] }),
    };
    const held: { accountId: string }[] = [
      ...this.sessions.values(),
      ...this.users.values(),
      ...this.watches.values(),
      ...this.upnCache.values(),
      ...this.subscriptions.values(),
      ...this.graphIds.values(),
    ].filter((v) => v.accountId === accountId);
    return [...(account ? [account] : []), ...held];
  }
}

/**
 * The Graph side: a tenant's watched users packed into subscriptions of at most 650 ids, shared
 * by every session of the account; renewed before they expire, re-authorised and recreated on
 * lifecycle events.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { ForbiddenError } from '../errors';
import { need, type PresenceDeps } from './deps';
import { GraphGrantRevokedError, GraphSubscriptionGoneError, type TenantGraph } from './ports';
import type { PresenceAccount, SubscriptionRecord, SubscriptionRef, WatchedUser } from './store';

/** Graph's limits for presence subscriptions. */
export const maxIdsPerSubscription = 650;
export const subscriptionMinutes = 59;
/** the renewal job runs every 10 minutes and renews what expires within this */
export const renewWithinMinutes = 25;

/** Graph for the account's tenant; a refresh token Microsoft rotates is sealed and stored again. */
export async function tenantGraph(
  deps: PresenceDeps,
  accountId: string,
): Promise<{ graph: TenantGraph; presence: PresenceAccount }> {
  const presence = await deps.store.getAccount(accountId);
  const tenant = presence?.tenant;
  if (!presence || !tenant || tenant.grantRevokedAt)
    throw new ForbiddenError('No Microsoft 365 tenant is connected to this account.');
  const vault = need(deps, 'vault');
  const refreshToken = await vault.open(tenant.sealedRefreshToken, { accountId });
  const inner = need(deps, 'graphFor')({ tenantId: tenant.tenantId, refreshToken });
  let stored = refreshToken;
  const after = async <T>(call: Promise<T>): Promise<T> => {
    try {
      return await call;
    } catch (error) {
      if (error instanceof GraphGrantRevokedError) await grantRevoked(deps, accountId);
      throw error;
    } finally {
      const rotated = inner.rotatedRefreshToken();
      if (rotated && rotated !== stored) {
        stored = rotated;
        await deps.store.updateTenant(accountId, { sealedRefreshToken: await vault.seal(rotated, { accountId }) });
      }
    }
  };
  const graph: TenantGraph = {
    resolveUsers: (upns) => after(inner.resolveUsers(upns)),
    getPresences: (ids) => after(inner.getPresences(ids)),
    createSubscription: (input) => after(inner.createSubscription(input)),
    renewSubscription: (id, at) => after(inner.renewSubscription(id, at)),
    reauthorizeSubscription: (id) => after(inner.reauthorizeSubscription(id)),
    deleteSubscription: (id) => after(inner.deleteSubscription(id)),
    rotatedRefreshToken: () => inner.rotatedRefreshToken(),
  };
  return { graph, presence };
}

async function grantRevoked(deps: PresenceDeps, accountId: string) {
  await deps.store.updateTenant(accountId, { grantRevokedAt: deps.clock.now().toISOString() });
  await deps.queue?.send({
    kind: 'notice',
    accountId,
    status: 503,
    title: 'Microsoft 365 connection lost',
    detail: 'An administrator must connect Microsoft 365 again in the portal.',
  });
  deps.log.warn('presence: the tenant grant was refused; the account must reconnect', { accountId });
}

function expiry(deps: PresenceDeps): Date {
  return new Date(deps.clock.now().getTime() + subscriptionMinutes * 60_000);
}

/** A new Graph subscription for these users, as the record to store (not stored yet). */
async function createInGraph(
  deps: PresenceDeps,
  accountId: string,
  graph: TenantGraph,
  userIds: readonly string[],
  ours?: string,
): Promise<SubscriptionRecord> {
  const urls = need(deps, 'urls');
  const clientState = randomBytes(24).toString('base64url');
  const created = await graph.createSubscription({
    userIds,
    notificationUrl: urls.notification,
    lifecycleNotificationUrl: urls.lifecycle,
    clientState,
    expiresAt: expiry(deps),
  });
  return {
    subscriptionId: ours ?? deps.ids.id('psub_'),
    accountId,
    graphId: created.subscriptionId,
    clientState,
    userIds: [...userIds],
    expiresAt: created.expiresAt,
  };
}

async function create(deps: PresenceDeps, accountId: string, graph: TenantGraph, userIds: readonly string[]) {
  const record = await createInGraph(deps, accountId, graph, userIds);
  await deps.store.putSubscription(record);
  return record;
}

/** Creates subscriptions for the watched users no live subscription covers, 650 ids each. */
export async function coverUsers(
  deps: PresenceDeps,
  accountId: string,
  presence: PresenceAccount,
  graph: TenantGraph,
  users: readonly WatchedUser[],
): Promise<void> {
  // The tenant's live subscriptions, read once: which exist, and whom each names.
  const coveredBy = new Map<string, string>();
  const live = new Set<string>();
  for (const id of presence.subscriptionIds) {
    const record = await deps.store.getSubscription(id);
    if (!record) continue;
    live.add(id);
    for (const userId of record.userIds) coveredBy.set(userId, id);
  }
  let uncovered = users.filter((u) => !u.subscriptionId || !live.has(u.subscriptionId)).map((u) => u.id);
  if (uncovered.length === 0) return;
  // A user watched again (after a reconnection, say) is often still in a live subscription: reuse it.
  const reused = new Map<string, string[]>();
  for (const userId of uncovered) {
    const id = coveredBy.get(userId);
    if (id) reused.set(id, [...(reused.get(id) ?? []), userId]);
  }
  for (const [id, userIds] of reused) await deps.store.setCoverage(accountId, id, userIds);
  uncovered = uncovered.filter((userId) => !coveredBy.has(userId));
  for (let i = 0; i < uncovered.length; i += maxIdsPerSubscription) {
    const ids = uncovered.slice(i, i + maxIdsPerSubscription);
    const record = await create(deps, accountId, graph, ids);
    await deps.store.setCoverage(accountId, record.subscriptionId, ids);
  }
}

/** The users of a subscription still watched through it. */
async function stillWatched(deps: PresenceDeps, record: SubscriptionRecord): Promise<string[]> {
  const users = await deps.store.getWatchedUsers(record.accountId, record.userIds);
  return users.filter((u) => u.watchers > 0 && u.subscriptionId === record.subscriptionId).map((u) => u.id);
}

/**
 * Replaces a subscription Graph removed or no longer knows, keeping our id (the users point at it);
 * one nobody watches is forgotten. Graph first: when it refuses, the old record stays (still due)
 * for the next try instead of leaving its users pointing at nothing.
 */
async function recreate(deps: PresenceDeps, graph: TenantGraph, record: SubscriptionRecord, ids: readonly string[]) {
  if (ids.length === 0) {
    await deps.store.deleteSubscription(record);
    return;
  }
  const replacement = await createInGraph(deps, record.accountId, graph, ids, record.subscriptionId);
  await deps.store.deleteSubscription(record);
  await deps.store.putSubscription(replacement);
}

export interface RenewalReport {
  renewed: number;
  recreated: number;
  removed: number;
  failed: number;
}

/** The scheduled job: renew what expires soon, drop what nobody watches. */
export async function renewDueSubscriptions(deps: PresenceDeps, limit = 500): Promise<RenewalReport> {
  const report: RenewalReport = { renewed: 0, recreated: 0, removed: 0, failed: 0 };
  const before = new Date(deps.clock.now().getTime() + renewWithinMinutes * 60_000).toISOString();
  for (const record of await deps.store.subscriptionsDue(before, limit)) {
    try {
      const tenant = (await deps.store.getAccount(record.accountId))?.tenant;
      if (!tenant || tenant.grantRevokedAt) {
        // Nothing can renew it without the tenant's grant: forget it (Graph lets it expire) instead of failing every run.
        await deps.store.deleteSubscription(record);
        report.removed += 1;
        continue;
      }
      const ids = await stillWatched(deps, record);
      const { graph } = await tenantGraph(deps, record.accountId);
      if (ids.length === 0) {
        await graph.deleteSubscription(record.graphId);
        await deps.store.deleteSubscription(record);
        report.removed += 1;
        continue;
      }
      try {
        const renewed = await graph.renewSubscription(record.graphId, expiry(deps));
        await deps.store.putSubscription({ ...record, expiresAt: renewed.expiresAt });
        report.renewed += 1;
      } catch (error) {
        // Graph no longer knows it (expired or removed): make it again. Any other failure leaves
        // the live one alone for the next run (a second subscription would notify twice).
        if (!(error instanceof GraphSubscriptionGoneError)) throw error;
        await recreate(deps, graph, record, ids);
        report.recreated += 1;
      }
      deps.metrics.count('presenceSubscriptionRenewals');
    } catch (error) {
      report.failed += 1;
      deps.metrics.count('presenceSubscriptionRenewalFailures');
      deps.log.warn('presence: renewing a subscription failed; the next run retries', {
        subscriptionId: record.subscriptionId,
        error: error instanceof Error ? error.name : String(error),
      });
    }
  }
  return report;
}

/** True when `given` is the subscription's clientState (constant time). */
export function clientStateMatches(record: SubscriptionRef, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(record.clientState);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface LifecycleNotification {
  readonly subscriptionId: string;
  readonly clientState?: string;
  readonly lifecycleEvent: string;
}

/** One lifecycle notification: re-authorise, recreate, or read what was missed and resync the sessions. */
export async function handleLifecycle(deps: PresenceDeps, event: LifecycleNotification): Promise<'done' | 'dropped'> {
  const ref = await deps.store.findSubscription(event.subscriptionId);
  const record =
    ref && clientStateMatches(ref, event.clientState) && (await deps.store.getSubscription(ref.subscriptionId));
  if (!record) {
    deps.metrics.count('presenceNotificationsDropped');
    return 'dropped';
  }
  const { graph } = await tenantGraph(deps, record.accountId);
  switch (event.lifecycleEvent) {
    case 'reauthorizationRequired':
      try {
        await graph.reauthorizeSubscription(record.graphId);
      } catch (error) {
        if (!(error instanceof GraphSubscriptionGoneError)) throw error;
        await recreate(deps, graph, record, await stillWatched(deps, record));
      }
      return 'done';
    case 'subscriptionRemoved': {
      await recreate(deps, graph, record, await stillWatched(deps, record));
      return 'done';
    }
    case 'missed': {
      const ids = await stillWatched(deps, record);
      if (ids.length === 0) return 'done';
      const at = deps.clock.now().toISOString();
      const read = await graph.getPresences(ids);
      deps.metrics.count('presenceGraphReads');
      for (const p of read) await deps.store.recordPresence(record.accountId, p, at);
      await need(deps, 'queue').send({ kind: 'resync', accountId: record.accountId, userIds: ids });
      return 'done';
    }
    default:
      deps.log.warn('presence: unknown lifecycle event ignored', { lifecycleEvent: event.lifecycleEvent });
      return 'done';
  }
}

import { GraphSubscriptionGoneError, GraphThrottledError } from '#lambdas/core/presence/ports';
import type { SessionRecord, SubscriptionRecord } from '#lambdas/core/presence/store';
import {
  coverUsers,
  handleLifecycle,
  maxIdsPerSubscription,
  renewDueSubscriptions,
} from '#lambdas/core/presence/subscriptions';
import type { DirectoryUser } from '#lambdas/core/presence/ports';
import {
  connectedAccount,
  openedSession,
  presenceWorld,
  URLS,
  user,
  type PresenceWorld,
} from '#test/support/presence-fixtures';

const ACCOUNT = 'acc_00000001';
const alice = user('alice');
const bob = user('bob');
const carol = user('carol');
const MINUTE_MS = 60_000;
const at = (minutes: number) => new Date(Date.parse('2026-03-02T09:00:00.000Z') + minutes * MINUTE_MS).toISOString();

let world: PresenceWorld;
let session: SessionRecord;

beforeEach(async () => {
  world = presenceWorld();
  world.graph.withUsers(alice, bob, carol);
  await connectedAccount(world, ACCOUNT);
  session = await openedSession(world, ACCOUNT, 'inst_1');
});

let next = 0;
/** Users watched by the session and covered by a stored subscription expiring `expiresInMinutes` from now. */
async function covered(users: DirectoryUser[], expiresInMinutes: number): Promise<SubscriptionRecord> {
  next += 1;
  await world.store.addWatches(session, users);
  const record: SubscriptionRecord = {
    subscriptionId: `psub_${next}`,
    accountId: ACCOUNT,
    graphId: `graph-old-${next}`,
    clientState: `client-state-${next}`,
    userIds: users.map((u) => u.id),
    expiresAt: at(expiresInMinutes),
  };
  await world.store.putSubscription(record);
  await world.store.setCoverage(ACCOUNT, record.subscriptionId, record.userIds);
  return record;
}

const coverageOf = async (users: DirectoryUser[]) =>
  (
    await world.store.getWatchedUsers(
      ACCOUNT,
      users.map((u) => u.id),
    )
  )
    .map((u) => u.subscriptionId)
    .sort();

describe('coverUsers', () => {
  it(`packs uncovered users into subscriptions of ${maxIdsPerSubscription}, the rest in one more`, async () => {
    const many = Array.from({ length: 1_400 }, (_, i) => user(`u${i}`));
    const watched = await world.store.addWatches(session, many);
    const presence = (await world.store.getAccount(ACCOUNT))!;

    await coverUsers(world.deps, ACCOUNT, presence, world.graph, watched);

    const created = world.graph.called('createSubscription').map(([input]) => input as { userIds: string[] });
    expect(created.map((c) => c.userIds.length)).toEqual([650, 650, 100]);
    expect(new Set(created.flatMap((c) => c.userIds)).size).toBe(1_400);
    expect(created[0]).toMatchObject({
      notificationUrl: URLS.notification,
      lifecycleNotificationUrl: URLS.lifecycle,
      expiresAt: new Date(at(59)),
    });
    expect(new Set(await coverageOf(many))).toEqual(new Set((await world.store.getAccount(ACCOUNT))?.subscriptionIds));
    expect((await world.store.getAccount(ACCOUNT))?.subscriptionIds).toHaveLength(3);
  });

  it('leaves users a live subscription covers, and covers those whose subscription is gone', async () => {
    const live = await covered([alice], 50);
    const gone = await covered([bob], 50);
    await world.store.deleteSubscription(gone);
    const watched = await world.store.addWatches(session, [alice, bob, carol]);
    const presence = (await world.store.getAccount(ACCOUNT))!;

    await coverUsers(world.deps, ACCOUNT, presence, world.graph, watched);

    expect(world.graph.called('createSubscription')).toEqual([
      [expect.objectContaining({ userIds: [bob.id, carol.id] })],
    ]);
    const [aliceNow, bobNow, carolNow] = await world.store.getWatchedUsers(ACCOUNT, [alice.id, bob.id, carol.id]);
    expect(aliceNow?.subscriptionId).toBe(live.subscriptionId);
    expect(bobNow?.subscriptionId).toBe(carolNow?.subscriptionId);
    expect(bobNow?.subscriptionId).not.toBe(gone.subscriptionId);
  });
});

describe('renewDueSubscriptions', () => {
  it('renews what expires within 25 minutes and leaves the rest', async () => {
    const due = await covered([alice], 20);
    const later = await covered([bob], 30);

    const report = await renewDueSubscriptions(world.deps);

    expect(report).toEqual({ renewed: 1, recreated: 0, removed: 0, failed: 0 });
    expect(world.graph.called('renewSubscription')).toEqual([[due.graphId, new Date(at(59))]]);
    expect(await world.store.getSubscription(due.subscriptionId)).toEqual({ ...due, expiresAt: at(59) });
    expect(await world.store.getSubscription(later.subscriptionId)).toEqual(later);
    expect(world.metrics.counts.presenceSubscriptionRenewals).toBe(1);
  });

  it('forgets the due subscriptions of a tenant whose grant Microsoft refused, without calling Graph or counting a failure', async () => {
    const due = await covered([alice], 20);
    await world.store.updateTenant(ACCOUNT, { grantRevokedAt: at(0) });

    const report = await renewDueSubscriptions(world.deps);

    expect(report).toEqual({ renewed: 0, recreated: 0, removed: 1, failed: 0 });
    expect(world.graph.calls).toEqual([]);
    expect(await world.store.getSubscription(due.subscriptionId)).toBeUndefined();
  });

  it('removes a due subscription nobody watches any more, in Graph and in the store', async () => {
    const due = await covered([alice], 20);
    await world.store.removeWatches(session, [alice.id]);

    const report = await renewDueSubscriptions(world.deps);

    expect(report).toEqual({ renewed: 0, recreated: 0, removed: 1, failed: 0 });
    expect(world.graph.called('deleteSubscription')).toEqual([[due.graphId]]);
    expect(await world.store.getSubscription(due.subscriptionId)).toBeUndefined();
    expect((await world.store.getAccount(ACCOUNT))?.subscriptionIds).toEqual([]);
  });

  it('recreates a subscription Graph no longer knows, keeping our id, for the users still watched', async () => {
    const due = await covered([alice, bob], 20);
    await world.store.removeWatches(session, [bob.id]);
    world.graph.failNext('renewSubscription', new GraphSubscriptionGoneError(due.graphId));

    const report = await renewDueSubscriptions(world.deps);

    expect(report).toEqual({ renewed: 0, recreated: 1, removed: 0, failed: 0 });
    const [[created]] = world.graph.called('createSubscription') as [[{ userIds: string[]; clientState: string }]];
    expect(created.userIds).toEqual([alice.id]);
    const now = await world.store.getSubscription(due.subscriptionId);
    expect(now).toMatchObject({ subscriptionId: due.subscriptionId, userIds: [alice.id], expiresAt: at(59) });
    expect(now?.graphId).not.toBe(due.graphId);
    expect(await world.store.findSubscription(due.graphId)).toBeUndefined();
    expect(await world.store.findSubscription(now!.graphId)).toEqual({
      subscriptionId: due.subscriptionId,
      accountId: ACCOUNT,
      graphId: now!.graphId,
      clientState: created.clientState,
    });
    expect(await coverageOf([alice])).toEqual([due.subscriptionId]);
  });

  it('counts a failure and goes on with the next subscription', async () => {
    const first = await covered([alice], 10);
    const second = await covered([bob], 20);
    world.graph.failNext('renewSubscription', new GraphThrottledError(30));

    const report = await renewDueSubscriptions(world.deps);

    expect(report).toEqual({ renewed: 1, recreated: 0, removed: 0, failed: 1 });
    expect(world.graph.called('renewSubscription').map(([id]) => id)).toEqual([first.graphId, second.graphId]);
    expect(await world.store.getSubscription(first.subscriptionId)).toEqual(first);
    expect(world.metrics.counts.presenceSubscriptionRenewalFailures).toBe(1);
    expect(world.log.warnings).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ subscriptionId: first.subscriptionId }) }),
    ]);
  });

  it('does not make a second Graph subscription when renewing fails for another reason than a gone one', async () => {
    const due = await covered([alice], 20);
    world.graph.failNext('renewSubscription', new Error('socket hang up'));

    const report = await renewDueSubscriptions(world.deps);

    expect(report).toEqual({ renewed: 0, recreated: 0, removed: 0, failed: 1 });
    expect(world.graph.called('createSubscription')).toEqual([]);
    expect(await world.store.getSubscription(due.subscriptionId)).toEqual(due);
  });

  it('keeps the subscription for the next run when Graph will not make its replacement', async () => {
    const due = await covered([alice], 20);
    world.graph
      .failNext(
        'renewSubscription',
        new GraphSubscriptionGoneError(due.graphId),
        new GraphSubscriptionGoneError(due.graphId),
      )
      .failNext('createSubscription', new GraphThrottledError(30));
    const first = await renewDueSubscriptions(world.deps);
    const kept = await world.store.getSubscription(due.subscriptionId);

    const second = await renewDueSubscriptions(world.deps);

    expect(first).toEqual({ renewed: 0, recreated: 0, removed: 0, failed: 1 });
    expect(kept).toEqual(due);
    expect(second).toEqual({ renewed: 0, recreated: 1, removed: 0, failed: 0 });
    expect(await coverageOf([alice])).toEqual([due.subscriptionId]);
    expect((await world.store.getSubscription(due.subscriptionId))?.graphId).not.toBe(due.graphId);
  });
});

describe('handleLifecycle', () => {
  it('drops an event with the wrong clientState, or for a subscription it does not know, and touches nothing', async () => {
    const record = await covered([alice], 50);

    const wrong = await handleLifecycle(world.deps, {
      subscriptionId: record.graphId,
      clientState: 'guessed',
      lifecycleEvent: 'subscriptionRemoved',
    });
    const missing = await handleLifecycle(world.deps, {
      subscriptionId: record.graphId,
      lifecycleEvent: 'subscriptionRemoved',
    });
    const unknown = await handleLifecycle(world.deps, {
      subscriptionId: 'graph-unknown',
      clientState: record.clientState,
      lifecycleEvent: 'subscriptionRemoved',
    });

    expect([wrong, missing, unknown]).toEqual(['dropped', 'dropped', 'dropped']);
    expect(world.metrics.counts.presenceNotificationsDropped).toBe(3);
    expect(world.graph.calls).toEqual([]);
    expect(await world.store.getSubscription(record.subscriptionId)).toEqual(record);
  });

  it('reauthorizes on reauthorizationRequired', async () => {
    const record = await covered([alice], 50);

    const outcome = await handleLifecycle(world.deps, {
      subscriptionId: record.graphId,
      clientState: record.clientState,
      lifecycleEvent: 'reauthorizationRequired',
    });

    expect(outcome).toBe('done');
    expect(world.graph.called('reauthorizeSubscription')).toEqual([[record.graphId]]);
    expect(world.graph.called('createSubscription')).toEqual([]);
  });

  it('forgets a subscription nobody watches when Graph no longer knows it at reauthorization', async () => {
    const record = await covered([alice], 50);
    await world.store.removeWatches(session, [alice.id]);
    world.graph.failNext('reauthorizeSubscription', new GraphSubscriptionGoneError(record.graphId));

    const outcome = await handleLifecycle(world.deps, {
      subscriptionId: record.graphId,
      clientState: record.clientState,
      lifecycleEvent: 'reauthorizationRequired',
    });

    expect(outcome).toBe('done');
    expect(world.graph.called('createSubscription')).toEqual([]);
    expect(await world.store.getSubscription(record.subscriptionId)).toBeUndefined();
  });

  it('recreates a removed subscription keeping our id', async () => {
    const record = await covered([alice, bob], 50);

    const outcome = await handleLifecycle(world.deps, {
      subscriptionId: record.graphId,
      clientState: record.clientState,
      lifecycleEvent: 'subscriptionRemoved',
    });

    expect(outcome).toBe('done');
    const now = await world.store.getSubscription(record.subscriptionId);
    expect(now).toMatchObject({ subscriptionId: record.subscriptionId, userIds: [alice.id, bob.id] });
    expect(now?.graphId).not.toBe(record.graphId);
    expect(await world.store.findSubscription(now!.graphId)).toMatchObject({ subscriptionId: record.subscriptionId });
    expect(await coverageOf([alice, bob])).toEqual([record.subscriptionId, record.subscriptionId]);
  });

  it('reads what was missed, keeps it and queues a resync of the watched users', async () => {
    const record = await covered([alice, bob], 50);
    world.graph.presences.set(bob.id, { availability: 'Away', activity: 'Away' });

    const outcome = await handleLifecycle(world.deps, {
      subscriptionId: record.graphId,
      clientState: record.clientState,
      lifecycleEvent: 'missed',
    });

    expect(outcome).toBe('done');
    expect(world.graph.called('getPresences')).toEqual([[[alice.id, bob.id]]]);
    expect(world.queue.messages).toEqual([{ kind: 'resync', accountId: ACCOUNT, userIds: [alice.id, bob.id] }]);
    const [, bobNow] = await world.store.getWatchedUsers(ACCOUNT, [alice.id, bob.id]);
    expect(bobNow?.presence).toEqual({ availability: 'Away', activity: 'Away', at: at(0) });
  });
});

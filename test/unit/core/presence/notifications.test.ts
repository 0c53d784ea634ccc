import { fanOut, receiveNotifications } from '#lambdas/core/presence/notifications';
import type { PresenceUpdate, SessionRecord, SubscriptionRecord } from '#lambdas/core/presence/store';
import {
  connectedAccount,
  openedSession,
  presenceWorld,
  richNotification,
  user,
  type PresenceWorld,
} from '#test/support/presence-fixtures';

const ACCOUNT = 'acc_00000001';
const NEIGHBOUR = 'acc_00000002';
const alice = user('alice');
const bob = user('bob');
const NOW = '2026-03-02T09:00:00.000Z';

let world: PresenceWorld;

beforeEach(() => {
  world = presenceWorld();
});

/** The account's users watched by a session and covered by one subscription. */
async function watchedThrough(accountId: string, installationId: string, users = [alice, bob]) {
  await connectedAccount(world, accountId);
  const session = await openedSession(world, accountId, installationId);
  await world.store.addWatches(session, users);
  const subscription: SubscriptionRecord = {
    subscriptionId: `psub-${accountId}`,
    accountId,
    graphId: `graph-${accountId}`,
    clientState: `client-state-${accountId}`,
    userIds: users.map((u) => u.id),
    expiresAt: '2026-03-02T09:59:00.000Z',
  };
  await world.store.putSubscription(subscription);
  return { session, subscription };
}

const busy = (id: string) => ({ id, availability: 'Busy', activity: 'InACall' });

describe('receiveNotifications', () => {
  it('drops what has the wrong clientState, will not open, names no subscription of ours or is no notification', async () => {
    const { subscription } = await watchedThrough(ACCOUNT, 'inst_1');

    const report = await receiveNotifications(world.deps, {
      value: [
        richNotification(subscription.graphId, 'guessed', busy(alice.id)),
        richNotification(subscription.graphId, undefined, busy(alice.id)),
        richNotification(subscription.graphId, subscription.clientState, busy(alice.id), 'forged'),
        richNotification('graph-unknown', subscription.clientState, busy(alice.id)),
        { hello: 'world' },
      ],
    });

    expect(report).toEqual({ accepted: 0, dropped: 5, updates: 0 });
    expect(world.queue.messages).toEqual([]);
    expect((await world.store.getWatchedUsers(ACCOUNT, [alice.id]))[0]?.presence).toBeUndefined();
    expect(world.metrics.counts.presenceNotificationsDropped).toBe(5);
  });

  it('keeps a change and queues it for the fan-out; a repeat of it queues nothing', async () => {
    const { subscription } = await watchedThrough(ACCOUNT, 'inst_1');
    const notification = richNotification(subscription.graphId, subscription.clientState, busy(alice.id));
    const first = await receiveNotifications(world.deps, { value: [notification] });
    world.clock.advance(1000);

    const repeat = await receiveNotifications(world.deps, { value: [notification] });

    expect(first).toEqual({ accepted: 1, dropped: 0, updates: 1 });
    expect(repeat).toEqual({ accepted: 1, dropped: 0, updates: 0 });
    expect(world.queue.messages).toEqual([
      {
        kind: 'presence',
        accountId: ACCOUNT,
        updates: [{ userId: alice.id, upn: alice.upn, availability: 'Busy', activity: 'InACall', at: NOW }],
      },
    ]);
  });

  it('queues one message per account with that account’s updates', async () => {
    const ours = await watchedThrough(ACCOUNT, 'inst_1');
    const theirs = await watchedThrough(NEIGHBOUR, 'inst_2');
    const note = (s: SubscriptionRecord, id: string) => richNotification(s.graphId, s.clientState, busy(id));

    const report = await receiveNotifications(world.deps, {
      value: [note(ours.subscription, alice.id), note(theirs.subscription, alice.id), note(ours.subscription, bob.id)],
    });

    expect(report).toEqual({ accepted: 3, dropped: 0, updates: 3 });
    expect(
      world.queue.messages.map((m) => [m.accountId, m.kind === 'presence' && m.updates.map((u) => u.userId)]),
    ).toEqual([
      [ACCOUNT, [alice.id, bob.id]],
      [NEIGHBOUR, [alice.id]],
    ]);
  });
});

describe('fanOut', () => {
  let one: SessionRecord;
  let two: SessionRecord;
  let idle: SessionRecord;

  beforeEach(async () => {
    ({ session: one } = await watchedThrough(ACCOUNT, 'inst_1', [alice, bob]));
    two = await openedSession(world, ACCOUNT, 'inst_2');
    await world.store.addWatches(two, [bob]);
    idle = await openedSession(world, ACCOUNT, 'inst_3');
  });

  const update = (u: { id: string; upn: string }, availability: string): PresenceUpdate => ({
    userId: u.id,
    upn: u.upn,
    availability,
    activity: availability,
    at: NOW,
  });
  const presence = (u: { upn: string }, availability: string) => ({
    user: u.upn,
    availability,
    activity: availability,
    at: NOW,
  });

  it('sends each session one frame with only the users it watches', async () => {
    const result = await fanOut(world.deps, {
      kind: 'presence',
      accountId: ACCOUNT,
      updates: [update(alice, 'Busy'), update(bob, 'Away')],
    });

    expect(result).toEqual({ sent: 2, gone: 0 });
    expect(world.channel.framesTo(one.connectionId)).toEqual([
      { op: 'presence', updates: [presence(alice, 'Busy'), presence(bob, 'Away')] },
    ]);
    expect(world.channel.framesTo(two.connectionId)).toEqual([{ op: 'presence', updates: [presence(bob, 'Away')] }]);
    expect(world.channel.framesTo(idle.connectionId)).toEqual([]);
    expect(world.metrics.counts.presenceUpdatesSent).toBe(2);
  });

  it('forgets a session whose connection is gone, with its watches', async () => {
    world.channel.gone.add(two.connectionId);

    const result = await fanOut(world.deps, { kind: 'presence', accountId: ACCOUNT, updates: [update(bob, 'Away')] });

    expect(result).toEqual({ sent: 1, gone: 1 });
    expect(await world.store.getSession(two.connectionId)).toBeUndefined();
    expect((await world.store.watchersOf(ACCOUNT, [bob.id])).get(bob.id)).toEqual([one.connectionId]);
  });

  it('resyncs with the presences the store holds now', async () => {
    await world.store.recordPresence(ACCOUNT, { id: bob.id, availability: 'Away', activity: 'Away' }, NOW);

    await fanOut(world.deps, { kind: 'resync', accountId: ACCOUNT, userIds: [alice.id, bob.id] });

    expect(world.channel.framesTo(one.connectionId)).toEqual([{ op: 'resync', presences: [presence(bob, 'Away')] }]);
    expect(world.channel.framesTo(two.connectionId)).toEqual([{ op: 'resync', presences: [presence(bob, 'Away')] }]);
  });

  it('turns a notice into an error frame for every session of the account', async () => {
    const notice = { status: 503, title: 'Microsoft 365 connection lost', detail: 'Connect again in the portal.' };

    const result = await fanOut(world.deps, { kind: 'notice', accountId: ACCOUNT, ...notice });

    expect(result).toEqual({ sent: 3, gone: 0 });
    for (const s of [one, two, idle])
      expect(world.channel.framesTo(s.connectionId)).toEqual([{ op: 'error', ...notice }]);
  });
});

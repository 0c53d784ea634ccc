import { ForbiddenError, GoneError, UnauthorizedError, WrongRegionError } from '#lambdas/core/errors';
import { maxUsersPerInstallation } from '#lambdas/core/presence/frames';
import { GraphThrottledError } from '#lambdas/core/presence/ports';
import { handleFrame, openSession } from '#lambdas/core/presence/session';
import type { SessionRecord } from '#lambdas/core/presence/store';
import {
  connectedAccount,
  openedSession,
  presenceWorld,
  user,
  type PresenceWorld,
} from '#test/support/presence-fixtures';

const ACCOUNT = 'acc_00000001';
const alice = user('alice');
const bob = user('bob');

let world: PresenceWorld;

beforeEach(() => {
  world = presenceWorld();
  world.graph.withUsers(alice, bob);
});

const open = (installationId: string, connectionId = `conn-${installationId}`, verify = async () => {}) =>
  openSession(world.deps, { connectionId, installationId, verify });

const badSignature = async () => {
  throw new UnauthorizedError('Bad signature: it does not verify with the key registered for "inst_1".');
};

describe('openSession', () => {
  it('opens a session for an active installation of an account with Presence on and a tenant', async () => {
    await connectedAccount(world, ACCOUNT);
    world.licensing.addInstallation('inst_1', ACCOUNT);

    const session = await open('inst_1');

    expect(session).toEqual({
      connectionId: 'conn-inst_1',
      installationId: 'inst_1',
      accountId: ACCOUNT,
      connectedAt: '2026-03-02T09:00:00.000Z',
      users: 0,
      endsBy: '2026-03-02T11:00:00.000Z',
    });
    expect(await world.store.listSessions(ACCOUNT)).toEqual([session]);
  });

  it('refuses an unknown installation as it refuses a bad signature (401), telling nothing more', async () => {
    await connectedAccount(world, ACCOUNT);
    world.licensing.addInstallation('inst_1', ACCOUNT);

    const unknown = await open('inst_404').catch((e: unknown) => e);
    const forged = await open('inst_1', 'conn-2', badSignature).catch((e: unknown) => e);

    expect(unknown).toBeInstanceOf(UnauthorizedError);
    expect(forged).toBeInstanceOf(UnauthorizedError);
    expect(unknown).toMatchObject({ status: 401, type: (forged as UnauthorizedError).type });
    expect(String((unknown as Error).message)).not.toContain('inst_404');
    expect(await world.store.listSessions(ACCOUNT)).toEqual([]);
  });

  it('refuses a deactivated installation (410)', async () => {
    await connectedAccount(world, ACCOUNT);
    world.licensing.addInstallation('inst_1', ACCOUNT, 'deactivated');

    await expect(open('inst_1')).rejects.toBeInstanceOf(GoneError);
    expect(await world.store.listSessions(ACCOUNT)).toEqual([]);
  });

  it.each([
    ['Presence is off', { enabled: false }],
    ['no tenant is connected', { connected: false }],
  ])('refuses (403) when %s', async (_why, options) => {
    await connectedAccount(world, ACCOUNT, options);
    world.licensing.addInstallation('inst_1', ACCOUNT);

    await expect(open('inst_1')).rejects.toBeInstanceOf(ForbiddenError);
    expect(await world.store.listSessions(ACCOUNT)).toEqual([]);
  });

  it('refuses (403) when Microsoft revoked the tenant’s grant', async () => {
    await connectedAccount(world, ACCOUNT);
    await world.store.updateTenant(ACCOUNT, { grantRevokedAt: '2026-03-02T08:00:00.000Z' });
    world.licensing.addInstallation('inst_1', ACCOUNT);

    await expect(open('inst_1')).rejects.toMatchObject({ status: 403 });
  });

  it('answers 421 for an account homed in the other region', async () => {
    await connectedAccount(world, ACCOUNT, { region: 'us' });
    world.licensing.addInstallation('inst_1', ACCOUNT);

    await expect(open('inst_1')).rejects.toBeInstanceOf(WrongRegionError);
    expect(await world.store.listSessions(ACCOUNT)).toEqual([]);
  });

  it('closes the installation’s earlier session with its watches, and leaves other installations’ alone', async () => {
    await connectedAccount(world, ACCOUNT);
    const earlier = await openedSession(world, ACCOUNT, 'inst_1', 'conn-old');
    const neighbour = await openedSession(world, ACCOUNT, 'inst_2', 'conn-neighbour');
    await world.store.addWatches(earlier, [alice]);

    const session = await open('inst_1', 'conn-new');

    expect(world.channel.closed).toEqual(['conn-old']);
    expect((await world.store.listSessions(ACCOUNT)).map((s) => s.connectionId).sort()).toEqual(
      [neighbour.connectionId, session.connectionId].sort(),
    );
    expect(await world.store.getWatchedUsers(ACCOUNT, [alice.id])).toEqual([]);
  });
});

describe('handleFrame', () => {
  let session: SessionRecord;

  beforeEach(async () => {
    await connectedAccount(world, ACCOUNT);
    session = await openedSession(world, ACCOUNT, 'inst_1');
  });

  const frames = () => world.channel.framesTo(session.connectionId);
  const send = (frame: unknown) =>
    handleFrame(world.deps, session.connectionId, typeof frame === 'string' ? frame : JSON.stringify(frame));

  it('answers a frame that is not JSON with an error frame, and keeps nothing', async () => {
    await send('{"op":"subscribe",');

    expect(frames()).toEqual([
      { op: 'error', status: 400, title: 'Frame is not JSON', detail: expect.stringContaining('JSON') },
    ]);
    expect(world.graph.calls).toEqual([]);
    expect(world.store.watches.size).toBe(0);
  });

  it('answers an unknown op with an error frame naming op', async () => {
    await send({ op: 'watch', id: 'f1', users: [alice.upn] });

    expect(frames()).toEqual([
      { op: 'error', id: 'f1', status: 400, title: 'Frame is not valid', detail: expect.stringMatching(/^op: /) },
    ]);
    expect(world.store.watches.size).toBe(0);
  });

  it('answers a bad UPN with an error frame naming its path, and subscribes none of the frame', async () => {
    await send({ op: 'subscribe', id: 'f1', users: [alice.upn, 'not-a-upn'] });

    expect(frames()).toEqual([
      {
        op: 'error',
        id: 'f1',
        status: 400,
        title: 'Frame is not valid',
        detail: expect.stringMatching(/^users\.1: not a user principal name/),
      },
    ]);
    expect(world.graph.calls).toEqual([]);
    expect(world.store.watches.size).toBe(0);
  });

  it('acknowledges a subscribe with the count and the unknown UPNs, then sends the snapshot', async () => {
    world.graph.presences.set(bob.id, { availability: 'Busy', activity: 'InACall' });

    await send({ op: 'subscribe', id: 'f1', users: [alice.upn, 'Bob@Fabrikam.example', 'nobody@fabrikam.example'] });

    expect(frames()).toEqual([
      { op: 'ack', id: 'f1', subscribed: 2, unknown: ['nobody@fabrikam.example'] },
      {
        op: 'snapshot',
        presences: expect.arrayContaining([
          { user: alice.upn, availability: 'Available', activity: 'Available', at: '2026-03-02T09:00:00.000Z' },
          { user: bob.upn, availability: 'Busy', activity: 'InACall', at: '2026-03-02T09:00:00.000Z' },
        ]),
      },
    ]);
    expect((frames()[1] as { presences: unknown[] }).presences).toHaveLength(2);
    expect(world.graph.called('createSubscription')).toEqual([
      [expect.objectContaining({ userIds: expect.arrayContaining([alice.id, bob.id]) })],
    ]);
    expect((await world.store.getSession(session.connectionId))?.users).toBe(2);
  });

  it('subscribes the same users again without a new Graph subscription, and answers from the stored presence', async () => {
    await send({ op: 'subscribe', id: 'f1', users: [alice.upn, bob.upn] });
    const graphCalls = world.graph.calls.length;

    await send({ op: 'subscribe', id: 'f2', users: [alice.upn] });

    expect(frames().slice(2)).toEqual([
      { op: 'ack', id: 'f2', subscribed: 2 },
      {
        op: 'snapshot',
        presences: [
          { user: alice.upn, availability: 'Available', activity: 'Available', at: '2026-03-02T09:00:00.000Z' },
        ],
      },
    ]);
    expect(world.graph.calls.length).toBe(graphCalls);
  });

  it(`refuses a subscribe beyond ${maxUsersPerInstallation} users in all, and changes nothing`, async () => {
    const many = Array.from({ length: maxUsersPerInstallation - 1 }, (_, i) => user(`u${i}`));
    await world.store.addWatches(session, many);
    const watchesBefore = world.store.watches.size;

    await send({ op: 'subscribe', id: 'f1', users: [alice.upn, bob.upn] });

    expect(frames()).toEqual([
      {
        op: 'error',
        id: 'f1',
        status: 400,
        title: 'Too many users',
        detail: expect.stringContaining(String(maxUsersPerInstallation)),
      },
    ]);
    expect(world.store.watches.size).toBe(watchesBefore);
    expect(world.graph.calls).toEqual([]);
  });

  it('acknowledges an unsubscribe with the count left, and forgets a user nobody else watches', async () => {
    await send({ op: 'subscribe', id: 'f1', users: [alice.upn, bob.upn] });

    await send({ op: 'unsubscribe', id: 'f2', users: [bob.upn, 'nobody@fabrikam.example'] });

    expect(frames().slice(2)).toEqual([{ op: 'ack', id: 'f2', subscribed: 1 }]);
    expect(await world.store.watchedBy(session.connectionId)).toEqual([alice]);
    expect(await world.store.getWatchedUsers(ACCOUNT, [bob.id])).toEqual([]);
    expect((await world.store.getSession(session.connectionId))?.users).toBe(1);
  });

  it('answers ping with pong', async () => {
    await send({ op: 'ping' });

    expect(frames()).toEqual([{ op: 'pong' }]);
  });

  it('answers a throttled Graph with a 503 error frame saying how long to wait, and keeps nothing', async () => {
    world.graph.failures.set('resolveUsers', new GraphThrottledError(7));

    await send({ op: 'subscribe', id: 'f1', users: [alice.upn] });

    expect(frames()).toEqual([
      {
        op: 'error',
        id: 'f1',
        status: 503,
        title: 'Microsoft Graph is busy',
        detail: expect.stringContaining('wait 7 s'),
      },
    ]);
    expect(world.store.watches.size).toBe(0);
  });

  it('tells a connection whose session is gone to reconnect, and closes it', async () => {
    await world.store.deleteSession(session.connectionId);

    await send({ op: 'subscribe', id: 'f1', users: [alice.upn] });

    expect(frames()).toEqual([
      { op: 'error', id: 'f1', status: 410, title: 'Session is gone', detail: expect.any(String) },
    ]);
    expect(world.channel.closed).toEqual([session.connectionId]);
  });
});

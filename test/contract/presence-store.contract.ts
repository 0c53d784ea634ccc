/**
 * The PresenceStore contract, kept by the in-memory store (unit tests) and the DynamoDB one
 * (test/integration/adapters): one tenant per account, single-use sign-in states, sessions and
 * their watches counted per user, presence kept only while watched and only when it changed,
 * subscriptions by our id, Graph's id and expiry, and an erase that leaves only the switch.
 */
import type { DirectoryUser } from '#lambdas/core/presence/ports';
import type {
  AuthorizationRecord,
  PresenceStore,
  SessionRecord,
  SubscriptionRecord,
  TenantRecord,
} from '#lambdas/core/presence/store';
import { type FixedClock, T0 } from '#test/support/licensing-fixtures';

export interface PresenceStoreSubject {
  readonly store: PresenceStore;
  /** the clock the store reads (TTL-bound reads) */
  readonly clock: FixedClock;
  /** everything still held that names the account; the account's own item as its attributes without keys */
  remnants(accountId: string): Promise<unknown[]>;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

let counter = 0;
/** account ids unique within the run (the DynamoDB variant shares one table across the tests) */
const newAccountId = () => `acc_pc${process.pid}x${Date.now()}x${++counter}`;

const tenant = (overrides: Partial<TenantRecord> = {}): TenantRecord => ({
  tenantId: 'tenant-fabrikam',
  connectedBy: 'admin@fabrikam.example',
  connectedAt: T0.toISOString(),
  sealedRefreshToken: 'sealed-1',
  ...overrides,
});

const session = (accountId: string, connectionId: string, clock: FixedClock): SessionRecord => ({
  connectionId: `${connectionId}-${accountId}`,
  installationId: `inst-${connectionId}`,
  accountId,
  connectedAt: clock.now().toISOString(),
  users: 0,
  endsBy: new Date(clock.now().getTime() + 2 * HOUR_MS).toISOString(),
});

const user = (name: string): DirectoryUser => ({ id: `id-${name}`, upn: `${name}@fabrikam.example` });
const alice = user('alice');
const bob = user('bob');
const carol = user('carol');

const subscription = (accountId: string, n: number, expiresAt: string): SubscriptionRecord => ({
  subscriptionId: `psub-${n}-${accountId}`,
  accountId,
  graphId: `graph-${n}-${accountId}`,
  clientState: `state-${n}`,
  userIds: [alice.id, bob.id],
  expiresAt,
});

const byId = <T extends { id: string }>(list: readonly T[]) => [...list].sort((a, b) => (a.id < b.id ? -1 : 1));

export function presenceStoreContract(
  name: string,
  subject: () => PresenceStoreSubject | Promise<PresenceStoreSubject>,
) {
  describe(`${name} keeps the PresenceStore contract`, () => {
    describe('the account', () => {
      it('knows no account it was never told of, and keeps the switch', async () => {
        const { store } = await subject();
        const accountId = newAccountId();

        const before = await store.getAccount(accountId);
        await store.setEnabled(accountId, true);

        expect(before).toBeUndefined();
        expect(await store.getAccount(accountId)).toEqual({ accountId, enabled: true, subscriptionIds: [] });
      });

      it('refuses a second tenant and keeps the first', async () => {
        const { store } = await subject();
        const accountId = newAccountId();
        await store.setEnabled(accountId, true);

        const first = await store.putTenant(accountId, tenant());
        const second = await store.putTenant(accountId, tenant({ tenantId: 'tenant-contoso' }));

        expect([first, second]).toEqual([true, false]);
        expect((await store.getAccount(accountId))?.tenant).toEqual(tenant());
      });

      it('updates the connected tenant, and creates none when there is none', async () => {
        const { store } = await subject();
        const connected = newAccountId();
        const bare = newAccountId();
        await store.putTenant(connected, tenant());
        await store.setEnabled(bare, true);

        await store.updateTenant(connected, { sealedRefreshToken: 'sealed-2' });
        await store.updateTenant(connected, { grantRevokedAt: '2026-03-02T10:00:00.000Z' });
        await store.updateTenant(bare, { sealedRefreshToken: 'sealed-2' });

        expect((await store.getAccount(connected))?.tenant).toEqual(
          tenant({ sealedRefreshToken: 'sealed-2', grantRevokedAt: '2026-03-02T10:00:00.000Z' }),
        );
        expect((await store.getAccount(bare))?.tenant).toBeUndefined();
      });
    });

    it('gives a pending authorization back once', async () => {
      const { store } = await subject();
      const record: AuthorizationRecord = {
        state: `state-${newAccountId()}`,
        accountId: newAccountId(),
        codeVerifier: 'verifier',
        redirectUri: 'https://api.eu.ucx-cloud.test/v1/presence/callback',
        returnTo: 'https://portal.ucx-cloud.test/accounts/x',
        actor: { kind: 'customer', id: 'sub-1' },
        expiresAt: '2026-03-02T09:10:00.000Z',
      };
      await store.putAuthorization(record);

      const first = await store.takeAuthorization(record.state);
      const second = await store.takeAuthorization(record.state);
      const unknown = await store.takeAuthorization(`${record.state}-other`);

      expect(first).toEqual(record);
      expect(second).toBeUndefined();
      expect(unknown).toBeUndefined();
    });

    describe('sessions', () => {
      it('lists the account’s live sessions only, and none past its end', async () => {
        const { store, clock } = await subject();
        const accountId = newAccountId();
        const other = newAccountId();
        const early = session(accountId, 'c1', clock);
        clock.advance(HOUR_MS);
        const later = session(accountId, 'c2', clock);
        await store.putSession(early);
        await store.putSession(later);
        await store.putSession(session(other, 'c3', clock));

        const both = await store.listSessions(accountId);
        clock.advance(HOUR_MS);
        const oneLeft = await store.listSessions(accountId);

        expect(byConnection(both)).toEqual(byConnection([early, later]));
        expect(oneLeft).toEqual([later]);
        expect(await store.getSession(later.connectionId)).toEqual(later);
        expect(await store.getSession('nobody')).toBeUndefined();
      });

      it('deletes a session with its watches, the users only it watched with them', async () => {
        const { store, clock } = await subject();
        const accountId = newAccountId();
        const one = session(accountId, 'c1', clock);
        const two = session(accountId, 'c2', clock);
        await store.putSession(one);
        await store.putSession(two);
        await store.addWatches(one, [alice, bob]);
        await store.addWatches(two, [alice]);

        await store.deleteSession(one.connectionId);

        expect(await store.getSession(one.connectionId)).toBeUndefined();
        expect(await store.watchedBy(one.connectionId)).toEqual([]);
        expect(await store.getWatchedUsers(accountId, [alice.id, bob.id])).toEqual([{ ...alice, watchers: 1 }]);
        expect(await store.watchersOf(accountId, [alice.id, bob.id])).toEqual(
          new Map([
            [alice.id, [two.connectionId]],
            [bob.id, []],
          ]),
        );
        expect(await store.listSessions(accountId)).toEqual([two]);
      });
    });

    it('caches UPNs for 7 days', async () => {
      const { store, clock } = await subject();
      const accountId = newAccountId();
      await store.cacheUsers(accountId, [alice, bob]);

      const fresh = await store.cachedUsers(accountId, [alice.upn, bob.upn, carol.upn]);
      clock.advance(7 * DAY_MS - 1000);
      const lastSecond = await store.cachedUsers(accountId, [alice.upn]);
      clock.advance(1000);
      const expired = await store.cachedUsers(accountId, [alice.upn, bob.upn]);

      expect(byId(fresh)).toEqual([alice, bob]);
      expect(lastSecond).toEqual([alice]);
      expect(expired).toEqual([]);
      expect(await store.cachedUsers(newAccountId(), [alice.upn])).toEqual([]);
    });

    describe('watches', () => {
      it('counts a user’s watchers across sessions, once per session however often it subscribes', async () => {
        const { store, clock } = await subject();
        const accountId = newAccountId();
        const one = session(accountId, 'c1', clock);
        const two = session(accountId, 'c2', clock);

        const first = await store.addWatches(one, [alice, bob]);
        const second = await store.addWatches(two, [alice]);
        const again = await store.addWatches(one, [alice, bob]);

        expect(byId(first)).toEqual([
          { ...alice, watchers: 1 },
          { ...bob, watchers: 1 },
        ]);
        expect(second).toEqual([{ ...alice, watchers: 2 }]);
        expect(byId(again)).toEqual([
          { ...alice, watchers: 2 },
          { ...bob, watchers: 1 },
        ]);
        expect(byId(await store.watchedBy(one.connectionId))).toEqual([alice, bob]);
        expect(await store.watchedBy(two.connectionId)).toEqual([alice]);
        const watchers = await store.watchersOf(accountId, [alice.id, bob.id, carol.id]);
        expect(watchers.get(alice.id)?.sort()).toEqual([one.connectionId, two.connectionId].sort());
        expect(watchers.get(bob.id)).toEqual([one.connectionId]);
        expect(watchers.get(carol.id)).toEqual([]);
      });

      it('forgets a user with its presence when the last watcher leaves, and ignores a watch the session never had', async () => {
        const { store, clock } = await subject();
        const accountId = newAccountId();
        const one = session(accountId, 'c1', clock);
        const two = session(accountId, 'c2', clock);
        await store.addWatches(one, [alice, bob]);
        await store.addWatches(two, [alice]);
        await store.recordPresence(accountId, { id: bob.id, availability: 'Busy', activity: 'InACall' }, 'T1');

        await store.removeWatches(two, [bob.id]);
        const bobStillWatched = await store.getWatchedUsers(accountId, [bob.id]);
        await store.removeWatches(one, [alice.id, bob.id]);
        await store.removeWatches(one, [alice.id]);

        expect(bobStillWatched).toEqual([
          { ...bob, watchers: 1, presence: { availability: 'Busy', activity: 'InACall', at: 'T1' } },
        ]);
        expect(await store.getWatchedUsers(accountId, [alice.id, bob.id])).toEqual([{ ...alice, watchers: 1 }]);
        expect(await store.watchedBy(one.connectionId)).toEqual([]);
        expect(
          await store.recordPresence(accountId, { id: bob.id, availability: 'Busy', activity: 'InACall' }, 'T2'),
        ).toBeUndefined();
        const back = await store.addWatches(one, [bob]);
        expect(back).toEqual([{ ...bob, watchers: 1 }]);
      });

      it('records which subscription covers a watched user, and creates no user for an unwatched one', async () => {
        const { store, clock } = await subject();
        const accountId = newAccountId();
        const one = session(accountId, 'c1', clock);
        await store.addWatches(one, [alice, bob]);

        await store.setCoverage(accountId, 'psub-1', [alice.id, carol.id]);

        expect(byId(await store.getWatchedUsers(accountId, [alice.id, bob.id, carol.id]))).toEqual([
          { ...alice, watchers: 1, subscriptionId: 'psub-1' },
          { ...bob, watchers: 1 },
        ]);
        const [again] = await store.addWatches(one, [alice]);
        expect(again).toEqual({ ...alice, watchers: 1, subscriptionId: 'psub-1' });
      });
    });

    it('stores presence only for watched users, and answers a repeat with nothing', async () => {
      const { store, clock } = await subject();
      const accountId = newAccountId();
      await store.addWatches(session(accountId, 'c1', clock), [alice]);
      const busy = { id: alice.id, availability: 'Busy', activity: 'InACall' };

      const first = await store.recordPresence(accountId, busy, '2026-03-02T09:01:00.000Z');
      const repeat = await store.recordPresence(accountId, busy, '2026-03-02T09:02:00.000Z');
      const changed = await store.recordPresence(
        accountId,
        { ...busy, activity: 'InAMeeting' },
        '2026-03-02T09:03:00.000Z',
      );
      const unwatched = await store.recordPresence(
        accountId,
        { id: bob.id, availability: 'Away', activity: 'Away' },
        '2026-03-02T09:04:00.000Z',
      );

      expect(first).toEqual({
        userId: alice.id,
        upn: alice.upn,
        availability: 'Busy',
        activity: 'InACall',
        at: '2026-03-02T09:01:00.000Z',
      });
      expect(repeat).toBeUndefined();
      expect(changed).toMatchObject({ activity: 'InAMeeting', at: '2026-03-02T09:03:00.000Z' });
      expect(unwatched).toBeUndefined();
      expect(await store.getWatchedUsers(accountId, [alice.id, bob.id])).toEqual([
        {
          ...alice,
          watchers: 1,
          presence: { availability: 'Busy', activity: 'InAMeeting', at: '2026-03-02T09:03:00.000Z' },
        },
      ]);
    });

    it('keeps subscriptions by our id and Graph’s, lists the due ones oldest first, and deletes them', async () => {
      const { store } = await subject();
      const accountId = newAccountId();
      // years no other test uses: the DynamoDB variant's due list spans the whole table
      const late = subscription(accountId, 1, '2001-01-01T10:30:00.000Z');
      const early = subscription(accountId, 2, '2001-01-01T10:10:00.000Z');
      const notDue = subscription(accountId, 3, '2001-01-01T11:00:00.000Z');
      for (const record of [late, early, notDue]) await store.putSubscription(record);

      const due = await store.subscriptionsDue('2001-01-01T10:45:00.000Z', 10);
      const oldest = await store.subscriptionsDue('2001-01-01T10:45:00.000Z', 1);
      await store.putSubscription({ ...early, expiresAt: '2001-01-01T11:10:00.000Z' });
      const afterRenewal = await store.subscriptionsDue('2001-01-01T10:45:00.000Z', 10);
      await store.deleteSubscription(late);

      expect(due).toEqual([early, late]);
      expect(oldest).toEqual([early]);
      expect(afterRenewal).toEqual([late]);
      expect(await store.getSubscription(early.subscriptionId)).toEqual({
        ...early,
        expiresAt: '2001-01-01T11:10:00.000Z',
      });
      expect(await store.findSubscription(notDue.graphId)).toEqual({
        subscriptionId: notDue.subscriptionId,
        accountId,
        graphId: notDue.graphId,
        clientState: notDue.clientState,
      });
      expect(await store.getSubscription(late.subscriptionId)).toBeUndefined();
      expect(await store.findSubscription(late.graphId)).toBeUndefined();
      expect([...((await store.getAccount(accountId))?.subscriptionIds ?? [])].sort()).toEqual(
        [early.subscriptionId, notDue.subscriptionId].sort(),
      );
    });

    it('erases the tenant and all it brought, keeping only the switch', async () => {
      const { store, clock, remnants } = await subject();
      const accountId = newAccountId();
      const neighbour = newAccountId();
      await store.setEnabled(accountId, true);
      await store.putTenant(accountId, tenant());
      const one = session(accountId, 'c1', clock);
      const two = session(accountId, 'c2', clock);
      // a session whose end has passed but which the table still holds (TTL is lazy)
      const ended = { ...session(accountId, 'c3', clock), endsBy: clock.now().toISOString() };
      for (const s of [one, two, ended]) await store.putSession(s);
      await store.addWatches(one, [alice, bob]);
      await store.addWatches(two, [alice]);
      await store.addWatches(ended, [carol]);
      await store.cacheUsers(accountId, [alice, bob, carol]);
      await store.recordPresence(accountId, { id: alice.id, availability: 'Busy', activity: 'InACall' }, 'T1');
      const covering = subscription(accountId, 1, '2026-03-02T10:00:00.000Z');
      await store.putSubscription(covering);
      await store.setCoverage(accountId, covering.subscriptionId, [alice.id, bob.id]);
      const theirs = session(neighbour, 'c1', clock);
      await store.putSession(theirs);
      await store.addWatches(theirs, [alice]);

      await store.eraseTenant(accountId);

      expect(await store.getAccount(accountId)).toEqual({ accountId, enabled: true, subscriptionIds: [] });
      expect(await remnants(accountId)).toEqual([{ enabled: true }]);
      expect(await store.getWatchedUsers(neighbour, [alice.id])).toEqual([{ ...alice, watchers: 1 }]);
      expect(await store.listSessions(neighbour)).toEqual([theirs]);
    });

    it('forgets a closed account whole: the switch too, nothing left, the neighbour untouched', async () => {
      const { store, clock, remnants } = await subject();
      const accountId = newAccountId();
      const neighbour = newAccountId();
      await store.setEnabled(accountId, true);
      await store.putTenant(accountId, tenant());
      const one = session(accountId, 'c1', clock);
      await store.putSession(one);
      await store.addWatches(one, [alice]);
      await store.setEnabled(neighbour, true);

      await store.forgetAccount(accountId);
      await store.forgetAccount(accountId);

      expect(await store.getAccount(accountId)).toBeUndefined();
      expect(await remnants(accountId)).toEqual([]);
      expect(await store.getAccount(neighbour)).toEqual({ accountId: neighbour, enabled: true, subscriptionIds: [] });
    });
  });
}

const byConnection = (list: readonly SessionRecord[]) =>
  [...list].sort((a, b) => (a.connectionId < b.connectionId ? -1 : 1));

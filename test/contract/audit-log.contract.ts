/**
 * What every AuditLogReader must do, driven through the ports alone: events are written as the
 * licensing repository's commits write them (here with activation keys, the smallest commit) and
 * read back newest first, by time range and action, page by page after a cursor.
 */
import { auditSortKey } from '#lambdas/core/licensing/list-audit-events';
import type { AuditEvent } from '#lambdas/core/licensing/model';
import {
  activationKeyRecord,
  auditEvent,
  type ContractWorld,
  givenAccount,
  type LicensingStore,
} from '#test/contract/licensing-records';
import { FixedClock, SequentialIds } from '#test/support/licensing-fixtures';

const MINUTE_MS = 60_000;

export function auditLogContract(name: string, makeStore: () => LicensingStore | Promise<LicensingStore>): void {
  describe(`${name} (AuditLogReader contract)`, () => {
    const ids = new SequentialIds();
    let world: ContractWorld;

    beforeEach(async () => {
      world = { ...(await makeStore()), clock: new FixedClock(), ids };
    });

    /** Writes one event per action, a minute apart (`sameInstant`: all at the clock's time). */
    async function given(accountId: string, actions: readonly string[], options: { sameInstant?: boolean } = {}) {
      const written: AuditEvent[] = [];
      for (const action of actions) {
        if (!options.sameInstant) world.clock.advance(MINUTE_MS);
        const event = auditEvent(world, accountId, action, { n: written.length });
        const key = activationKeyRecord(world, accountId, { 'attendant-console': 1 });
        await world.repository.putActivationKey(key, event);
        written.push(event);
      }
      return written;
    }

    const newestFirst = (events: readonly AuditEvent[]) => [...events].reverse();

    it('reads an account that has no events as an empty last page', async () => {
      // Act
      const page = await world.auditLog.auditEvents('acc_never', { limit: 10 });

      // Assert
      expect(page).toEqual({ events: [], more: false });
    });

    it("reads the account's events newest first, and no other account's", async () => {
      // Arrange
      const account = await givenAccount(world);
      const other = await givenAccount(world);
      const written = await given(account.accountId, ['a.one', 'a.two', 'a.three']);
      await given(other.accountId, ['b.one']);

      // Act
      const page = await world.auditLog.auditEvents(account.accountId, { limit: 10 });

      // Assert
      expect(page.events.filter((e) => e.action.startsWith('a.'))).toEqual(newestFirst(written));
      expect(page.events.every((e) => e.accountId === account.accountId)).toBe(true);
      expect(page.more).toBe(false);
    });

    it('orders events of one instant by their event id, newest first', async () => {
      // Arrange
      const account = await givenAccount(world);
      world.clock.advance(MINUTE_MS);
      const written = await given(account.accountId, ['x.one', 'x.two', 'x.three'], { sameInstant: true });

      // Act
      const page = await world.auditLog.auditEvents(account.accountId, { limit: 3 });

      // Assert
      expect(page.events).toEqual(newestFirst(written));
    });

    it('reads the events from `from` to `to`, both included', async () => {
      // Arrange
      const account = await givenAccount(world);
      const written = await given(account.accountId, ['e.0', 'e.1', 'e.2', 'e.3', 'e.4']);

      // Act
      const page = await world.auditLog.auditEvents(account.accountId, {
        from: written[1]!.at,
        to: written[3]!.at,
        limit: 10,
      });

      // Assert
      expect(page).toEqual({ events: newestFirst(written.slice(1, 4)), more: false });
    });

    it('pages by limit after the last event returned, saying whether more follow', async () => {
      // Arrange
      const account = await givenAccount(world);
      const written = newestFirst(await given(account.accountId, ['p.0', 'p.1', 'p.2', 'p.3', 'p.4', 'p.5']));
      const from = written.at(-1)!.at;

      // Act
      const first = await world.auditLog.auditEvents(account.accountId, { from, limit: 4 });
      const after = auditSortKey(first.events.at(-1)!);
      const second = await world.auditLog.auditEvents(account.accountId, { from, limit: 2, after });

      // Assert
      expect(first).toEqual({ events: written.slice(0, 4), more: true });
      expect(second).toEqual({ events: written.slice(4), more: false });
    });

    it('filters by action, filling each page and paging past events of other actions', async () => {
      // Arrange
      const account = await givenAccount(world);
      const written = newestFirst(
        await given(account.accountId, ['keep', 'skip', 'skip', 'skip', 'keep', 'skip', 'skip', 'keep', 'skip']),
      );
      const kept = written.filter((e) => e.action === 'keep');

      // Act
      const first = await world.auditLog.auditEvents(account.accountId, { action: 'keep', limit: 2 });
      const after = auditSortKey(first.events.at(-1)!);
      const second = await world.auditLog.auditEvents(account.accountId, { action: 'keep', limit: 2, after });

      // Assert
      expect(first).toEqual({ events: kept.slice(0, 2), more: true });
      expect(second).toEqual({ events: kept.slice(2), more: false });
    });

    it('reads nothing after a cursor older than the range, and the whole range after one newer than it', async () => {
      // Arrange: a cursor is the client's to send, with whatever range it asks next
      const account = await givenAccount(world);
      const written = await given(account.accountId, ['r.0', 'r.1', 'r.2', 'r.3', 'r.4']);
      const range = { from: written[2]!.at, to: written[3]!.at, limit: 10 };

      // Act
      const afterOlder = await world.auditLog.auditEvents(account.accountId, {
        ...range,
        after: auditSortKey(written[1]!),
      });
      const afterNewer = await world.auditLog.auditEvents(account.accountId, {
        ...range,
        after: auditSortKey(written[4]!),
      });

      // Assert
      expect(afterOlder).toEqual({ events: [], more: false });
      expect(afterNewer).toEqual({ events: newestFirst(written.slice(2, 4)), more: false });
    });
  });
}

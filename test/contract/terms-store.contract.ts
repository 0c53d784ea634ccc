/**
 * The TermsStore contract, kept by the in-memory store (unit tests) and the DynamoDB one
 * (test/integration/adapters): versions numbered once, consent transitions only from the statuses
 * named (with their audit event), a notice claimed once, and every account and record listed once
 * across pages.
 */
import type { AccountRef, TermsStore } from '#lambdas/core/accounts/terms';
import type { ConsentRecord, TermsVersion } from '#lambdas/core/accounts/terms-model';
import type { AuditEvent } from '#lambdas/core/licensing/model';

export interface TermsStoreSubject {
  readonly store: TermsStore;
  auditOf(accountId: string): Promise<AuditEvent[]>;
  /** makes an account exist (its `ACC#/META` item) */
  /** with `createdAt`, also where the back office lists accounts by creation (NEWACC#) */
  addAccount(accountId: string, region: AccountRef['region'], createdAt?: string): Promise<void>;
}

let counter = 0;
const newAccountId = () => `acc_tc${process.pid}x${Date.now()}x${++counter}`;
/** version numbers unique within the run (the DynamoDB variant shares one table across the tests) */
let nextVersion = 100 + (Date.now() % 1000) * 100;

const version = (n: number): TermsVersion => ({
  version: n,
  title: `Terms ${n}`,
  text: 'The new terms.',
  summary: 'What changes.',
  effectiveAt: '2027-01-01T00:00:00.000Z',
  publishedAt: '2026-03-02T09:00:00.000Z',
  publishedBy: 'sub-backoffice-1',
});

const event = (accountId: string, action: string, n: number): AuditEvent => ({
  accountId,
  at: `2026-03-02T09:00:0${n}.000Z`,
  eventId: `evt_${accountId}_${n}`,
  actor: { kind: 'customer', id: 'sub-1' },
  action,
  details: { n },
});

const accepted = (accountId: string, v: number): ConsentRecord => ({
  accountId,
  version: v,
  status: 'accepted',
  at: '2026-03-03T10:00:00.000Z',
  by: { sub: 'sub-1', email: 'admin@example.com' },
});

export function termsStoreContract(name: string, makeSubject: () => TermsStoreSubject): void {
  describe(`${name} keeps the TermsStore contract`, () => {
    let subject: TermsStoreSubject;
    beforeEach(() => {
      subject = makeSubject();
    });

    it('numbers a version once: publishing the same number again is refused', async () => {
      // Arrange
      const n = nextVersion++;

      // Act
      const first = await subject.store.putVersion(version(n));
      const second = await subject.store.putVersion({ ...version(n), title: 'Other' });

      // Assert
      expect([first, second]).toEqual([true, false]);
      expect((await subject.store.listVersions()).find((v) => v.version === n)).toEqual(version(n));
    });

    it('writes a consent only from the statuses named, with its audit event', async () => {
      // Arrange
      const accountId = newAccountId();
      const n = nextVersion++;

      // Act
      const first = await subject.store.transition(
        accepted(accountId, n),
        ['none', 'pending'],
        event(accountId, 'terms.accepted', 1),
      );
      const again = await subject.store.transition(
        accepted(accountId, n),
        ['none', 'pending'],
        event(accountId, 'terms.accepted', 2),
      );

      // Assert
      expect([first, again]).toEqual([true, false]);
      expect(await subject.store.getConsent(accountId, n)).toEqual(accepted(accountId, n));
      expect(await subject.store.listConsents(accountId)).toEqual([accepted(accountId, n)]);
      expect((await subject.auditOf(accountId)).map((e) => e.eventId)).toEqual([`evt_${accountId}_1`]);
    });

    it('replaces an objection by an acceptance, dropping the reason and keeping the notice', async () => {
      // Arrange
      const accountId = newAccountId();
      const n = nextVersion++;
      await subject.store.ensurePending(accountId, n);
      await subject.store.claimNotice(accountId, n, '2026-03-02T10:00:00.000Z');
      await subject.store.finishNotice(accountId, n, {
        at: '2026-03-02T10:00:00.000Z',
        recipients: 2,
        audit: event(accountId, 'terms.published', 1),
      });
      const objection: ConsentRecord = { ...accepted(accountId, n), status: 'objected', reason: 'No.' };
      await subject.store.transition(objection, ['pending'], event(accountId, 'terms.objected', 2));

      // Act
      const changed = await subject.store.transition(
        { ...accepted(accountId, n), previousObjection: { at: objection.at!, by: objection.by!, reason: 'No.' } },
        ['objected'],
        event(accountId, 'terms.accepted', 3),
      );

      // Assert
      expect(changed).toBe(true);
      expect(await subject.store.getConsent(accountId, n)).toEqual({
        ...accepted(accountId, n),
        previousObjection: { at: objection.at, by: objection.by, reason: 'No.' },
        noticeSentAt: '2026-03-02T10:00:00.000Z',
        noticeRecipients: 2,
      });
      expect((await subject.auditOf(accountId)).map((e) => e.action)).toEqual([
        'terms.published',
        'terms.objected',
        'terms.accepted',
      ]);
    });

    it('writes pending only where no record is, and lets one claim a notice until released', async () => {
      // Arrange
      const accountId = newAccountId();
      const other = newAccountId();
      const n = nextVersion++;
      await subject.store.transition(accepted(other, n), ['none'], event(other, 'terms.accepted', 1));

      // Act
      await subject.store.ensurePending(accountId, n);
      await subject.store.ensurePending(other, n);
      const claims = [
        await subject.store.claimNotice(accountId, n, '2026-03-02T10:00:00.000Z'),
        await subject.store.claimNotice(accountId, n, '2026-03-02T10:00:01.000Z'),
      ];
      await subject.store.finishNotice(accountId, n, null);
      const afterRelease = await subject.store.claimNotice(accountId, n, '2026-03-02T10:00:02.000Z');

      // Assert
      expect(claims).toEqual([true, false]);
      expect(afterRelease).toBe(true);
      expect((await subject.store.getConsent(accountId, n))?.status).toBe('pending');
      expect((await subject.store.getConsent(other, n))?.status).toBe('accepted');
    });

    it("lists a version's records page by page, each once, and by status", async () => {
      // Arrange
      const n = nextVersion++;
      const ids = [newAccountId(), newAccountId(), newAccountId(), newAccountId(), newAccountId()];
      for (const id of ids) await subject.store.ensurePending(id, n);
      await subject.store.transition(accepted(ids[1]!, n), ['pending'], event(ids[1]!, 'terms.accepted', 1));

      // Act
      const seen: ConsentRecord[] = [];
      let cursor: string | undefined;
      do {
        const page = await subject.store.listVersionConsents(n, { limit: 2, ...(cursor && { cursor }) });
        seen.push(...page.records);
        cursor = page.cursor;
      } while (cursor);
      const pending: ConsentRecord[] = [];
      cursor = undefined;
      do {
        const page = await subject.store.listVersionConsents(n, {
          limit: 2,
          status: 'pending',
          ...(cursor && { cursor }),
        });
        pending.push(...page.records);
        cursor = page.cursor;
      } while (cursor);

      // Assert
      expect(seen.map((r) => r.accountId).sort()).toEqual([...ids].sort());
      expect(pending.map((r) => r.accountId).sort()).toEqual(ids.filter((id) => id !== ids[1]).sort());
    });

    it('lists the accounts created in a window, oldest first, across pages and months, resuming after a position', async () => {
      // Arrange
      const ids = [newAccountId(), newAccountId(), newAccountId(), newAccountId()];
      await subject.addAccount(ids[0]!, 'eu', '2031-01-31T23:00:00.000Z'); // before the window
      await subject.addAccount(ids[1]!, 'eu', '2031-02-01T10:00:00.000Z');
      await subject.addAccount(ids[2]!, 'us', '2031-03-05T10:00:00.000Z');
      await subject.addAccount(ids[3]!, 'eu', '2031-03-20T10:00:00.000Z'); // after it

      // Act
      const found: string[] = [];
      let after: string | undefined;
      let more = true;
      while (more) {
        const page = await subject.store.listAccountsCreated(
          '2031-02-01T00:00:00.000Z',
          '2031-03-20T10:00:00.000Z',
          after,
          1,
        );
        found.push(...page.accounts.map((a) => a.accountId));
        after = page.last;
        more = page.more;
      }
      const resumed = await subject.store.listAccountsCreated(
        '2031-02-01T00:00:00.000Z',
        '2031-03-21T00:00:00.000Z',
        after,
        10,
      );

      // Assert
      expect(found).toEqual([ids[1], ids[2]]);
      expect(resumed.accounts.map((a) => a.accountId)).toEqual([ids[3]]);
      expect(resumed.more).toBe(false);
    });

    it('lists every account with its home region across pages, and keeps the job progress', async () => {
      // Arrange
      const ids = [newAccountId(), newAccountId(), newAccountId()];
      await subject.addAccount(ids[0]!, 'eu');
      await subject.addAccount(ids[1]!, 'us');
      await subject.addAccount(ids[2]!, 'eu');
      const n = nextVersion++;

      // Act
      const found: AccountRef[] = [];
      let cursor: string | undefined;
      do {
        const page = await subject.store.listAccounts(cursor, 1);
        found.push(...page.accounts);
        cursor = page.cursor;
      } while (cursor);
      const before = await subject.store.getProgress(n);
      await subject.store.putVersion(version(n));
      await subject.store.saveProgress(n, { cursor: 'abc', done: false });
      const after = await subject.store.getProgress(n);

      // Assert
      expect(
        found
          .filter((a) => ids.includes(a.accountId))
          .map(({ accountId, region }) => ({ accountId, region }))
          .sort((a, b) => a.accountId.localeCompare(b.accountId)),
      ).toEqual([
        { accountId: ids[0], region: 'eu' },
        { accountId: ids[1], region: 'us' },
        { accountId: ids[2], region: 'eu' },
      ]);
      expect(before).toEqual({ done: false });
      expect(after).toEqual({ cursor: 'abc', done: false });
    });
  });
}

/** Terms versions and consent in the core, on the in-memory store and a clock the tests move. */
import {
  acceptTerms,
  accountTerms,
  appliedVersion,
  consentsCsv,
  listTerms,
  objectToTerms,
  publishTerms,
  runTermsJob,
  type Mailer,
  type TermsJobDeps,
} from '#lambdas/core/accounts/terms';
import { seedTermsVersions, type ConsentRecord, type TermsVersion } from '#lambdas/core/accounts/terms-model';
import type { Principal } from '#lambdas/core/licensing/access';
import { ConflictError, ForbiddenError, ValidationError } from '#lambdas/core/errors';
import {
  DAY_MS,
  FixedClock,
  principals,
  RecordingLogger,
  RESELLER_ID,
  SequentialIds,
  T0,
} from '#test/support/licensing-fixtures';
import { MemoryTermsStore } from '#test/support/memory-terms-store';

class RecordingMailer implements Mailer {
  readonly sent: { to: string; subject: string; text: string }[] = [];
  failFor?: string;
  async send(message: { to: string; subject: string; text: string }): Promise<void> {
    if (message.to === this.failFor) throw new Error('SES refused');
    this.sent.push(message);
  }
}

const ACCOUNTS = ['acc_00000101', 'acc_00000102', 'acc_00000103'] as const;

function setup() {
  const store = new MemoryTermsStore();
  const clock = new FixedClock(T0);
  const mailer = new RecordingMailer();
  for (const id of ACCOUNTS) store.addAccount(id, 'eu');
  store.addAccount('acc_00000999', 'us');
  const known = new Set<string>([...ACCOUNTS, 'acc_00000999']);
  const closed = new Set<string>();
  const deps: TermsJobDeps = {
    terms: store,
    repo: {
      getAccountState: async (accountId: string) =>
        known.has(accountId)
          ? ({
              account: {
                accountId,
                resellerId: RESELLER_ID,
                region: 'eu',
                createdAt: '2021-01-01T00:00:00.000Z',
                ...(closed.has(accountId) && { closure: { closedAt: T0.toISOString() } }),
              },
            } as never)
          : null,
    },
    clock,
    ids: new SequentialIds(),
    directory: {
      list: async (accountId: string) => [
        { userId: `u-${accountId}-1`, email: `one@${accountId}.example`, status: 'active' as const },
        { userId: `u-${accountId}-2`, email: `two@${accountId}.example`, status: 'active' as const },
      ],
    },
    mailer,
    log: new RecordingLogger(),
    here: 'eu',
    portalUrl: 'https://portal.example',
  };
  return { store, clock, mailer, deps, known, closed };
}

const admin = (accountId: string, email = `one@${accountId}.example`) => ({
  principal: principals.customer(accountId),
  email,
});
const body = (effectiveAt: string) => ({
  title: 'Terms 2027',
  text: 'The new terms.',
  summary: 'Retention periods are stated.',
  effectiveAt,
});
const inDays = (clock: FixedClock, days: number) => new Date(clock.now().getTime() + days * DAY_MS).toISOString();

describe('publishing', () => {
  it('numbers the next version after the seed, only for the back office, only in the future', async () => {
    // Arrange
    const { deps, clock } = setup();

    // Act
    const published = await publishTerms(deps, principals.backoffice, body(inDays(clock, 10)));
    const past = publishTerms(deps, principals.backoffice, body(inDays(clock, -1)));
    const bySupport = publishTerms(deps, principals.support as Principal, body(inDays(clock, 10)));

    // Assert
    expect(published).toMatchObject({ version: 2, publishedBy: 'sub-backoffice-1', publishedAt: T0.toISOString() });
    await expect(past).rejects.toBeInstanceOf(ValidationError);
    await expect(bySupport).rejects.toBeInstanceOf(ForbiddenError);
    expect(await listTerms(deps)).toMatchObject({ current: 1, upcoming: [2] });
  });
});

describe('accepting and objecting', () => {
  it('lets only the account’s own administrator accept; again answers the same; an objection is withdrawn by accepting', async () => {
    // Arrange
    const { deps, clock, store } = setup();
    await publishTerms(deps, principals.backoffice, body(inDays(clock, 10)));
    const [a] = ACCOUNTS;

    // Act
    const byReseller = acceptTerms(deps, { principal: principals.reseller() }, a, 2);
    const byBackOffice = acceptTerms(deps, { principal: principals.backoffice }, a, 2);
    await objectToTerms(deps, admin(a), a, 2, 'Not yet.');
    clock.advanceDays(1);
    const accepted = await acceptTerms(deps, admin(a), a, 2);
    const again = await acceptTerms(deps, admin(a, 'other@example.com'), a, 2);
    const objectNow = objectToTerms(deps, admin(a), a, 2, 'Changed my mind again.');

    // Assert
    await expect(byReseller).rejects.toBeInstanceOf(ForbiddenError);
    await expect(byBackOffice).rejects.toBeInstanceOf(ForbiddenError);
    expect(accepted).toMatchObject({
      status: 'accepted',
      at: new Date(T0.getTime() + DAY_MS).toISOString(),
      by: { sub: `sub-${a}`, email: `one@${a}.example` },
      previousObjection: { reason: 'Not yet.', at: T0.toISOString() },
    });
    expect(again).toEqual(accepted);
    await expect(objectNow).rejects.toBeInstanceOf(ConflictError);
    expect(store.audit.map((e) => e.action)).toEqual(['terms.objected', 'terms.accepted']);
  });

  it('refuses to accept or object to version 1, and an objection after the effective date', async () => {
    // Arrange
    const { deps, clock } = setup();
    await publishTerms(deps, principals.backoffice, body(inDays(clock, 10)));
    const [a] = ACCOUNTS;

    // Act
    const acceptSeed = acceptTerms(deps, admin(a), a, 1);
    clock.advanceDays(11);
    const late = objectToTerms(deps, admin(a), a, 2, 'Too late.');

    // Assert
    await expect(acceptSeed).rejects.toBeInstanceOf(ConflictError);
    await expect(late).rejects.toBeInstanceOf(ConflictError);
  });

  it('shows the pending version as the notice until accepted, and an objected one with its reason', async () => {
    // Arrange
    const { deps, clock } = setup();
    await publishTerms(deps, principals.backoffice, body(inDays(clock, 10)));
    const [a, b] = ACCOUNTS;

    // Act
    const pending = await accountTerms(deps, principals.customer(a), a);
    await acceptTerms(deps, admin(a), a, 2);
    await objectToTerms(deps, admin(b), b, 2, 'No.');
    const afterAccepting = await accountTerms(deps, principals.customer(a), a);
    const afterObjecting = await accountTerms(deps, principals.customer(b), b);

    // Assert
    expect(pending.notice).toMatchObject({ version: 2, status: 'pending', summary: 'Retention periods are stated.' });
    expect(pending.versions.map((v) => v.status)).toEqual(['implicit', 'pending']);
    expect(afterAccepting.notice).toBeNull();
    expect(afterObjecting.notice).toMatchObject({ version: 2, status: 'objected', reason: 'No.' });
  });
});

describe('the terms job', () => {
  it('mails every administrator of the accounts homed here once, in bounded runs, then records silence at the effective date', async () => {
    // Arrange
    const { deps, clock, store, mailer } = setup();
    const effectiveAt = inDays(clock, 10);
    await publishTerms(deps, principals.backoffice, body(effectiveAt));
    const [a, b, c] = ACCOUNTS;

    // Act
    const first = await runTermsJob(deps, 2);
    const second = await runTermsJob(deps, 2);
    const third = await runTermsJob(deps, 2);
    await acceptTerms(deps, admin(a), a, 2);
    await objectToTerms(deps, admin(c), c, 2, 'No.');
    const beforeEffective = await runTermsJob(deps, 2);
    clock.advanceDays(10);
    const atEffective = await runTermsJob(deps, 2);
    const afterwards = await runTermsJob(deps, 2);

    // Assert
    expect(first.mailed + second.mailed + third.mailed).toBe(3);
    expect(mailer.sent).toHaveLength(6);
    expect(new Set(mailer.sent.map((m) => m.to)).size).toBe(6);
    expect(mailer.sent.some((m) => m.to.includes('acc_00000999'))).toBe(false);
    expect(mailer.sent[0]!.text).toContain(`https://portal.example/#/accounts/${a}`);
    expect(beforeEffective).toEqual({ noticed: 0, mailed: 0, silent: 0 });
    expect(atEffective.silent).toBe(1);
    expect(afterwards.silent).toBe(0);
    expect(await store.getConsent(b, 2)).toMatchObject({ status: 'silent', at: effectiveAt, by: 'silent-consent' });
    expect((await store.getConsent(a, 2))?.status).toBe('accepted');
    expect((await store.getConsent(c, 2))?.status).toBe('objected');
    expect(store.audit.filter((e) => e.action === 'terms.published')).toHaveLength(3);
    expect(store.audit.filter((e) => e.action === 'terms.silent-consent').map((e) => e.accountId)).toEqual([b]);
  });

  it('mails again on the next run when sending failed, and never twice once sent', async () => {
    // Arrange
    const { deps, clock, mailer } = setup();
    await publishTerms(deps, principals.backoffice, body(inDays(clock, 10)));
    const [a] = ACCOUNTS;
    mailer.failFor = `two@${a}.example`;

    // Act
    await runTermsJob(deps);
    mailer.failFor = undefined;
    await runTermsJob(deps);
    await runTermsJob(deps);

    // Assert
    expect(mailer.sent.filter((m) => m.to === `two@${a}.example`)).toHaveLength(1);
    expect(mailer.sent.filter((m) => m.to === `one@${ACCOUNTS[1]}.example`)).toHaveLength(1);
  });
});

describe('the terms job and accounts created or closed meanwhile', () => {
  it('notices an account created after the notice pass, before the effective date, and then records its silence', async () => {
    // Arrange
    const { deps, clock, store, mailer, known } = setup();
    const effectiveAt = inDays(clock, 10);
    await publishTerms(deps, principals.backoffice, body(effectiveAt));
    await runTermsJob(deps);
    clock.advanceDays(2);
    const late = 'acc_00000200';
    known.add(late);
    store.addAccount(late, 'eu', clock.now().toISOString());
    store.addAccount('acc_00000201', 'us', clock.now().toISOString());
    clock.advanceDays(1);

    // Act
    const beforeEffective = await runTermsJob(deps);
    const again = await runTermsJob(deps);
    clock.advanceDays(10);
    await runTermsJob(deps);

    // Assert
    expect(beforeEffective).toMatchObject({ noticed: 1, mailed: 1 });
    expect(again).toMatchObject({ noticed: 0, mailed: 0 });
    expect(mailer.sent.filter((m) => m.to.includes(late))).toHaveLength(2);
    expect(await store.getConsent(late, 2)).toMatchObject({ status: 'silent', at: effectiveAt });
    expect(await store.getConsent('acc_00000201', 2)).toBeNull();
  });

  it('leaves accounts created before a version that has been in force for over a week to the rules of creation', async () => {
    // Arrange
    const { deps, clock, store, mailer, known } = setup();
    await publishTerms(deps, principals.backoffice, body(inDays(clock, 1)));
    await runTermsJob(deps);
    clock.advanceDays(10);
    await runTermsJob(deps);
    const old = 'acc_00000300';
    known.add(old);
    store.addAccount(old, 'eu', new Date(clock.now().getTime() - 9.5 * DAY_MS).toISOString());

    // Act
    await runTermsJob(deps);

    // Assert
    expect(await store.getConsent(old, 2)).toBeNull();
    expect(mailer.sent.some((m) => m.to.includes(old))).toBe(false);
  });

  it('neither mails a closed account nor records its silence', async () => {
    // Arrange
    const { deps, clock, store, mailer, closed } = setup();
    const [a, b] = ACCOUNTS;
    closed.add(a);
    await publishTerms(deps, principals.backoffice, body(inDays(clock, 10)));

    // Act
    await runTermsJob(deps);
    closed.add(b); // closed after its notice
    clock.advanceDays(10);
    await runTermsJob(deps);

    // Assert
    expect(mailer.sent.some((m) => m.to.includes(a))).toBe(false);
    expect(await store.getConsent(a, 2)).toBeNull();
    expect((await store.getConsent(b, 2))?.status).toBe('pending');
    expect((await store.getConsent(ACCOUNTS[2], 2))?.status).toBe('silent');
  });
});

describe('which version applied when', () => {
  const v2: TermsVersion = {
    version: 2,
    title: 'Terms 2',
    text: 't',
    summary: 's',
    effectiveAt: '2026-06-01T00:00:00.000Z',
    publishedAt: '2026-05-01T00:00:00.000Z',
    publishedBy: 'bo',
  };
  const versions = [...seedTermsVersions, v2];
  const record = (status: ConsentRecord['status'], at: string): ConsentRecord => ({
    accountId: 'acc_00000101',
    version: 2,
    status,
    at,
  });

  it.each([
    ['no record', [], '2026-07-01T00:00:00.000Z', 1],
    [
      'accepted early, before the date',
      [record('accepted', '2026-05-02T00:00:00.000Z')],
      '2026-05-31T00:00:00.000Z',
      1,
    ],
    ['accepted early, after the date', [record('accepted', '2026-05-02T00:00:00.000Z')], '2026-06-01T00:00:00.000Z', 2],
    [
      'accepted late, before accepting',
      [record('accepted', '2026-06-10T00:00:00.000Z')],
      '2026-06-05T00:00:00.000Z',
      1,
    ],
    ['accepted late, after accepting', [record('accepted', '2026-06-10T00:00:00.000Z')], '2026-06-10T00:00:00.000Z', 2],
    ['silent', [record('silent', '2026-06-01T00:00:00.000Z')], '2026-06-02T00:00:00.000Z', 2],
    ['objected', [record('objected', '2026-05-02T00:00:00.000Z')], '2026-07-01T00:00:00.000Z', 1],
    ['before the service started', [], '2020-01-01T00:00:00.000Z', undefined],
  ] as const)('%s', (_name, records, at, expected) => {
    // Act
    const applied = appliedVersion(versions, records, at);

    // Assert
    expect(applied?.version).toBe(expected);
  });

  it('puts an account created after version 2 took effect under it from its creation', () => {
    // Arrange
    const createdAt = '2026-06-15T00:00:00.000Z';

    // Act
    const before = appliedVersion(versions, [], '2026-06-14T00:00:00.000Z', createdAt);
    const after = appliedVersion(versions, [], '2026-06-15T00:00:00.000Z', createdAt);
    const olderAccount = appliedVersion(versions, [], '2026-06-15T00:00:00.000Z', '2026-05-15T00:00:00.000Z');

    // Assert
    expect(before?.version).toBe(1);
    expect(after?.version).toBe(2);
    expect(olderAccount?.version).toBe(1);
  });
});

describe('the consents CSV', () => {
  it('has a header, one row per record, and neutralises a formula in a reason', () => {
    // Arrange
    const records: ConsentRecord[] = [
      {
        accountId: 'acc_1',
        version: 2,
        status: 'objected',
        at: 'x',
        by: { sub: 's', email: 'e@x' },
        reason: '=HYPERLINK("a")',
      },
      { accountId: 'acc_2', version: 2, status: 'silent', at: 'y', by: 'silent-consent' },
    ];

    // Act
    const csv = consentsCsv(records);

    // Assert
    expect(csv.split('\r\n')).toEqual([
      'accountId,version,status,at,by,email,reason,noticeSentAt',
      `acc_1,2,objected,x,s,e@x,"'=HYPERLINK(""a"")",`,
      'acc_2,2,silent,y,silent-consent,,,',
      '',
    ]);
  });
});

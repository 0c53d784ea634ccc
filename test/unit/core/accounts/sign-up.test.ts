/** Sign-up that ends in a Smart Account: who may, the region it is served in, a retry, and the audit. */
import { ConflictError, ForbiddenError, WrongRegionError } from '#lambdas/core/errors';
import { createAccount, createAccountBodySchema } from '#lambdas/core/accounts/sign-up';
import type { SignedInPerson } from '#lambdas/core/accounts/person';
import { CommitRejected } from '#lambdas/core/licensing/repository';
import { licensingWorld, principals, type LicensingWorld } from '#test/support/licensing-fixtures';
import { MemoryTermsStore } from '#test/support/memory-terms-store';
import { MemoryUserDirectory } from '#test/support/memory-user-directory';
import { publishTerms } from '#lambdas/core/accounts/terms';
import { ValidationError } from '#lambdas/core/errors';

let world: LicensingWorld;
let directory: MemoryUserDirectory;
let terms: MemoryTermsStore;
const deps = () => ({ ...world.deps, directory, terms });
const body = createAccountBodySchema.parse({ name: 'Contoso Ltd', region: 'us', country: 'us' });
const personOf = (userId: string): SignedInPerson => ({ sub: userId, groups: [] });

beforeEach(async () => {
  world = await licensingWorld({ region: 'us' });
  directory = new MemoryUserDirectory();
  terms = new MemoryTermsStore();
});

describe('creating a Smart Account by sign-up', () => {
  it('creates the account (country, origin sign-up), makes the person its administrator and audits it', async () => {
    const person = directory.signUp('ann@contoso.example');

    const { created, account } = await createAccount(deps(), personOf(person.userId), body);

    expect(created).toBe(true);
    expect(account).toMatchObject({ name: 'Contoso Ltd', region: 'us', country: 'US', origin: 'sign-up' });
    expect(account.administrator).toEqual({ userId: person.userId, email: 'ann@contoso.example', status: 'active' });
    expect(person).toMatchObject({ accountId: account.accountId, groups: ['customer'] });
    expect(await directory.list(account.accountId)).toHaveLength(1);
    const state = await world.repo.getAccountState(account.accountId);
    expect(state?.account).toMatchObject({ country: 'US', origin: 'sign-up', telemetryEnabled: true });
    expect(world.repo.snapshot().audit).toEqual([
      expect.objectContaining({ action: 'account.created', actor: { kind: 'customer', id: person.userId } }),
    ]);
  });

  it('answers 421 naming the US API when the EU one is asked for a US account', async () => {
    const eu = await licensingWorld({ region: 'eu' });
    const person = directory.signUp('ann@contoso.example');

    const refused = createAccount({ ...eu.deps, directory, terms }, personOf(person.userId), body);

    await expect(refused).rejects.toBeInstanceOf(WrongRegionError);
    await expect(refused).rejects.toMatchObject({ homeRegion: 'us' });
    expect(person.accountId).toBeUndefined();
  });

  it('refuses a person who already has an account (409), and staff or resellers (403)', async () => {
    const person = directory.signUp('ann@contoso.example');
    await createAccount(deps(), personOf(person.userId), body);
    const staff = directory.signUp('ops@vendor.example');
    staff.groups = ['backoffice'];

    await expect(
      createAccount(deps(), { ...personOf(person.userId), accountId: person.accountId! }, body),
    ).rejects.toBeInstanceOf(ConflictError);
    // an old token without the claim: the directory knows
    await expect(createAccount(deps(), personOf(person.userId), body)).rejects.toBeInstanceOf(ConflictError);
    await expect(createAccount(deps(), { sub: staff.userId, groups: ['backoffice'] }, body)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });

  it('completes the link on a retry after the directory failed, without a second account', async () => {
    const person = directory.signUp('ann@contoso.example');
    const failing = Object.assign(Object.create(directory) as MemoryUserDirectory, {
      linkAdministrator: () => Promise.reject(new Error('Cognito is down')),
    });

    await expect(
      createAccount({ ...world.deps, directory: failing, terms }, personOf(person.userId), body),
    ).rejects.toThrow('Cognito is down');
    const retry = await createAccount(deps(), personOf(person.userId), body);

    expect(retry.created).toBe(false);
    expect(person.accountId).toBe(retry.account.accountId);
    expect(world.repo.snapshot().audit.filter((e) => e.action === 'account.created')).toHaveLength(1);
  });

  it('reads a concurrent creation by the same person as theirs', async () => {
    const person = directory.signUp('ann@contoso.example');
    await world.repo.commitAccountCreation({
      record: {
        accountId: 'acc_concurrent1',
        name: 'First click',
        region: 'us',
        telemetryEnabled: true,
        termsRev: 1,
        installSeq: 0,
        createdAt: world.clock.now().toISOString(),
      },
      ownerSub: person.userId,
      audit: {
        accountId: 'acc_concurrent1',
        at: '2026-01-01T00:00:00Z',
        eventId: 'e1',
        actor: { kind: 'customer', id: person.userId },
        action: 'account.created',
        details: {},
      },
    });

    const { created, account } = await createAccount(deps(), personOf(person.userId), body);

    expect({ created, accountId: account.accountId }).toEqual({ created: false, accountId: 'acc_concurrent1' });
    await expect(
      world.repo.commitAccountCreation({
        record: { ...(await world.repo.getAccountState('acc_concurrent1'))!.account, accountId: 'acc_second0001' },
        ownerSub: person.userId,
        audit: {
          accountId: 'acc_second0001',
          at: '2026-01-01T00:00:00Z',
          eventId: 'e2',
          actor: { kind: 'customer', id: person.userId },
          action: 'account.created',
          details: {},
        },
      }),
    ).rejects.toEqual(new CommitRejected('account-exists'));
  });

  it('validates the body: a region of the two, a real ISO 3166 country, a name', () => {
    const parsed = createAccountBodySchema.safeParse({ name: ' ', region: 'ap', country: 'ZZ' });

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['country', 'name', 'region']);
    expect(createAccountBodySchema.safeParse({ name: 'A', region: 'eu', country: 'de' }).data?.country).toBe('DE');
  });

  it.each(['DEU', 'X1', '1', ''])('refuses the country %j with one issue, never a throw', (country) => {
    const parsed = createAccountBodySchema.safeParse({ name: 'A', region: 'eu', country });

    expect(parsed.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['country', 'a two-letter country code (ISO 3166-1 alpha-2), e.g. DE or US'],
    ]);
  });
});

describe('accepting the terms at sign-up', () => {
  it('records the acceptance of the version in force and of a published upcoming one by the person creating the account', async () => {
    // Arrange
    const person = directory.signUp('ann@contoso.example');
    const publisher = { ...world.deps, terms };
    const inTenDays = new Date(world.clock.now().getTime() + 10 * 86_400_000).toISOString();
    await publishTerms(publisher, principals.backoffice, {
      title: 'Terms 2027',
      text: 'New terms.',
      summary: 'Changes.',
      effectiveAt: inTenDays,
    });

    // Act
    const wrong = createAccount(deps(), personOf(person.userId), { ...body, acceptTerms: 2 });
    const { account } = await createAccount(deps(), personOf(person.userId), { ...body, acceptTerms: 1 });

    // Assert
    await expect(wrong).rejects.toBeInstanceOf(ValidationError);
    await expect(wrong).rejects.toMatchObject({ errors: [expect.objectContaining({ path: 'acceptTerms' })] });
    expect(account.termsAccepted).toEqual([2]);
    expect(await terms.getConsent(account.accountId, 2)).toMatchObject({
      status: 'accepted',
      by: { sub: person.userId, email: 'ann@contoso.example' },
    });
    expect(terms.audit).toEqual([expect.objectContaining({ action: 'terms.accepted', accountId: account.accountId })]);
  });
});

import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ServiceUnavailableError,
  ValidationError,
} from '#lambdas/core/errors';
import { depositOrder, entitlementOf, type OrderLine } from '#lambdas/core/licensing/deposit-order';
import { pollLicense } from '#lambdas/core/licensing/poll-license';
import {
  acceptSignature,
  activateNew,
  existingAccountOrder,
  inRegion,
  licenseClaims,
  licensingWorld,
  newAccountOrder,
  perpetualLine,
  principals,
  RESELLER_ID,
  seedAccount,
  subscriptionLine,
  T0,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';

let world: LicensingWorld;

beforeEach(async () => {
  world = await licensingWorld();
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('depositOrder', () => {
  it('creates the Smart Account with one pool per product', async () => {
    const body = newAccountOrder(
      [
        perpetualLine('attendant-console', 10, { level: 'gold', endsAt: '2027-03-01T00:00:00Z' }),
        subscriptionLine('call-recording', 5, '2026-03-01T00:00:00Z', '2027-02-28T00:00:00Z'),
      ],
      { name: 'Fabrikam Hospital', region: 'us', resellerId: RESELLER_ID },
    );

    const { created, result } = await depositOrder(inRegion(world, 'us').deps, principals.backoffice, 'PO-1001', body);

    expect(created).toBe(true);
    expect(result).toEqual({
      orderId: 'PO-1001',
      accountId: expect.stringMatching(/^acc_[a-z0-9]{8,32}$/),
      accountCreated: true,
      lines: body.lines,
      depositedAt: T0.toISOString(),
    });
    const account = world.repo.account(result.accountId);
    expect(account).toMatchObject({
      name: 'Fabrikam Hospital',
      region: 'us',
      resellerId: RESELLER_ID,
      telemetryEnabled: true,
      termsRev: 1,
      installSeq: 0,
    });
    expect(world.repo.pool(result.accountId, 'attendant-console')).toEqual({
      product: 'attendant-console',
      capacity: 10,
      allocated: 0,
      free: 10,
      kind: 'perpetual',
      care: { level: 'gold', expiresAt: '2027-03-01T00:00:00.000Z' },
    });
    expect(world.repo.pool(result.accountId, 'call-recording')).toEqual({
      product: 'call-recording',
      capacity: 5,
      allocated: 0,
      free: 5,
      kind: 'subscription',
      expiresAt: '2027-02-28T00:00:00.000Z',
    });
    expect(world.repo.snapshot().resellerCustomers[RESELLER_ID]).toEqual({
      [result.accountId]: { accountId: result.accountId, name: 'Fabrikam Hospital', region: 'us' },
    });
    expect(world.repo.auditOf(result.accountId).map((e) => e.action)).toEqual(['order.deposited']);
  });

  it('sums the quantities of several lines of one product into one pool', async () => {
    const body = newAccountOrder([perpetualLine('ivr', 4), perpetualLine('ivr', 6)]);

    const { result } = await depositOrder(world.deps, principals.backoffice, 'PO-1002', body);

    expect(world.repo.pool(result.accountId, 'ivr')).toMatchObject({ capacity: 10, free: 10, allocated: 0 });
  });

  it('answers a replay with the same body with the same result, created=false, depositing once', async () => {
    const body = newAccountOrder([perpetualLine('acd', 8)]);
    const first = await depositOrder(world.deps, principals.backoffice, 'PO-2001', body);
    world.clock.advanceDays(1);

    const again = await depositOrder(world.deps, principals.backoffice, 'PO-2001', structuredClone(body));

    expect(again).toEqual({ created: false, result: first.result });
    expect(world.repo.appliedCommits('commitOrder')).toBe(1);
    expect(Object.keys(world.repo.snapshot().accounts)).toEqual([first.result.accountId]);
    expect(world.repo.pool(first.result.accountId, 'acd')).toMatchObject({ capacity: 8, free: 8 });
  });

  it('treats a replay whose keys come in another order as the same body', async () => {
    const body = newAccountOrder([perpetualLine('acd', 8)]);
    const first = await depositOrder(world.deps, principals.backoffice, 'PO-2002', body);
    const reordered = {
      lines: [{ kind: 'perpetual' as const, quantity: 8, product: 'acd' as const }],
      account: body.account,
    };

    const again = await depositOrder(world.deps, principals.backoffice, 'PO-2002', reordered);

    expect(again.created).toBe(false);
    expect(again.result).toEqual(first.result);
  });

  it('refuses the same order id with another body (409) and changes nothing', async () => {
    const accountId = await seedAccount(world, newAccountOrder([perpetualLine('acd', 8)]), 'PO-3001');
    const before = world.repo.snapshot();

    const attempt = depositOrder(
      world.deps,
      principals.backoffice,
      'PO-3001',
      existingAccountOrder(accountId, [perpetualLine('acd', 9)]),
    );

    await expect(attempt).rejects.toThrow(ConflictError);
    expect(world.repo.snapshot()).toEqual(before);
  });

  it('refuses an order for an account that does not exist (404)', async () => {
    const attempt = depositOrder(
      world.deps,
      principals.backoffice,
      'PO-4001',
      existingAccountOrder('acc_doesnotexist', [perpetualLine('ivr', 1)]),
    );

    await expect(attempt).rejects.toThrow(NotFoundError);
    expect(world.repo.snapshot().orders).toEqual({});
  });

  it.each([principals.support, principals.reseller(), principals.customer('acc_00000001')])(
    'refuses a %j principal (403) before anything is read or written',
    async (principal) => {
      const getOrder = jest.spyOn(world.repo, 'getOrder');

      const attempt = depositOrder(world.deps, principal, 'PO-5001', newAccountOrder());

      await expect(attempt).rejects.toThrow(ForbiddenError);
      expect(getOrder).not.toHaveBeenCalled();
      expect(world.repo.commits).toEqual([]);
    },
  );

  it('adds capacity to an existing pool and bumps the account termsRev', async () => {
    const accountId = await seedAccount(world, newAccountOrder([perpetualLine('digital-fax', 3)]));

    const { created, result } = await depositOrder(
      world.deps,
      principals.backoffice,
      'PO-6001',
      existingAccountOrder(accountId, [perpetualLine('digital-fax', 2)]),
    );

    expect(created).toBe(true);
    expect(result.accountCreated).toBe(false);
    expect(world.repo.pool(accountId, 'digital-fax')).toMatchObject({ capacity: 5, free: 5, allocated: 0 });
    expect(world.repo.account(accountId)?.termsRev).toBe(2);
  });

  it('keeps each subscription line with its own end: the capacity drops at the first end, not the latest', async () => {
    const accountId = await seedAccount(
      world,
      newAccountOrder([subscriptionLine('ivr', 2, '2026-01-01T00:00:00Z', '2027-06-30T00:00:00Z')]),
    );

    await depositOrder(
      world.deps,
      principals.backoffice,
      'PO-6101',
      existingAccountOrder(accountId, [subscriptionLine('ivr', 1, '2026-01-01T00:00:00Z', '2026-12-31T00:00:00Z')]),
    );

    expect(world.repo.pool(accountId, 'ivr')).toMatchObject({
      capacity: 3,
      kind: 'subscription',
      expiresAt: '2026-12-31T00:00:00.000Z',
    });
    expect(world.repo.pool(accountId, 'ivr', new Date('2026-12-31T00:00:00Z'))).toMatchObject({
      capacity: 2,
      expiresAt: '2027-06-30T00:00:00.000Z',
    });
    expect(world.repo.pool(accountId, 'ivr', new Date('2027-06-30T00:00:00Z'))).toMatchObject({ capacity: 0 });
  });

  it('gives the Care covering the product now: the higher level until its own end, then the one still running', async () => {
    const accountId = await seedAccount(
      world,
      newAccountOrder([perpetualLine('acd', 2, { level: 'platinum', endsAt: '2026-12-31T00:00:00Z' })]),
    );

    await depositOrder(
      world.deps,
      principals.backoffice,
      'PO-6201',
      existingAccountOrder(accountId, [perpetualLine('acd', 1, { level: 'basic', endsAt: '2028-12-31T00:00:00Z' })]),
    );

    expect(world.repo.pool(accountId, 'acd')).toMatchObject({
      capacity: 3,
      kind: 'perpetual',
      care: { level: 'platinum', expiresAt: '2026-12-31T00:00:00.000Z' },
    });
    expect(world.repo.pool(accountId, 'acd', new Date('2027-01-01T00:00:00Z'))?.care).toEqual({
      level: 'basic',
      expiresAt: '2028-12-31T00:00:00.000Z',
    });
  });

  it('writes every line as an entitlement of its own, in the commit of the order', async () => {
    const body = newAccountOrder([
      perpetualLine('ivr', 4, { level: 'gold', endsAt: '2027-03-01T00:00:00Z' }),
      subscriptionLine('ivr', 2, '2026-03-01T00:00:00+01:00', '2027-02-28T00:00:00Z'),
      perpetualLine('ivr', 6),
    ]);

    const { result } = await depositOrder(world.deps, principals.backoffice, 'PO-6301', body);

    expect(world.repo.appliedCommits('commitOrder')).toBe(1);
    expect(world.repo.snapshot().entitlements[result.accountId]).toEqual([
      {
        entitlementId: 'PO-6301#01',
        product: 'ivr',
        kind: 'perpetual',
        quantity: 4,
        startsAt: T0.toISOString(),
        care: { level: 'gold', startsAt: T0.toISOString(), endsAt: '2027-03-01T00:00:00.000Z' },
      },
      {
        entitlementId: 'PO-6301#02',
        product: 'ivr',
        kind: 'subscription',
        quantity: 2,
        startsAt: '2026-02-28T23:00:00.000Z',
        endsAt: '2027-02-28T00:00:00.000Z',
      },
      { entitlementId: 'PO-6301#03', product: 'ivr', kind: 'perpetual', quantity: 6, startsAt: T0.toISOString() },
    ]);
    expect(world.repo.pool(result.accountId, 'ivr')).toMatchObject({ capacity: 12, kind: 'subscription' });
  });

  it('renews Care with a care line: no new capacity, the Care runs to the new end at its level', async () => {
    const accountId = await seedAccount(
      world,
      newAccountOrder([perpetualLine('acd', 2, { level: 'gold', endsAt: '2026-06-30T00:00:00Z' })]),
    );
    const renewal: OrderLine = {
      product: 'acd',
      kind: 'care',
      care: { level: 'gold', startsAt: '2026-06-30T00:00:00Z', endsAt: '2027-06-30T00:00:00Z' },
    };

    await depositOrder(world.deps, principals.backoffice, 'PO-6401', existingAccountOrder(accountId, [renewal]));

    expect(world.repo.pool(accountId, 'acd')).toMatchObject({
      capacity: 2,
      care: { level: 'gold', expiresAt: '2027-06-30T00:00:00.000Z' },
    });
    expect(world.repo.snapshot().entitlements[accountId]?.at(-1)).toEqual({
      entitlementId: 'PO-6401#01',
      product: 'acd',
      kind: 'care',
      quantity: 0,
      care: { level: 'gold', startsAt: '2026-06-30T00:00:00.000Z', endsAt: '2027-06-30T00:00:00.000Z' },
    });
  });

  it('refuses a care line for a product the account holds none of (400 naming the line), depositing nothing', async () => {
    const accountId = await seedAccount(world, newAccountOrder([perpetualLine('acd', 2)]));
    const careOfIvr: OrderLine = {
      product: 'ivr',
      kind: 'care',
      care: { level: 'gold', endsAt: '2027-06-30T00:00:00Z' },
    };

    const attempt = depositOrder(
      world.deps,
      principals.backoffice,
      'PO-6501',
      existingAccountOrder(accountId, [perpetualLine('acd', 1), careOfIvr]),
    );

    await expect(attempt).rejects.toThrow(ValidationError);
    await expect(attempt).rejects.toMatchObject({
      errors: [{ path: 'lines.1.product', message: 'the account holds no ivr licences to renew Care for' }],
    });
    expect(world.repo.pool(accountId, 'acd')).toMatchObject({ capacity: 2 });
    expect(await world.repo.getOrder('PO-6501')).toBeNull();
  });

  it('grants later deposits to the follower installation (activated with a default key) and bumps its rev', async () => {
    const accountId = await seedAccount(world, newAccountOrder([perpetualLine('attendant-console', 10)]));
    const follower = await activateNew(world, accountId);
    const revBefore = world.repo.installation(follower.installationId)!.rev;

    const { result } = await depositOrder(
      world.deps,
      principals.backoffice,
      'PO-7001',
      existingAccountOrder(accountId, [perpetualLine('attendant-console', 5), perpetualLine('ivr', 2)]),
    );

    const installation = world.repo.installation(follower.installationId)!;
    expect(installation.allocation).toEqual({ 'attendant-console': 15, ivr: 2 });
    expect(installation.rev).toBe(revBefore + 1);
    expect(world.repo.snapshot().summaries[accountId]?.[follower.installationId]?.allocation).toEqual({
      'attendant-console': 15,
      ivr: 2,
    });
    expect(world.repo.pool(accountId, 'attendant-console')).toMatchObject({ capacity: 15, allocated: 15, free: 0 });
    expect(world.repo.pool(accountId, 'ivr')).toMatchObject({ capacity: 2, allocated: 2, free: 0 });
    expect(world.repo.auditOf(accountId).find((e) => e.details.orderId === result.orderId)?.details.grantedTo).toBe(
      follower.installationId,
    );
  });

  it("leaves a deposit free when the account has no follower, and bumps the account's termsRev alone", async () => {
    const accountId = await seedAccount(world, newAccountOrder([perpetualLine('ivr', 10)]));
    const explicit = await activateNew(world, accountId, { allocation: { ivr: 4 } });
    const revBefore = world.repo.installation(explicit.installationId)!.rev;

    await depositOrder(
      world.deps,
      principals.backoffice,
      'PO-7101',
      existingAccountOrder(accountId, [perpetualLine('ivr', 5)]),
    );

    const installation = world.repo.installation(explicit.installationId)!;
    expect(installation.allocation).toEqual({ ivr: 4 });
    expect(installation.rev).toBe(revBefore);
    expect(world.repo.account(accountId)?.termsRev).toBe(2);
    expect(world.repo.pool(accountId, 'ivr')).toMatchObject({ capacity: 15, allocated: 4, free: 11 });
  });

  it("changes the follower's item alone (its grant); the others learn of the deposit from the account's termsRev", async () => {
    const accountId = await seedAccount(world, newAccountOrder([perpetualLine('ivr', 10)]));
    const other = await activateNew(world, accountId, { allocation: { ivr: 3 } });
    const follower = await activateNew(world, accountId);
    const otherRev = world.repo.installation(other.installationId)!.rev;
    const followerRev = world.repo.installation(follower.installationId)!.rev;

    await depositOrder(
      world.deps,
      principals.backoffice,
      'PO-7201',
      existingAccountOrder(accountId, [perpetualLine('ivr', 5)]),
    );

    expect(world.repo.installation(other.installationId)).toMatchObject({ rev: otherRev, allocation: { ivr: 3 } });
    expect(world.repo.account(accountId)?.termsRev).toBe(2);
    expect(world.repo.installation(follower.installationId)).toMatchObject({
      rev: followerRev + 1,
      allocation: { ivr: 12 },
    });
  });

  it('reads again and retries when the commit is refused as stale', async () => {
    const accountId = await seedAccount(world, newAccountOrder([perpetualLine('ivr', 1)]));
    jest.spyOn(Math, 'random').mockReturnValue(0);
    world.repo.rejectNext('stale', 'commitOrder');

    const { created } = await depositOrder(
      world.deps,
      principals.backoffice,
      'PO-8001',
      existingAccountOrder(accountId, [perpetualLine('ivr', 2)]),
    );

    expect(created).toBe(true);
    expect(world.repo.commits.filter((c) => c.method === 'commitOrder').map((c) => c.outcome)).toEqual([
      'applied',
      'stale',
      'applied',
    ]);
    expect(world.repo.pool(accountId, 'ivr')).toMatchObject({ capacity: 3 });
  });

  it('grants to an installation activated between its read and its commit', async () => {
    const accountId = await seedAccount(world, newAccountOrder([perpetualLine('ivr', 4)]));
    jest.spyOn(Math, 'random').mockReturnValue(0);
    let follower: { installationId: string } | undefined;
    world.repo.beforeNext('commitOrder', async () => {
      follower = await activateNew(world, accountId);
    });

    await depositOrder(
      world.deps,
      principals.backoffice,
      'PO-8101',
      existingAccountOrder(accountId, [perpetualLine('ivr', 6)]),
    );

    expect(world.repo.installation(follower!.installationId)?.allocation).toEqual({ ivr: 10 });
    expect(world.repo.pool(accountId, 'ivr')).toMatchObject({ capacity: 10, allocated: 10, free: 0 });
  });

  it('answers 503 when the account keeps changing', async () => {
    const accountId = await seedAccount(world, newAccountOrder([perpetualLine('ivr', 1)]));
    jest.spyOn(Math, 'random').mockReturnValue(0);
    for (let n = 0; n < 12; n++) world.repo.rejectNext('stale', 'commitOrder');

    const attempt = depositOrder(
      world.deps,
      principals.backoffice,
      'PO-8201',
      existingAccountOrder(accountId, [perpetualLine('ivr', 2)]),
    );

    await expect(attempt).rejects.toThrow(ServiceUnavailableError);
    expect(world.repo.pool(accountId, 'ivr')).toMatchObject({ capacity: 1 });
  });

  it('answers a concurrent identical order that won the race as a replay', async () => {
    const body = newAccountOrder([perpetualLine('ivr', 2)]);
    world.repo.beforeNext('commitOrder', async () => {
      await depositOrder(world.deps, principals.backoffice, 'PO-8301', body);
    });

    const outcome = await depositOrder(world.deps, principals.backoffice, 'PO-8301', body);

    expect(outcome.created).toBe(false);
    expect(Object.keys(world.repo.snapshot().accounts)).toEqual([outcome.result.accountId]);
    expect(world.repo.pool(outcome.result.accountId, 'ivr')).toMatchObject({ capacity: 2 });
  });
});

describe('entitlementOf', () => {
  it('keeps a perpetual line perpetual and a subscription line a subscription, each with its own terms', () => {
    const depositedAt = T0.toISOString();

    const perpetual = entitlementOf('PO-1', 0, perpetualLine('ivr', 1), depositedAt);
    const subscription = entitlementOf(
      'PO-1',
      1,
      subscriptionLine('ivr', 3, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'),
      depositedAt,
    );

    expect(perpetual).toEqual({
      entitlementId: 'PO-1#01',
      product: 'ivr',
      kind: 'perpetual',
      quantity: 1,
      startsAt: depositedAt,
    });
    expect(subscription).toEqual({
      entitlementId: 'PO-1#02',
      product: 'ivr',
      kind: 'subscription',
      quantity: 3,
      startsAt: '2026-01-01T00:00:00.000Z',
      endsAt: '2027-01-01T00:00:00.000Z',
    });
  });

  it('starts Care with the deposit unless the care line names its start', () => {
    const depositedAt = T0.toISOString();

    const care = entitlementOf(
      'PO-2',
      0,
      { product: 'ivr', kind: 'care', care: { level: 'platinum', endsAt: '2027-01-01T00:00:00Z' } },
      depositedAt,
    );

    expect(care.care).toEqual({ level: 'platinum', startsAt: depositedAt, endsAt: '2027-01-01T00:00:00.000Z' });
    expect(care.quantity).toBe(0);
  });
});

describe('depositOrder on a large account', () => {
  it("reaches 200 installations' next polls with one commit: a Care renewal shows in every licence", async () => {
    // Arrange
    const accountId = await seedAccount(world, newAccountOrder([perpetualLine('ivr', 200)]));
    const installations: { installationId: string; etag: string }[] = [];
    for (let n = 0; n < 200; n++) {
      const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 1 } });
      installations.push({ installationId, etag: world.repo.installation(installationId)!.license.etag });
    }
    const commitsBefore = world.repo.commits.length;

    // Act
    await depositOrder(
      world.deps,
      principals.backoffice,
      'PO-9001',
      existingAccountOrder(accountId, [
        { product: 'ivr', kind: 'care', care: { level: 'gold', endsAt: '2027-03-01T00:00:00.000Z' } },
      ]),
    );
    const polls = [];
    for (const { installationId, etag } of installations) {
      polls.push(await pollLicense(world.deps, world.settings, installationId, etag, acceptSignature));
    }

    // Assert
    expect(world.repo.commits.slice(commitsBefore)).toEqual([{ method: 'commitOrder', outcome: 'applied' }]);
    const care = await Promise.all(
      polls.map(async (outcome) =>
        outcome.status === 200
          ? (await licenseClaims(outcome.license, world.signer)).products[0]?.care?.level
          : `a ${outcome.status}`,
      ),
    );
    expect(new Set(care)).toEqual(new Set(['gold']));
  }, 60_000);
});

import {
  ForbiddenError,
  GoneError,
  NotFoundError,
  ServiceUnavailableError,
  UnauthorizedError,
} from '#lambdas/core/errors';
import type { Principal } from '#lambdas/core/licensing/access';
import { deactivateAccountInstallation, deactivateInstallation } from '#lambdas/core/licensing/deactivate-installation';
import { depositOrder } from '#lambdas/core/licensing/deposit-order';
import { pollLicense } from '#lambdas/core/licensing/poll-license';
import {
  acceptSignature,
  activateNew,
  existingAccountOrder,
  licenseClaims,
  licensingWorld,
  newAccountOrder,
  OTHER_RESELLER_ID,
  perpetualLine,
  principals,
  RESELLER_ID,
  seedAccount,
  T0,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';

let world: LicensingWorld;
let accountId: string;

beforeEach(async () => {
  world = await licensingWorld();
  accountId = await seedAccount(
    world,
    newAccountOrder([perpetualLine('ivr', 10), perpetualLine('acd', 4)], { resellerId: RESELLER_ID }),
  );
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('deactivateInstallation', () => {
  it("returns the installation's capacity to the pool and marks it deactivated", async () => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 6, acd: 1 } });
    world.clock.advanceDays(2);

    await deactivateInstallation(world.deps, installationId, acceptSignature);

    expect(world.repo.pool(accountId, 'ivr')).toMatchObject({ capacity: 10, allocated: 0, free: 10 });
    expect(world.repo.pool(accountId, 'acd')).toMatchObject({ capacity: 4, allocated: 0, free: 4 });
    const deactivatedAt = new Date(T0.getTime() + 2 * 86_400_000).toISOString();
    expect(world.repo.installation(installationId)).toMatchObject({ status: 'deactivated', deactivatedAt });
    expect(world.repo.snapshot().summaries[accountId]?.[installationId]).toMatchObject({
      status: 'deactivated',
      deactivatedAt,
    });
    expect(world.repo.auditOf(accountId).at(-1)).toMatchObject({
      action: 'installation.deactivated',
      actor: { kind: 'installation', id: installationId },
      details: { installationId, released: { ivr: 6, acd: 1 } },
    });
  });

  it('is idempotent: a second call succeeds and changes nothing', async () => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 6 } });
    await deactivateInstallation(world.deps, installationId, acceptSignature);
    const after = world.repo.snapshot();

    await deactivateInstallation(world.deps, installationId, acceptSignature);

    expect(world.repo.snapshot()).toEqual(after);
    expect(world.repo.appliedCommits('commitDeactivation')).toBe(1);
  });

  it('clears the follower, so later deposits stay free', async () => {
    const { installationId } = await activateNew(world, accountId);

    await deactivateInstallation(world.deps, installationId, acceptSignature);
    await depositOrder(
      world.deps,
      principals.backoffice,
      'PO-2',
      existingAccountOrder(accountId, [perpetualLine('ivr', 5)]),
    );

    expect(world.repo.account(accountId)?.followerInstallationId).toBeUndefined();
    expect(world.repo.pool(accountId, 'ivr')).toMatchObject({ capacity: 15, allocated: 0, free: 15 });
    expect(world.repo.installation(installationId)?.allocation).toEqual({ ivr: 10, acd: 4 });
  });

  it('leaves the follower alone when another installation is deactivated', async () => {
    const other = await activateNew(world, accountId, { allocation: { ivr: 1 } });
    const follower = await activateNew(world, accountId);

    await deactivateInstallation(world.deps, other.installationId, acceptSignature);

    expect(world.repo.account(accountId)?.followerInstallationId).toBe(follower.installationId);
  });

  it('gives back a grant that landed between its read and its commit', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const { installationId } = await activateNew(world, accountId);
    world.repo.beforeNext('commitDeactivation', async () => {
      await depositOrder(
        world.deps,
        principals.backoffice,
        'PO-2',
        existingAccountOrder(accountId, [perpetualLine('ivr', 5)]),
      );
    });

    await deactivateInstallation(world.deps, installationId, acceptSignature);

    expect(world.repo.commits.filter((c) => c.method === 'commitDeactivation').map((c) => c.outcome)).toEqual([
      'stale',
      'applied',
    ]);
    expect(world.repo.pool(accountId, 'ivr')).toMatchObject({ capacity: 15, allocated: 0, free: 15 });
    expect(world.repo.pool(accountId, 'acd')).toMatchObject({ capacity: 4, allocated: 0, free: 4 });
  });

  it('propagates a refused signature and changes nothing', async () => {
    const { installationId } = await activateNew(world, accountId);
    const before = world.repo.snapshot();

    const attempt = deactivateInstallation(world.deps, installationId, async () => {
      throw new UnauthorizedError('bad signature');
    });

    await expect(attempt).rejects.toThrow(UnauthorizedError);
    expect(world.repo.snapshot()).toEqual(before);
  });

  it('answers 401 for an unknown installation', async () => {
    const attempt = deactivateInstallation(world.deps, 'inst_unknown', acceptSignature);

    await expect(attempt).rejects.toThrow(UnauthorizedError);
  });
});

describe('deactivateAccountInstallation', () => {
  const deactivate = (installationId: string, principal: Principal = principals.customer(accountId)) =>
    deactivateAccountInstallation(world.deps, principal, accountId, installationId);

  it('gives the capacity back, records who did it, and the agent’s next poll is gone', async () => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 6, acd: 1 } });

    await deactivate(installationId, principals.reseller(RESELLER_ID));
    const poll = pollLicense(world.deps, world.settings, installationId, undefined, acceptSignature);

    await expect(poll).rejects.toThrow(GoneError);
    expect(world.repo.pool(accountId, 'ivr')).toMatchObject({ allocated: 0, free: 10 });
    expect(world.repo.pool(accountId, 'acd')).toMatchObject({ allocated: 0, free: 4 });
    expect(world.repo.installation(installationId)).toMatchObject({ status: 'deactivated' });
    expect(world.repo.auditOf(accountId).at(-1)).toMatchObject({
      action: 'installation.deactivated',
      actor: { kind: 'reseller', id: `sub-${RESELLER_ID}` },
      details: { installationId, released: { ivr: 6, acd: 1 } },
    });
  });

  it('is idempotent', async () => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 6 } });
    await deactivate(installationId);
    const after = world.repo.snapshot();

    await deactivate(installationId);

    expect(world.repo.snapshot()).toEqual(after);
  });

  it.each<[string, () => Principal, boolean]>([
    ['the customer itself', () => principals.customer(accountId), true],
    ['its reseller', () => principals.reseller(RESELLER_ID), true],
    ['back office', () => principals.backoffice, true],
    ['support (read-only)', () => principals.support, false],
    ['another customer', () => principals.customer('acc_00000099'), false],
    ['another reseller', () => principals.reseller(OTHER_RESELLER_ID), false],
  ])('lets %s deactivate it: %s', async (_who, principal, permitted) => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 2 } });

    const attempt = deactivate(installationId, principal());

    if (permitted) await expect(attempt).resolves.toBeUndefined();
    else await expect(attempt).rejects.toThrow(ForbiddenError);
    expect(world.repo.installation(installationId)?.status).toBe(permitted ? 'deactivated' : 'active');
  });

  it("answers 404 for another account's installation named under this account, and leaves it active", async () => {
    const otherAccount = await seedAccount(world, newAccountOrder([perpetualLine('ivr', 2)]));
    const foreign = await activateNew(world, otherAccount, { allocation: { ivr: 1 } });

    await expect(deactivate(foreign.installationId)).rejects.toThrow(NotFoundError);
    expect(world.repo.installation(foreign.installationId)?.status).toBe('active');
  });

  it('answers 503 when the installation keeps changing under it', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 2 } });
    for (let i = 0; i < 12; i++) world.repo.rejectNext('stale', 'commitDeactivation');

    await expect(deactivate(installationId)).rejects.toThrow(ServiceUnavailableError);
    expect(world.repo.installation(installationId)?.status).toBe('active');
  });
});

describe('deactivation and the other installations', () => {
  it("moves a newer installation's backing: its next poll carries the terms it has now", async () => {
    // Arrange: the older installation holds the perpetual licences, the newer one the subscription
    await depositOrder(
      world.deps,
      principals.backoffice,
      'PO-8801',
      existingAccountOrder(accountId, [
        {
          product: 'ivr',
          quantity: 5,
          kind: 'subscription',
          startsAt: '2026-03-01T00:00:00Z',
          endsAt: '2027-03-01T00:00:00Z',
        },
      ]),
    );
    const older = await activateNew(world, accountId, { allocation: { ivr: 10 } });
    world.clock.advanceDays(1);
    const newer = await activateNew(world, accountId, { allocation: { ivr: 5 } });
    const before = await licenseClaims(newer.license, world.signer);
    const etag = world.repo.installation(newer.installationId)!.license.etag;

    // Act
    await deactivateInstallation(world.deps, older.installationId, acceptSignature);
    const outcome = await pollLicense(world.deps, world.settings, newer.installationId, etag, acceptSignature);

    // Assert
    expect(before.products[0]).toMatchObject({ kind: 'subscription' });
    if (outcome.status !== 200) throw new Error(`expected 200, got ${outcome.status}`);
    const after = await licenseClaims(outcome.license, world.signer);
    expect(after.products[0]).toMatchObject({ kind: 'perpetual', terms: [{ quantity: 5, kind: 'perpetual' }] });
    expect(after.ver).toBeGreaterThan(before.ver);
  });
});

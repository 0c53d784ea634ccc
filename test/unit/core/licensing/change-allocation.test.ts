import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ServiceUnavailableError,
  ValidationError,
} from '#lambdas/core/errors';
import type { Principal } from '#lambdas/core/licensing/access';
import {
  allocationChangeBodySchema,
  changeAllocation,
  poolTakes,
  type AllocationChangeBody,
} from '#lambdas/core/licensing/change-allocation';
import { deactivateInstallation } from '#lambdas/core/licensing/deactivate-installation';
import { depositOrder } from '#lambdas/core/licensing/deposit-order';
import { pollLicense } from '#lambdas/core/licensing/poll-license';
import {
  acceptSignature,
  activateNew,
  existingAccountOrder,
  licensingWorld,
  newAccountOrder,
  OTHER_RESELLER_ID,
  perpetualLine,
  principals,
  RESELLER_ID,
  seedAccount,
  verifyLicense,
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

const change = (
  installationId: string,
  allocation: AllocationChangeBody['allocation'],
  principal: Principal = principals.customer(accountId),
) => changeAllocation(world.deps, principal, accountId, installationId, { allocation });

async function rejection(attempt: Promise<unknown>): Promise<Error> {
  return attempt.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: Error) => error,
  );
}

describe('changeAllocation', () => {
  it('raises within free capacity: the pool gives it, the installation holds it, its summary shows it', async () => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 3 } });

    const result = await change(installationId, { ivr: 5, acd: 2 });

    expect(result).toEqual({ installationId, allocation: { ivr: 5, acd: 2 } });
    expect(world.repo.pool(accountId, 'ivr')).toMatchObject({ capacity: 10, allocated: 5, free: 5 });
    expect(world.repo.pool(accountId, 'acd')).toMatchObject({ capacity: 4, allocated: 2, free: 2 });
    expect(world.repo.installation(installationId)?.allocation).toEqual({ ivr: 5, acd: 2 });
    expect(world.repo.snapshot().summaries[accountId]?.[installationId]?.allocation).toEqual({ ivr: 5, acd: 2 });
  });

  it('lowers and leaves out: what is given back is free again, a product at 0 or left out is gone', async () => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 6, acd: 3 } });

    const result = await change(installationId, { ivr: 2 });

    expect(result.allocation).toEqual({ ivr: 2 });
    expect(world.repo.pool(accountId, 'ivr')).toMatchObject({ allocated: 2, free: 8 });
    expect(world.repo.pool(accountId, 'acd')).toMatchObject({ allocated: 0, free: 4 });
    expect(world.repo.installation(installationId)?.allocation).toEqual({ ivr: 2 });
  });

  it('takes exactly all that is free, and refuses one more with the path and how much is free', async () => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 3 } });
    await activateNew(world, accountId, { allocation: { ivr: 4 } });
    const before = world.repo.snapshot();

    const refused = await rejection(change(installationId, { ivr: 7 }));
    const afterRefusal = world.repo.snapshot();
    const exact = await change(installationId, { ivr: 6 });

    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as ConflictError).errors).toEqual([
      { path: 'allocation.ivr', message: 'only 3 more are free: at most 6 for this installation' },
    ]);
    expect(afterRefusal).toEqual(before);
    expect(exact.allocation).toEqual({ ivr: 6 });
    expect(world.repo.pool(accountId, 'ivr')).toMatchObject({ allocated: 10, free: 0 });
  });

  it('refuses a raise whose capacity a concurrent change took between its read and its commit, naming it', async () => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 1 } });
    const other = await activateNew(world, accountId, { allocation: { ivr: 1 } });
    world.repo.beforeNext('commitAllocationChange', async () => {
      await change(other.installationId, { ivr: 9 });
    });

    const refused = await rejection(change(installationId, { ivr: 3, acd: 1 }));

    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as ConflictError).errors).toEqual([
      { path: 'allocation.ivr', message: 'only 0 more are free: at most 1 for this installation' },
    ]);
    expect(world.repo.pool(accountId, 'ivr')).toMatchObject({ allocated: 10, free: 0 });
    expect(world.repo.pool(accountId, 'acd')).toMatchObject({ allocated: 0, free: 4 });
    expect(world.repo.installation(installationId)?.allocation).toEqual({ ivr: 1 });
  });

  it('never allocates more than the capacity, whatever the interleaving of many raises', async () => {
    const installations = [];
    for (let i = 0; i < 8; i++) installations.push(await activateNew(world, accountId, { allocation: { ivr: 1 } }));

    const outcomes = await Promise.allSettled(installations.map((inst) => change(inst.installationId, { ivr: 2 })));

    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(2);
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason)).toEqual(
      Array(6).fill(expect.any(ConflictError)),
    );
    expect(world.repo.pool(accountId, 'ivr')).toMatchObject({ capacity: 10, allocated: 10, free: 0 });
  });

  it('bumps the rev so the next poll gets a new licence with a higher ver and the new capacity', async () => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 3 } });
    const before = await pollLicense(world.deps, world.settings, installationId, undefined, acceptSignature);

    await change(installationId, { ivr: 4 });
    const after = await pollLicense(world.deps, world.settings, installationId, before.etag, acceptSignature);

    if (after.status !== 200) throw new Error(`expected 200, got ${after.status}`);
    expect(after.etag).not.toBe(before.etag);
    const { claims } = await verifyLicense(after.license, world.signer, world.clock.now());
    expect(claims.ver).toBe(2);
    expect(claims.products).toEqual([
      { product: 'ivr', capacity: 4, kind: 'perpetual', terms: [{ quantity: 4, kind: 'perpetual' }] },
    ]);
  });

  it('writes an audit event naming who changed what', async () => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 3 } });

    await change(installationId, { ivr: 1, acd: 1 }, principals.reseller(RESELLER_ID));

    expect(world.repo.auditOf(accountId).at(-1)).toMatchObject({
      action: 'installation.allocation-changed',
      actor: { kind: 'reseller', id: `sub-${RESELLER_ID}` },
      details: { installationId, from: { ivr: 3 }, to: { ivr: 1, acd: 1 } },
    });
  });

  it('writes nothing when the allocation is the one it holds', async () => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 3 } });
    const before = world.repo.snapshot();

    const result = await change(installationId, { ivr: 3, acd: 0 });

    expect(result).toEqual({ installationId, allocation: { ivr: 3 } });
    expect(world.repo.snapshot()).toEqual(before);
  });

  it('refuses a product the account holds none of, naming its path, and writes nothing', async () => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 3 } });
    const before = world.repo.snapshot();

    const refused = await rejection(change(installationId, { ivr: 3, 'digital-fax': 1 }));

    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).errors).toEqual([
      { path: 'allocation.digital-fax', message: 'the account holds no digital-fax licences' },
    ]);
    expect(world.repo.snapshot()).toEqual(before);
  });

  it('refuses a deactivated installation', async () => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 3 } });
    await deactivateInstallation(world.deps, installationId, acceptSignature);

    await expect(change(installationId, { ivr: 1 })).rejects.toThrow(ConflictError);
    expect(world.repo.pool(accountId, 'ivr')).toMatchObject({ allocated: 0, free: 10 });
  });

  it('goes with a deposit granting the follower more meanwhile: the grant is kept, the change retried on what is held', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const follower = await activateNew(world, accountId);
    world.repo.beforeNext('commitAllocationChange', async () => {
      await depositOrder(
        world.deps,
        principals.backoffice,
        'PO-2',
        existingAccountOrder(accountId, [perpetualLine('ivr', 5)]),
      );
    });

    const result = await change(follower.installationId, { ivr: 8, acd: 4 });

    expect(world.repo.commits.filter((c) => c.method === 'commitAllocationChange').map((c) => c.outcome)).toEqual([
      'stale',
      'applied',
    ]);
    expect(result.allocation).toEqual({ ivr: 8, acd: 4 });
    expect(world.repo.pool(accountId, 'ivr')).toMatchObject({ capacity: 15, allocated: 8, free: 7 });
  });

  it('answers 503 when the installation keeps changing under it', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 3 } });
    for (let i = 0; i < 12; i++) world.repo.rejectNext('stale', 'commitAllocationChange');

    await expect(change(installationId, { ivr: 4 })).rejects.toThrow(ServiceUnavailableError);
    expect(world.repo.installation(installationId)?.allocation).toEqual({ ivr: 3 });
  });

  it.each<[string, () => Principal, boolean]>([
    ['the customer itself', () => principals.customer(accountId), true],
    ['its reseller', () => principals.reseller(RESELLER_ID), true],
    ['back office', () => principals.backoffice, true],
    ['support (read-only)', () => principals.support, false],
    ['another customer', () => principals.customer('acc_00000099'), false],
    ['another reseller', () => principals.reseller(OTHER_RESELLER_ID), false],
  ])('lets %s change it: %s', async (_who, principal, permitted) => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 3 } });

    const attempt = change(installationId, { ivr: 4 }, principal());

    if (permitted) await expect(attempt).resolves.toMatchObject({ allocation: { ivr: 4 } });
    else await expect(attempt).rejects.toThrow(ForbiddenError);
  });

  it("answers 404 for another account's installation, named under this account", async () => {
    const otherAccount = await seedAccount(world, newAccountOrder([perpetualLine('ivr', 2)]));
    const foreign = await activateNew(world, otherAccount, { allocation: { ivr: 1 } });

    const attempt = change(foreign.installationId, { ivr: 2 });

    await expect(attempt).rejects.toThrow(NotFoundError);
    expect(world.repo.installation(foreign.installationId)?.allocation).toEqual({ ivr: 1 });
  });
});

describe('allocationChangeBodySchema', () => {
  it.each([
    [{ allocation: { ivr: -1 } }, 'allocation.ivr'],
    [{ allocation: { ivr: 1.5 } }, 'allocation.ivr'],
    [{ allocation: { ivr: '2' } }, 'allocation.ivr'],
    [{ allocation: {} }, 'allocation'],
    [{}, 'allocation'],
  ])('refuses %j at %s', (body, path) => {
    const parsed = allocationChangeBodySchema.safeParse(body);

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('accepts zeros: they give a product back', () => {
    expect(allocationChangeBodySchema.parse({ allocation: { ivr: 0, acd: 2 } })).toEqual({
      allocation: { ivr: 0, acd: 2 },
    });
  });
});

describe('poolTakes', () => {
  it('is what each pool gives or takes, products in either allocation, none for an unchanged one', () => {
    expect(poolTakes({ ivr: 3, acd: 2, 'phone-lock': 1 }, { ivr: 5, acd: 2, 'digital-fax': 1 })).toEqual([
      { product: 'digital-fax', take: 1 },
      { product: 'ivr', take: 2 },
      { product: 'phone-lock', take: -1 },
    ]);
  });
});

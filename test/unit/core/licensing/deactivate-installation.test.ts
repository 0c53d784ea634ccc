import { UnauthorizedError } from '../../../../lambdas/core/errors';
import { deactivateInstallation } from '../../../../lambdas/core/licensing/deactivate-installation';
import { depositOrder } from '../../../../lambdas/core/licensing/deposit-order';
import {
  acceptSignature,
  activateNew,
  existingAccountOrder,
  licensingWorld,
  newAccountOrder,
  perpetualLine,
  principals,
  seedAccount,
  T0,
  type LicensingWorld,
} from '../../../support/licensing-fixtures';

let world: LicensingWorld;
let accountId: string;

beforeEach(async () => {
  world = await licensingWorld();
  accountId = await seedAccount(world, newAccountOrder([perpetualLine('ivr', 10), perpetualLine('acd', 4)]));
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

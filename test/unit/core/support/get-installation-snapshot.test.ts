import { ForbiddenError, NotFoundError } from '#lambdas/core/errors';
import { getInstallationSnapshot } from '#lambdas/core/support/get-installation-snapshot';
import {
  accountReaders,
  healthOf,
  principals,
  snapshotOf,
  supportWorld,
  type SupportWorld,
} from '#test/support/support-fixtures';

let world: SupportWorld;

beforeEach(async () => {
  world = await supportWorld();
  world.store.putHealth(healthOf(world.installationId, world.accountId));
});

describe('getInstallationSnapshot', () => {
  it('answers the newest beat of each type, keyed by type', async () => {
    const memory = { totalBytes: 17_179_869_184, reservedBytes: 0 };
    const suite = { version: '14.2.1', platform: 'x64', installPath: 'C:\\UCX', installFolderBytes: 1_000 };
    world.store.putSnapshot(
      snapshotOf(world.installationId, world.accountId, 'hardware.memory', memory, '2026-03-02T08:00:00.000Z'),
    );
    world.store.putSnapshot(
      snapshotOf(world.installationId, world.accountId, 'ucx.suite', suite, '2026-03-02T08:30:00.000Z'),
    );

    const view = await getInstallationSnapshot(world.deps, principals.support, world.installationId);

    expect(view).toEqual({
      installationId: world.installationId,
      beats: {
        'hardware.memory': { beatId: 'beat-hardware.memory', collectedAt: '2026-03-02T08:00:00.000Z', data: memory },
        'ucx.suite': { beatId: 'beat-ucx.suite', collectedAt: '2026-03-02T08:30:00.000Z', data: suite },
      },
    });
  });

  it('answers 404 for an installation without telemetry', async () => {
    const attempt = getInstallationSnapshot(world.deps, principals.backoffice, 'inst_unknown00000');

    await expect(attempt).rejects.toThrow(NotFoundError);
  });

  it('is for support and back office only, not even the account’s own customer or reseller', async () => {
    for (const [, principal] of accountReaders(world)) {
      const attempt = getInstallationSnapshot(world.deps, principal, world.installationId);

      if (principal.role === 'support' || principal.role === 'backoffice') {
        await expect(attempt).resolves.toMatchObject({ installationId: world.installationId });
      } else {
        await expect(attempt).rejects.toThrow(ForbiddenError);
      }
    }
  });
});

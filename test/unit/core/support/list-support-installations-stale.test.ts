import { pollLicense } from '#lambdas/core/licensing/poll-license';
import {
  listSupportInstallations,
  supportInstallationsQuerySchema,
} from '#lambdas/core/support/list-support-installations';
import { acceptSignature } from '#test/support/licensing-fixtures';
import { healthOf, principals, supportWorld, T0 } from '#test/support/support-fixtures';

const DAY_MS = 86_400_000;
const ids = (view: { installations: { installationId: string }[] }) =>
  view.installations.map((i) => i.installationId).sort();

describe('listSupportInstallations ?stale=true', () => {
  it('keeps the installations stale in licensing: silent in polls past staleAfterDays, active', async () => {
    // Arrange
    const world = await supportWorld();
    const longAgo = new Date(T0.getTime() + DAY_MS).toISOString();
    world.store.putHealth(healthOf(world.installationId, world.accountId, { lastBeatAt: longAgo }));
    world.store.putHealth(healthOf(world.otherInstallationId, world.otherAccountId, { lastBeatAt: longAgo }));
    world.store.putHealth(healthOf('inst_unknown', world.accountId, { lastBeatAt: longAgo }));
    world.licensing.clock.advanceDays(35);
    await pollLicense(
      world.licensing.deps,
      world.licensing.settings,
      world.otherInstallationId,
      undefined,
      acceptSignature,
    );
    world.licensing.clock.advanceDays(5);

    // Act
    const all = await listSupportInstallations(world.deps, principals.support, {});
    const stale = await listSupportInstallations(world.deps, principals.support, { stale: 'true' });
    const staleAfter60 = await listSupportInstallations(
      world.deps,
      principals.backoffice,
      { stale: 'true' },
      { staleAfterDays: 60 },
    );

    // Assert
    expect(ids(all)).toEqual([world.installationId, 'inst_unknown', world.otherInstallationId].sort());
    expect(ids(stale)).toEqual([world.installationId]);
    expect(ids(staleAfter60)).toEqual([]);
  });

  it('takes only stale=true', () => {
    expect(supportInstallationsQuerySchema.safeParse({ stale: 'true' }).success).toBe(true);
    expect(supportInstallationsQuerySchema.safeParse({ stale: 'yes' }).success).toBe(false);
  });
});

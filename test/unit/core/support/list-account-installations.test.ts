import { ForbiddenError, NotFoundError } from '#lambdas/core/errors';
import { listAccountInstallations } from '#lambdas/core/support/list-account-installations';
import {
  accountReaders,
  healthOf,
  principals,
  supportWorld,
  T0,
  type SupportWorld,
} from '#test/support/support-fixtures';

let world: SupportWorld;

beforeEach(async () => {
  world = await supportWorld();
});

describe('listAccountInstallations', () => {
  it('shows each installation’s last beat, Care, audience and open findings, most severe first', async () => {
    const warning = {
      findingId: 'fnd_a',
      ruleId: 'db-express-cap',
      subject: 'UCX',
      severity: 'warning',
      openedAt: '2026-03-01T00:00:00.000Z',
    } as const;
    const critical = {
      findingId: 'fnd_b',
      ruleId: 'telemetry-silent',
      subject: 'installation',
      severity: 'critical',
      openedAt: '2026-03-02T00:00:00.000Z',
    } as const;
    world.store.putHealth(
      healthOf(world.installationId, world.accountId, { careLevel: 'basic', openFindings: [warning, critical] }),
    );
    world.store.putHealth(healthOf(world.otherInstallationId, world.otherAccountId));

    const view = await listAccountInstallations(world.deps, principals.support, world.accountId);

    expect(view).toEqual({
      installations: [
        {
          installationId: world.installationId,
          lastBeatAt: T0.toISOString(),
          careLevel: 'basic',
          audience: 'support',
          openFindings: [critical, warning],
        },
      ],
    });
  });

  it('lists an active installation that never sent a beat with lastBeatAt null', async () => {
    const view = await listAccountInstallations(world.deps, principals.support, world.accountId);

    expect(view.installations).toEqual([
      { installationId: world.installationId, lastBeatAt: null, careLevel: null, audience: null, openFindings: [] },
    ]);
  });

  it('answers 404 to support for an unknown account', async () => {
    const attempt = listAccountInstallations(world.deps, principals.support, 'acc_doesnotexist');

    await expect(attempt).rejects.toThrow(NotFoundError);
  });

  it('lets exactly support, back office, the customer itself and its reseller read it', async () => {
    world.store.putHealth(healthOf(world.installationId, world.accountId));

    for (const [, principal, permitted] of accountReaders(world)) {
      const attempt = listAccountInstallations(world.deps, principal, world.accountId);

      if (permitted) {
        await expect(attempt).resolves.toMatchObject({ installations: [{ installationId: world.installationId }] });
      } else await expect(attempt).rejects.toThrow(ForbiddenError);
    }
  });

  it('refuses a customer naming another account without reading it', async () => {
    const accountRead = jest.spyOn(world.licensing.repo, 'getAccountState');
    const storeRead = jest.spyOn(world.store, 'installationsOfAccount');

    const attempt = listAccountInstallations(world.deps, principals.customer(world.otherAccountId), world.accountId);

    await expect(attempt).rejects.toThrow(ForbiddenError);
    expect(accountRead).not.toHaveBeenCalled();
    expect(storeRead).not.toHaveBeenCalled();
  });
});

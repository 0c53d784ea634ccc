import { ForbiddenError, NotFoundError } from '#lambdas/core/errors';
import type { Principal } from '#lambdas/core/licensing/access';
import { deactivateInstallation } from '#lambdas/core/licensing/deactivate-installation';
import { getAccount } from '#lambdas/core/licensing/get-account';
import { pollLicense } from '#lambdas/core/licensing/poll-license';
import {
  acceptSignature,
  activateNew,
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
    newAccountOrder([perpetualLine('ivr', 10), perpetualLine('acd', 2)], {
      name: 'Contoso Clinic',
      resellerId: RESELLER_ID,
    }),
  );
});

describe('getAccount', () => {
  it('shows the account, its pools and its installations', async () => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 3 } });

    const view = await getAccount(world.deps, principals.customer(accountId), accountId);

    expect(view).toEqual({
      accountId,
      name: 'Contoso Clinic',
      region: 'eu',
      resellerId: RESELLER_ID,
      status: 'open',
      telemetry: { enabled: true },
      products: [
        {
          product: 'acd',
          capacity: 2,
          allocated: 0,
          free: 2,
          kind: 'perpetual',
          entitlements: [
            {
              entitlementId: expect.stringMatching(/^PO-\d+#02$/),
              product: 'acd',
              kind: 'perpetual',
              quantity: 2,
              startsAt: T0.toISOString(),
              status: 'active',
            },
          ],
        },
        {
          product: 'ivr',
          capacity: 10,
          allocated: 3,
          free: 7,
          kind: 'perpetual',
          entitlements: [
            {
              entitlementId: expect.stringMatching(/^PO-\d+#01$/),
              product: 'ivr',
              kind: 'perpetual',
              quantity: 10,
              startsAt: T0.toISOString(),
              status: 'active',
            },
          ],
        },
      ],
      installations: [
        {
          installationId,
          status: 'active',
          allocation: { ivr: 3 },
          nodes: ['ucx-node-a', 'ucx-node-b'],
          suiteVersion: '14.2.1',
          activatedAt: T0.toISOString(),
          lastPollAt: null,
          stale: false,
        },
      ],
    });
  });

  it('shows when each active installation last polled, and none for a deactivated one', async () => {
    const polled = await activateNew(world, accountId, { allocation: { ivr: 1 } });
    const silent = await activateNew(world, accountId, { allocation: { ivr: 1 } });
    const gone = await activateNew(world, accountId, { allocation: { ivr: 1 } });
    world.clock.advance(90_000);
    await pollLicense(world.deps, world.settings, polled.installationId, undefined, acceptSignature);
    await pollLicense(world.deps, world.settings, gone.installationId, undefined, acceptSignature);
    await deactivateInstallation(world.deps, gone.installationId, acceptSignature);
    const lastPolls = jest.spyOn(world.repo, 'getLastPolls');

    const view = await getAccount(world.deps, principals.customer(accountId), accountId);

    const lastPollOf = (id: string) => view.installations.find((i) => i.installationId === id)?.lastPollAt;
    expect(lastPollOf(polled.installationId)).toBe(new Date(T0.getTime() + 90_000).toISOString());
    expect(lastPollOf(silent.installationId)).toBeNull();
    expect(lastPollOf(gone.installationId)).toBeNull();
    expect(lastPolls).toHaveBeenCalledWith([polled.installationId, silent.installationId]);
  });

  it('answers 404 to back office and support for a missing account', async () => {
    const attempts = [principals.backoffice, principals.support].map((p) =>
      getAccount(world.deps, p, 'acc_doesnotexist'),
    );

    await expect(attempts[0]).rejects.toThrow(NotFoundError);
    await expect(attempts[1]).rejects.toThrow(NotFoundError);
  });

  it.each<[string, () => Principal, boolean]>([
    ['the customer itself', () => principals.customer(accountId), true],
    ['its reseller', () => principals.reseller(RESELLER_ID), true],
    ['back office', () => principals.backoffice, true],
    ['support', () => principals.support, true],
    ['another customer', () => principals.customer('acc_00000099'), false],
    ['another reseller', () => principals.reseller(OTHER_RESELLER_ID), false],
  ])('lets %s read it: %s', async (_who, principal, permitted) => {
    const attempt = getAccount(world.deps, principal(), accountId);

    if (permitted) await expect(attempt).resolves.toMatchObject({ accountId });
    else await expect(attempt).rejects.toThrow(ForbiddenError);
  });

  it('refuses a customer naming another account without reading it', async () => {
    const read = jest.spyOn(world.repo, 'getAccountState');

    const attempt = getAccount(world.deps, principals.customer('acc_00000099'), accountId);

    await expect(attempt).rejects.toThrow(ForbiddenError);
    expect(read).not.toHaveBeenCalled();
  });
});

import { ConflictError, NotFoundError, ValidationError } from '#lambdas/core/errors';
import { depositOrder, type OrderBody } from '#lambdas/core/licensing/deposit-order';
import { getAccount } from '#lambdas/core/licensing/get-account';
import { previewOrder } from '#lambdas/core/licensing/preview-order';
import {
  activateNew,
  DAY_MS,
  existingAccountOrder,
  licensingWorld,
  newAccountOrder,
  perpetualLine,
  principals,
  seedAccount,
  T0,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';

const at = (days: number) => new Date(T0.getTime() + days * DAY_MS).toISOString();

/** A perpetual line, a subscription line with start and end, and a Care renewal: the form's three kinds. */
const threeKinds = (accountId: string): OrderBody =>
  existingAccountOrder(accountId, [
    perpetualLine('ivr', 4, { level: 'basic', endsAt: at(200) }),
    { product: 'call-recording', quantity: 6, kind: 'subscription', startsAt: at(30), endsAt: at(395) },
    { product: 'attendant-console', kind: 'care', care: { level: 'platinum', startsAt: at(364), endsAt: at(729) } },
  ]);

let world: LicensingWorld;
beforeEach(async () => {
  world = await licensingWorld();
});

describe('previewOrder', () => {
  it('shows what the account holds after the real deposit, product by product', async () => {
    const accountId = await seedAccount(world);
    await activateNew(world, accountId);
    const body = threeKinds(accountId);

    const preview = await previewOrder(world.deps, principals.backoffice, 'PO-3', body);
    await depositOrder(world.deps, principals.backoffice, 'PO-3', body);
    const after = await getAccount(world.deps, principals.backoffice, accountId);

    expect(preview.products.map(({ changes: _c, subscriptionEndsAt: _s, ...standing }) => standing)).toEqual(
      after.products.map(({ entitlements: _e, ...standing }) => standing),
    );
    expect(preview.entitlements.map((e) => e.entitlementId)).toEqual(['PO-3#01', 'PO-3#02', 'PO-3#03']);
  });

  it('writes nothing', async () => {
    const accountId = await seedAccount(world);
    const before = world.repo.account(accountId);

    await previewOrder(world.deps, principals.backoffice, 'PO-DRY', threeKinds(accountId));

    expect(await world.deps.repo.getOrder('PO-DRY')).toBeNull();
    expect(world.repo.account(accountId)).toEqual(before);
  });

  it('shows capacity over time: a subscription that starts later and ends', async () => {
    const accountId = await seedAccount(world);

    const preview = await previewOrder(world.deps, principals.backoffice, 'PO-T', threeKinds(accountId));

    const recording = preview.products.find((p) => p.product === 'call-recording');
    expect(recording).toMatchObject({ capacity: 0, subscriptionEndsAt: at(395) });
    expect(recording?.changes).toEqual([
      { at: at(30), capacity: 6 },
      { at: at(395), capacity: 0 },
    ]);
  });

  it('previews an order that creates the account', async () => {
    const preview = await previewOrder(world.deps, principals.backoffice, 'PO-NEW', newAccountOrder());

    expect(preview).toMatchObject({ accountCreated: true, alreadyDeposited: false });
    expect(preview.accountId).toBeUndefined();
    expect(preview.products).toEqual([
      expect.objectContaining({
        product: 'attendant-console',
        capacity: 10,
        care: { level: 'gold', expiresAt: '2027-03-01T00:00:00.000Z' },
      }),
    ]);
  });

  it('says when the order is already deposited, and refuses another body under its id', async () => {
    const accountId = await seedAccount(world);
    const body = threeKinds(accountId);
    await depositOrder(world.deps, principals.backoffice, 'PO-DONE', body);

    const again = await previewOrder(world.deps, principals.backoffice, 'PO-DONE', body);
    const other = previewOrder(
      world.deps,
      principals.backoffice,
      'PO-DONE',
      existingAccountOrder(accountId, [perpetualLine('acd', 1)]),
    );

    expect(again).toMatchObject({ alreadyDeposited: true, entitlements: [] });
    await expect(other).rejects.toBeInstanceOf(ConflictError);
  });

  it('checks as the deposit does: past Care, unknown account, unknown reseller', async () => {
    const accountId = await seedAccount(world);

    await expect(
      previewOrder(
        world.deps,
        principals.backoffice,
        'PO-X',
        existingAccountOrder(accountId, [perpetualLine('acd', 1, { level: 'gold', endsAt: at(-1) })]),
      ),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      previewOrder(
        world.deps,
        principals.backoffice,
        'PO-Y',
        existingAccountOrder('acc_unknown00', [perpetualLine('acd', 1)]),
      ),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      previewOrder(
        world.deps,
        principals.backoffice,
        'PO-Z',
        newAccountOrder(undefined, { resellerId: 'nobody-sells' }),
        {
          resellers: { isKnownReseller: async () => false },
        },
      ),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('is the back office’s alone', async () => {
    const accountId = await seedAccount(world);

    await expect(
      previewOrder(world.deps, principals.customer(accountId), 'PO-C', threeKinds(accountId)),
    ).rejects.toThrow();
  });
});

import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '#lambdas/core/errors';
import { createActivationKey, hashActivationKey } from '#lambdas/core/licensing/create-activation-key';
import {
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
    newAccountOrder([perpetualLine('attendant-console', 10), perpetualLine('ivr', 4)], { resellerId: RESELLER_ID }),
  );
});

describe('createActivationKey', () => {
  it('allocates all free capacity by default and stores only the key hash, following the pool', async () => {
    await activateNew(world, accountId, { allocation: { ivr: 4 } });

    const result = await createActivationKey(world.deps, principals.backoffice, accountId, { expiresInDays: 7 });

    expect(result).toEqual({
      activationKey: expect.any(String),
      keyId: expect.stringMatching(/^akey_/),
      expiresAt: new Date(T0.getTime() + 7 * 86_400_000).toISOString(),
      allocation: { 'attendant-console': 10 },
    });
    const stored = world.repo.snapshot().activationKeys;
    expect(stored[hashActivationKey(result.activationKey)]).toEqual({
      keyHash: hashActivationKey(result.activationKey),
      accountId,
      allocation: { 'attendant-console': 10 },
      followsPool: true,
      expiresAt: result.expiresAt,
      createdAt: T0.toISOString(),
      // the key list's facts: its id, last four characters and creator, never the key
      keyId: result.keyId,
      hint: result.activationKey.slice(-4),
      createdBy: { kind: 'backoffice', id: principals.backoffice.sub },
    });
    expect(JSON.stringify(world.repo.snapshot())).not.toContain(result.activationKey);
  });

  it('issues an explicit allocation that does not follow the pool', async () => {
    const result = await createActivationKey(world.deps, principals.backoffice, accountId, {
      allocation: { 'attendant-console': 3 },
      expiresInDays: 30,
    });

    expect(result.allocation).toEqual({ 'attendant-console': 3 });
    expect(world.repo.snapshot().activationKeys[hashActivationKey(result.activationKey)]?.followsPool).toBe(false);
  });

  it('hashes a key the same whatever its case and surrounding spaces', () => {
    const key = 'KEY-0001-UCXS';

    const variants = [` ${key.toLowerCase()} `, key].map(hashActivationKey);

    expect(variants[0]).toBe(variants[1]);
  });

  it('refuses an explicit allocation over the free capacity (409)', async () => {
    const attempt = createActivationKey(world.deps, principals.backoffice, accountId, {
      allocation: { ivr: 5 },
      expiresInDays: 30,
    });

    await expect(attempt).rejects.toThrow(ConflictError);
    await expect(attempt).rejects.toThrow(/allocation\.ivr: only 4 of ivr are free/);
    expect(world.repo.snapshot().activationKeys).toEqual({});
  });

  it('refuses a product the account does not hold as a validation error on allocation.<product>', async () => {
    const attempt = createActivationKey(world.deps, principals.backoffice, accountId, {
      allocation: { 'digital-fax': 1, ivr: 99 },
      expiresInDays: 30,
    });

    const error = await attempt.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors).toEqual(
      expect.arrayContaining([
        { path: 'allocation.digital-fax', message: 'the account holds no digital-fax licences' },
      ]),
    );
  });

  it('refuses a default key when nothing is free (409)', async () => {
    await activateNew(world, accountId);

    const attempt = createActivationKey(world.deps, principals.backoffice, accountId, { expiresInDays: 30 });

    await expect(attempt).rejects.toThrow(ConflictError);
  });

  it('answers 404 to back office for an account that does not exist', async () => {
    const attempt = createActivationKey(world.deps, principals.backoffice, 'acc_doesnotexist', { expiresInDays: 30 });

    await expect(attempt).rejects.toThrow(NotFoundError);
  });

  it.each([
    ['the customer itself', () => principals.customer(accountId), true],
    ['its reseller', () => principals.reseller(RESELLER_ID), true],
    ['back office', () => principals.backoffice, true],
    ['support (read-only)', () => principals.support, false],
    ['another customer', () => principals.customer('acc_00000099'), false],
    ['another reseller', () => principals.reseller(OTHER_RESELLER_ID), false],
  ])('lets %s issue a key: %s', async (_who, principal, permitted) => {
    const attempt = createActivationKey(world.deps, principal(), accountId, { expiresInDays: 30 });

    if (permitted) await expect(attempt).resolves.toMatchObject({ allocation: { 'attendant-console': 10, ivr: 4 } });
    else await expect(attempt).rejects.toThrow(ForbiddenError);
  });

  it('refuses a reseller naming an account that does not exist as forbidden, not as missing', async () => {
    const attempt = createActivationKey(world.deps, principals.reseller(RESELLER_ID), 'acc_doesnotexist', {
      expiresInDays: 30,
    });

    await expect(attempt).rejects.toThrow(ForbiddenError);
  });
});

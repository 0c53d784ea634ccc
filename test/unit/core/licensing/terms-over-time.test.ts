/**
 * The licensing use cases as time passes with no write: capacity, licences and Care follow the
 * entitlements at the clock's instant (the in-memory store, a clock that moves only when told).
 */
import { ConflictError } from '#lambdas/core/errors';
import { activateInstallation } from '#lambdas/core/licensing/activate-installation';
import { createActivationKey } from '#lambdas/core/licensing/create-activation-key';
import { depositOrder, type OrderLine } from '#lambdas/core/licensing/deposit-order';
import { getAccount } from '#lambdas/core/licensing/get-account';
import { pollLicense } from '#lambdas/core/licensing/poll-license';
import {
  acceptSignature,
  activateNew,
  activationBody,
  agentIdentity,
  DAY_MS,
  existingAccountOrder,
  licenseClaims,
  licensingWorld,
  newAccountOrder,
  perpetualLine,
  principals,
  seedAccount,
  subscriptionLine,
  T0,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';

let world: LicensingWorld;
const day = (n: number) => new Date(T0.getTime() + n * DAY_MS).toISOString();

beforeEach(async () => {
  world = await licensingWorld();
});

async function polledClaims(installationId: string) {
  const outcome = await pollLicense(world.deps, world.settings, installationId, undefined, acceptSignature);
  if (outcome.status !== 200) throw new Error('expected a licence');
  return licenseClaims(outcome.license, world.signer);
}

const products = async (accountId: string) =>
  (await getAccount(world.deps, principals.backoffice, accountId)).products.map(
    ({ entitlements: _entitlements, ...standing }) => standing,
  );

describe('a perpetual 5 and a subscription 3 ending tomorrow', () => {
  let accountId: string;

  beforeEach(async () => {
    accountId = await seedAccount(
      world,
      newAccountOrder([perpetualLine('ivr', 5), subscriptionLine('ivr', 3, day(-30), day(1))]),
    );
  });

  it('give capacity 8 today and 5 from the end on, and the licence says so without a write', async () => {
    // Arrange
    const { installationId } = await activateNew(world, accountId);
    const today = await polledClaims(installationId);
    const commits = world.repo.commits.length;

    // Act
    world.clock.set(new Date(day(1)));
    const afterTheEnd = await polledClaims(installationId);

    // Assert
    expect(today.products).toEqual([
      {
        product: 'ivr',
        capacity: 8,
        kind: 'subscription',
        expiresAt: day(1),
        terms: [
          { quantity: 5, kind: 'perpetual' },
          { quantity: 3, kind: 'subscription', startsAt: day(-30), endsAt: day(1) },
        ],
      },
    ]);
    expect(afterTheEnd.ver).toBeGreaterThan(today.ver);
    expect(afterTheEnd.products).toEqual([
      {
        product: 'ivr',
        capacity: 8,
        kind: 'subscription',
        expiresAt: day(31),
        terms: [{ quantity: 5, kind: 'perpetual' }],
        shortfall: { quantity: 3, enforcedAt: day(31) },
      },
    ]);
    expect(world.repo.commits.length).toBe(commits);
    expect(await products(accountId)).toEqual([
      {
        product: 'ivr',
        capacity: 5,
        allocated: 8,
        free: 0,
        kind: 'perpetual',
        shortfall: { quantity: 3, enforcedAt: day(31) },
      },
    ]);
  });

  it('refuse an activation, with a key issued before the end, that the ended subscription would have covered', async () => {
    // Arrange
    await activateNew(world, accountId, { allocation: { ivr: 5 } });
    const { activationKey } = await createActivationKey(world.deps, principals.backoffice, accountId, {
      allocation: { ivr: 3 },
      expiresInDays: 30,
    });
    const identity = await agentIdentity();
    world.clock.set(new Date(day(1)));

    // Act
    const attempt = activateInstallation(
      world.deps,
      world.settings,
      activationBody(activationKey, identity.publicKey),
      identity.thumbprint,
    );

    // Assert
    await expect(attempt).rejects.toThrow(ConflictError);
    expect(world.repo.commits.at(-1)).toEqual({ method: 'commitActivation', outcome: 'capacity' });
    expect(world.repo.pool(accountId, 'ivr')).toMatchObject({ capacity: 5, allocated: 5, free: 0 });
  });

  it('keep the uncovered allocation until the grace ends, then the newest installation’s licence drops it', async () => {
    // Arrange
    const oldest = await activateNew(world, accountId, { allocation: { ivr: 5 } });
    world.clock.advance(60_000);
    const newest = await activateNew(world, accountId, { allocation: { ivr: 3 } });
    world.clock.set(new Date(day(1)));
    const inGrace = await polledClaims(newest.installationId);

    // Act
    world.clock.set(new Date(day(31)));
    const enforced = await polledClaims(newest.installationId);
    const oldestAfter = await polledClaims(oldest.installationId);

    // Assert
    expect(inGrace.products).toEqual([
      expect.objectContaining({ capacity: 3, terms: [], shortfall: { quantity: 3, enforcedAt: day(31) } }),
    ]);
    expect(enforced.products).toEqual([]);
    expect(oldestAfter.products).toEqual([
      { product: 'ivr', capacity: 5, kind: 'perpetual', terms: [{ quantity: 5, kind: 'perpetual' }] },
    ]);
  });

  it('end the shortfall with a renewal: the next poll carries the renewed term', async () => {
    // Arrange
    const { installationId } = await activateNew(world, accountId);
    world.clock.set(new Date(day(2)));

    // Act
    await depositOrder(
      world.deps,
      principals.backoffice,
      'PO-RENEW',
      existingAccountOrder(accountId, [subscriptionLine('ivr', 3, day(1), day(366))]),
    );
    const renewed = await polledClaims(installationId);

    // Assert
    expect(renewed.products).toEqual([
      {
        product: 'ivr',
        capacity: 8,
        kind: 'subscription',
        expiresAt: day(366),
        terms: [
          { quantity: 5, kind: 'perpetual' },
          { quantity: 3, kind: 'subscription', startsAt: day(1), endsAt: day(366) },
        ],
      },
    ]);
  });
});

describe('Care', () => {
  it('renewed by a care line: the next poll carries the new care.expiresAt', async () => {
    // Arrange
    const accountId = await seedAccount(
      world,
      newAccountOrder([perpetualLine('acd', 2, { level: 'gold', endsAt: day(20) })]),
    );
    const { installationId } = await activateNew(world, accountId);
    const before = await polledClaims(installationId);
    const renewal: OrderLine = { product: 'acd', kind: 'care', care: { level: 'gold', endsAt: day(385) } };

    // Act
    await depositOrder(world.deps, principals.backoffice, 'PO-CARE', existingAccountOrder(accountId, [renewal]));
    const after = await polledClaims(installationId);

    // Assert
    expect(before.products[0]?.care).toEqual({ level: 'gold', expiresAt: day(20) });
    expect(after.products[0]?.care).toEqual({ level: 'gold', expiresAt: day(385) });
  });

  it('leaves the licence at its end: the poll after it re-issues the licence without Care', async () => {
    // Arrange
    const accountId = await seedAccount(
      world,
      newAccountOrder([perpetualLine('acd', 2, { level: 'platinum', endsAt: day(20) })]),
    );
    const { installationId } = await activateNew(world, accountId);

    // Act
    world.clock.set(new Date(day(20)));
    const lapsed = await polledClaims(installationId);

    // Assert
    expect(world.repo.installation(installationId)?.license.validUntil).toBeUndefined();
    expect(lapsed.products).toEqual([
      { product: 'acd', capacity: 2, kind: 'perpetual', terms: [{ quantity: 2, kind: 'perpetual' }] },
    ]);
  });
});

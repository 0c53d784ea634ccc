/**
 * Issue 17, finding 10: a poll that must re-sign survives only the signer's failure (serving the
 * stored licence while it is unexpired), and says so: a warning log without personal data and a
 * count; any other failure of the rebuild propagates.
 */
import { depositOrder } from '#lambdas/core/licensing/deposit-order';
import { pollLicense } from '#lambdas/core/licensing/poll-license';
import type { Signer } from '#lambdas/core/ports';
import {
  acceptSignature,
  activateNew,
  existingAccountOrder,
  licensingWorld,
  newAccountOrder,
  perpetualLine,
  principals,
  seedAccount,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';

let world: LicensingWorld;
let accountId: string;
let counted: string[];

beforeEach(async () => {
  world = await licensingWorld();
  counted = [];
  world = { ...world, deps: { ...world.deps, metrics: { count: (name) => counted.push(name) } } };
  accountId = await seedAccount(world, newAccountOrder([perpetualLine('ivr', 10)]));
});

const poll = (installationId: string, settings = world.settings) =>
  pollLicense(world.deps, settings, installationId, undefined, acceptSignature);

/** A change the stored licence does not carry yet: the next poll rebuilds and must sign. */
const depositMore = () =>
  depositOrder(world.deps, principals.backoffice, 'PO-2', existingAccountOrder(accountId, [perpetualLine('ivr', 5)]));

describe('pollLicense when re-signing fails', () => {
  it('serves the stored licence, counts the failure and logs it with the installation id only', async () => {
    // Arrange
    const { installationId, license } = await activateNew(world, accountId);
    await depositMore();
    const kms = new Error('KMS key is disabled');
    world.signer.failure = kms;

    // Act
    const outcome = await poll(installationId);

    // Assert
    expect(outcome).toMatchObject({ status: 200, license });
    expect(counted).toEqual(['licenceResignFailures']);
    expect(world.log.warnings).toEqual([
      {
        message: 're-signing the licence failed',
        details: {
          installationId,
          served: 'stored licence',
          storedExpiresAt: expect.any(String),
          error: kms,
        },
      },
    ]);
  });

  it('counts and logs it, then fails with the signer error, when the stored licence has expired', async () => {
    // Arrange
    const { installationId } = await activateNew(world, accountId);
    world.clock.advanceDays(31);
    world.signer.failure = new Error('KMS unavailable');

    // Act
    const attempt = poll(installationId);

    // Assert
    await expect(attempt).rejects.toThrow(/^KMS unavailable$/);
    expect(counted).toEqual(['licenceResignFailures']);
    expect(world.log.warnings).toHaveLength(1);
  });

  it('covers the key id lookup too (the first call to KMS)', async () => {
    // Arrange
    const { installationId, license } = await activateNew(world, accountId);
    await depositMore();
    const unreachable: Signer = {
      keyId: () => Promise.reject(new Error('connect ETIMEDOUT kms')),
      signJws: (payload, header) => world.signer.signJws(payload, header),
    };

    // Act
    const outcome = await poll(installationId, { ...world.settings, signer: unreachable });

    // Assert
    expect(outcome).toMatchObject({ status: 200, license });
    expect(counted).toEqual(['licenceResignFailures']);
  });

  it('lets any other failure of the rebuild propagate, uncounted and unserved', async () => {
    // Arrange: the signer works; reading the account's state to rebuild fails
    const { installationId } = await activateNew(world, accountId);
    await depositMore();
    const storeDown = new Error('DynamoDB is down');
    world.repo.getAccountState = () => Promise.reject(storeDown);

    // Act
    const attempt = poll(installationId);

    // Assert
    await expect(attempt).rejects.toBe(storeDown);
    expect(counted).toEqual([]);
    expect(world.log.warnings).toEqual([]);
  });
});

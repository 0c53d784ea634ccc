import { ConflictError, ForbiddenError } from '#lambdas/core/errors';
import {
  listActivationKeys,
  revokeActivationKey,
  type ActivationKeyDeps,
} from '#lambdas/core/licensing/activation-keys';
import { activateInstallation } from '#lambdas/core/licensing/activate-installation';
import { createActivationKey } from '#lambdas/core/licensing/create-activation-key';
import { MemoryActivationKeyStore } from '#test/support/memory-activation-key-store';
import {
  activateNew,
  activationBody,
  agentIdentity,
  licensingWorld,
  newAccountOrder,
  perpetualLine,
  principals,
  seedAccount,
  T0,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';

let world: LicensingWorld;
let store: MemoryActivationKeyStore;
let deps: ActivationKeyDeps;
let accountId: string;

beforeEach(async () => {
  world = await licensingWorld();
  store = new MemoryActivationKeyStore(world.repo);
  accountId = await seedAccount(world, newAccountOrder([perpetualLine('ivr', 10)]));
  const people = {
    listByAccount: async () => [{ userId: `sub-${accountId}`, email: 'admin@example.com' }],
  };
  deps = { ...world.deps, keys: store, people };
});

describe('listActivationKeys', () => {
  it('lists each key with its creator in words, its state and last four characters, never the key', async () => {
    const open = await createActivationKey(world.deps, principals.customer(accountId), accountId, {
      allocation: { ivr: 2 },
      expiresInDays: 30,
    });
    const used = await activateNew(world, accountId, { allocation: { ivr: 1 } });

    const { keys } = await listActivationKeys(deps, principals.support, accountId);

    expect(keys.map((k) => [k.hint, k.state, k.createdByName])).toEqual(
      expect.arrayContaining([
        [open.activationKey.slice(-4), 'open', 'admin@example.com'],
        [used.activationKey.slice(-4), 'used', 'back office'],
      ]),
    );
    expect(keys.find((k) => k.state === 'used')?.usedBy).toBe(used.installationId);
    expect(JSON.stringify(keys)).not.toContain(open.activationKey);
    expect(JSON.stringify(keys)).not.toContain('keyHash');
  });

  it('says a key past its expiry is expired', async () => {
    await createActivationKey(world.deps, principals.backoffice, accountId, { expiresInDays: 1 });
    world.clock.set(new Date(T0.getTime() + 2 * 86_400_000));

    const { keys } = await listActivationKeys(deps, principals.backoffice, accountId);

    expect(keys.map((k) => k.state)).toEqual(['expired']);
  });
});

describe('revokeActivationKey', () => {
  it('revokes an open key, audited once, and activation with it is refused with a 403 that says so', async () => {
    const key = await createActivationKey(world.deps, principals.customer(accountId), accountId, {
      expiresInDays: 30,
    });

    await revokeActivationKey(deps, principals.customer(accountId), accountId, key.keyId);
    await revokeActivationKey(deps, principals.customer(accountId), accountId, key.keyId);
    const identity = await agentIdentity();
    const refused = activateInstallation(
      world.deps,
      world.settings,
      activationBody(key.activationKey, identity.publicKey),
      identity.thumbprint,
    );

    await expect(refused).rejects.toThrow(ForbiddenError);
    await expect(refused).rejects.toThrow(/revoked on 2026-03-02/);
    expect(store.revocations.map((r) => r.audit.action)).toEqual(['activation-key.revoked']);
    const { keys } = await listActivationKeys(deps, principals.backoffice, accountId);
    expect(keys[0]).toMatchObject({ state: 'revoked', revokedBy: { kind: 'customer' } });
  });

  it('answers a key id the account does not have as done, and refuses a used key', async () => {
    const used = await activateNew(world, accountId, { allocation: { ivr: 1 } });
    const { keys } = await listActivationKeys(deps, principals.backoffice, accountId);

    await revokeActivationKey(deps, principals.backoffice, accountId, 'akey_none');
    await expect(revokeActivationKey(deps, principals.backoffice, accountId, keys[0]!.keyId)).rejects.toThrow(
      ConflictError,
    );
    expect(used.installationId).toMatch(/^inst_/);
  });

  it('lets support read the list but not revoke', async () => {
    const key = await createActivationKey(world.deps, principals.backoffice, accountId, { expiresInDays: 30 });

    await expect(revokeActivationKey(deps, principals.support, accountId, key.keyId)).rejects.toThrow(ForbiddenError);
  });
});

import { calculateJwkThumbprint } from 'jose';
import { ForbiddenError, UnauthorizedError } from '#lambdas/core/errors';
import {
  offlineActivation,
  offlineActivationBodySchema,
  type OfflineActivationPorts,
} from '#lambdas/core/licensing/offline-activation';
import { createOfflineRequest } from '#agent/sdk/offline';
import { generateIdentityKeys } from '#agent/sdk/signing';
import {
  issueKey,
  licensingWorld,
  newAccountOrder,
  principals,
  seedAccount,
  verifyLicense,
  RESELLER_ID,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';

let world: LicensingWorld;
let accountId: string;
let ports: OfflineActivationPorts;

beforeEach(async () => {
  world = await licensingWorld();
  accountId = await seedAccount(world, newAccountOrder(undefined, { resellerId: RESELLER_ID }));
  ports = { thumbprint: (jwk) => calculateJwkThumbprint(jwk), jwks: async () => [world.signer.publicJwk] };
});

const requestFile = async (activationKey: string) => {
  const keys = await generateIdentityKeys();
  const file = await createOfflineRequest(keys.privateKey, keys.publicJwk, activationKey, {
    suiteVersion: '14.2.1',
    nodes: ['ucx-node-a'],
  });
  return offlineActivationBodySchema.parse(JSON.parse(JSON.stringify(file)));
};

describe('offlineActivation', () => {
  it('turns a signed request file into a response file with a verifiable licence and the JWKS to pin', async () => {
    const key = await issueKey(world, accountId);
    const body = await requestFile(key);

    const { created, result } = await offlineActivation(
      world.deps,
      world.settings,
      ports,
      principals.backoffice,
      accountId,
      body,
    );

    expect(created).toBe(true);
    expect(result).toMatchObject({
      accountId,
      region: 'eu',
      telemetry: { enabled: true },
      jwks: { keys: [world.signer.publicJwk] },
    });
    const { claims } = await verifyLicense(result.license, world.signer, world.clock.now());
    expect(claims.sub).toBe(result.installationId);
  });

  it('answers the same installation when the same file is posted again (200)', async () => {
    const key = await issueKey(world, accountId);
    const body = await requestFile(key);
    const first = await offlineActivation(world.deps, world.settings, ports, principals.backoffice, accountId, body);

    const again = await offlineActivation(world.deps, world.settings, ports, principals.reseller(), accountId, body);

    expect(again.created).toBe(false);
    expect(again.result.installationId).toBe(first.result.installationId);
  });

  it('refuses an altered request file (401)', async () => {
    const key = await issueKey(world, accountId);
    const body = await requestFile(key);
    body.request.installation.nodes = ['someone-else'];

    await expect(
      offlineActivation(world.deps, world.settings, ports, principals.backoffice, accountId, body),
    ).rejects.toThrow(UnauthorizedError);
  });

  it('refuses a keyid that is not the thumbprint of the public key (401)', async () => {
    const body = await requestFile(await issueKey(world, accountId));
    body.keyid = 'not-the-thumbprint';

    await expect(
      offlineActivation(world.deps, world.settings, ports, principals.backoffice, accountId, body),
    ).rejects.toThrow(UnauthorizedError);
  });

  it('refuses a key of another account than the path exactly as an unknown key (403), activating nothing', async () => {
    const otherAccount = await seedAccount(world, newAccountOrder(undefined, { name: 'Other' }));
    const foreign = await requestFile(await issueKey(world, otherAccount));
    const unknown = await requestFile('KEY-9999-NONE');
    const attempt = (body: typeof foreign) =>
      rejectionOf(offlineActivation(world.deps, world.settings, ports, principals.backoffice, accountId, body));

    const [toForeign, toUnknown] = [await attempt(foreign), await attempt(unknown)];

    expect(toForeign).toBeInstanceOf(ForbiddenError);
    expect(toForeign.message).toBe(toUnknown.message);
    expect(Object.keys(world.repo.snapshot().installations)).toHaveLength(0);
  });

  it('answers a caller without rights on the account one 403, whatever key and file it sends', async () => {
    const otherAccount = await seedAccount(world, newAccountOrder(undefined, { name: 'Other' }));
    const ownKey = await requestFile(await issueKey(world, accountId));
    const foreignKey = await requestFile(await issueKey(world, otherAccount));
    const unknownKey = await requestFile('KEY-9999-NONE');
    const altered = await requestFile(await issueKey(world, accountId));
    altered.request.installation.nodes = ['someone-else'];
    const outsider = principals.reseller('contoso-voice');

    const answers = [];
    for (const body of [ownKey, foreignKey, unknownKey, altered]) {
      const error = await rejectionOf(offlineActivation(world.deps, world.settings, ports, outsider, accountId, body));
      answers.push({ name: error.constructor.name, message: error.message });
    }

    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toEqual({ name: 'ForbiddenError', message: expect.stringContaining('does not grant access') });
  });

  it('refuses a customer posting for another account and a reseller of other customers (403)', async () => {
    const body = await requestFile(await issueKey(world, accountId));

    await expect(
      offlineActivation(world.deps, world.settings, ports, principals.customer('acc_99999999'), accountId, body),
    ).rejects.toThrow(ForbiddenError);
    await expect(
      offlineActivation(world.deps, world.settings, ports, principals.reseller('contoso-voice'), accountId, body),
    ).rejects.toThrow(ForbiddenError);
  });

  it('refuses an unknown activation key (403)', async () => {
    const body = await requestFile('KEY-9999-NONE');

    await expect(
      offlineActivation(world.deps, world.settings, ports, principals.backoffice, accountId, body),
    ).rejects.toThrow(ForbiddenError);
  });
});

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

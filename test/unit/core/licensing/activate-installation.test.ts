import { ConflictError, ForbiddenError, ServiceUnavailableError, WrongRegionError } from '#lambdas/core/errors';
import { activateInstallation } from '#lambdas/core/licensing/activate-installation';
import { hashActivationKey } from '#lambdas/core/licensing/create-activation-key';
import { deactivateInstallation } from '#lambdas/core/licensing/deactivate-installation';
import { depositOrder } from '#lambdas/core/licensing/deposit-order';
import { setTelemetry } from '#lambdas/core/licensing/set-telemetry';
import {
  acceptSignature,
  activateNew,
  activationBody,
  agentIdentity,
  ENDPOINTS,
  existingAccountOrder,
  inRegion,
  issueKey,
  licensingWorld,
  newAccountOrder,
  perpetualLine,
  principals,
  seedAccount,
  T0,
  verifyLicense,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';

const CARE = { level: 'gold' as const, endsAt: '2027-03-01T00:00:00Z' };

let world: LicensingWorld;
let accountId: string;

beforeEach(async () => {
  world = await licensingWorld();
  accountId = await seedAccount(
    world,
    newAccountOrder([perpetualLine('attendant-console', 10, CARE), perpetualLine('ivr', 4)]),
  );
});

afterEach(() => {
  jest.restoreAllMocks();
});

const activate = async (key: string, identity?: Awaited<ReturnType<typeof agentIdentity>>) => {
  const agent = identity ?? (await agentIdentity());
  return activateInstallation(world.deps, world.settings, activationBody(key, agent.publicKey), agent.thumbprint);
};

describe('activateInstallation', () => {
  it('activates with a default key: 201 with a verifiable licence of all free capacity', async () => {
    const key = await issueKey(world, accountId);
    const identity = await agentIdentity();

    const { created, result } = await activateInstallation(
      world.deps,
      world.settings,
      activationBody(key, identity.publicKey),
      identity.thumbprint,
    );

    expect(created).toBe(true);
    expect(result).toEqual({
      installationId: expect.stringMatching(/^inst_/),
      accountId,
      region: 'eu',
      license: expect.any(String),
      nextPollSeconds: 3600,
      telemetry: { enabled: true },
    });
    const { claims } = await verifyLicense(result.license, world.signer, T0);
    const t0Seconds = Math.floor(T0.getTime() / 1000);
    expect(claims).toEqual({
      iss: 'ucx-cloud',
      sub: result.installationId,
      acc: accountId,
      iat: t0Seconds,
      exp: t0Seconds + 30 * 86_400,
      ver: 1,
      products: [
        {
          product: 'attendant-console',
          capacity: 10,
          kind: 'perpetual',
          care: { level: 'gold', expiresAt: '2027-03-01T00:00:00.000Z' },
          terms: [{ quantity: 10, kind: 'perpetual' }],
        },
        { product: 'ivr', capacity: 4, kind: 'perpetual', terms: [{ quantity: 4, kind: 'perpetual' }] },
      ],
      telemetry: { enabled: true, intervalSeconds: 300 },
      nextPollSeconds: 3600,
    });
    expect(world.repo.installation(result.installationId)).toMatchObject({
      status: 'active',
      publicKey: identity.publicKey,
      thumbprint: identity.thumbprint,
      allocation: { 'attendant-console': 10, ivr: 4 },
      rev: 0,
      license: { jws: result.license, ver: 1, basedOnRev: 0 },
    });
    expect(world.repo.pool(accountId, 'ivr')).toMatchObject({ capacity: 4, allocated: 4, free: 0 });
    expect(world.repo.account(accountId)).toMatchObject({
      installSeq: 1,
      followerInstallationId: result.installationId,
    });
    expect(world.repo.snapshot().activationKeys[hashActivationKey(key)]?.usedBy).toBe(result.installationId);
    expect(world.repo.snapshot().thumbprints[identity.thumbprint]).toBe(result.installationId);
  });

  it('does not make an installation with an explicit allocation the follower', async () => {
    const key = await issueKey(world, accountId, { allocation: { ivr: 1 } });

    const { result } = await activate(key);

    expect(world.repo.account(accountId)?.followerInstallationId).toBeUndefined();
    expect((await verifyLicense(result.license, world.signer, T0)).claims.products).toEqual([
      { product: 'ivr', capacity: 1, kind: 'perpetual', terms: [{ quantity: 1, kind: 'perpetual' }] },
    ]);
  });

  it('keeps the first follower when a second default key is activated', async () => {
    const first = await activateNew(world, accountId, { allocation: { ivr: 2 } });
    await depositOrder(
      world.deps,
      principals.backoffice,
      'PO-9',
      existingAccountOrder(accountId, [perpetualLine('acd', 1)]),
    );
    const follower = await activateNew(world, accountId);

    await depositOrder(
      world.deps,
      principals.backoffice,
      'PO-10',
      existingAccountOrder(accountId, [perpetualLine('acd', 1)]),
    );
    const third = await activateNew(world, accountId, {}).catch((e: unknown) => e);

    expect(first.installationId).not.toBe(follower.installationId);
    expect(world.repo.account(accountId)?.followerInstallationId).toBe(follower.installationId);
    // the follower took the new acd too, so nothing is free for a third default key
    expect(third).toBeInstanceOf(ConflictError);
  });

  it('activates a default key while the account already has a follower, leaving the follower in place', async () => {
    const explicit = await activateNew(world, accountId, { allocation: { ivr: 3 } });
    const follower = await activateNew(world, accountId);
    await deactivateInstallation(world.deps, explicit.installationId, acceptSignature);
    const key = await issueKey(world, accountId);

    const { created, result } = await activate(key);

    expect(created).toBe(true);
    expect(world.repo.installation(result.installationId)?.allocation).toEqual({ ivr: 3 });
    expect(world.repo.account(accountId)?.followerInstallationId).toBe(follower.installationId);
  });

  it('carries the account telemetry switch into the installation, the answer and the licence', async () => {
    await setTelemetry(world.deps, principals.backoffice, accountId, { enabled: false });
    const key = await issueKey(world, accountId);

    const { result } = await activate(key);

    expect(result.telemetry).toEqual({ enabled: false });
    expect(world.repo.installation(result.installationId)?.telemetryEnabled).toBe(false);
    expect((await verifyLicense(result.license, world.signer, T0)).claims.telemetry).toEqual({
      enabled: false,
      intervalSeconds: 300,
    });
  });

  it('answers the same key and public key again with the same installation (200, created=false)', async () => {
    const key = await issueKey(world, accountId);
    const identity = await agentIdentity();
    const first = await activate(key, identity);
    const signCalls = world.signer.signCalls;

    const again = await activate(key.toLowerCase(), identity);

    expect(again).toEqual({ created: false, result: first.result });
    expect(world.repo.appliedCommits('commitActivation')).toBe(1);
    expect(world.signer.signCalls).toBe(signCalls);
  });

  it('refuses the same public key presented with another activation key (409)', async () => {
    const identity = await agentIdentity();
    await activate(await issueKey(world, accountId, { allocation: { ivr: 1 } }), identity);
    const otherKey = await issueKey(world, accountId, { allocation: { ivr: 1 } });

    const attempt = activate(otherKey, identity);

    await expect(attempt).rejects.toThrow(ConflictError);
    expect(world.repo.snapshot().activationKeys[hashActivationKey(otherKey)]?.usedBy).toBeUndefined();
  });

  it('refuses a key already used by another installation (403)', async () => {
    const key = await issueKey(world, accountId, { allocation: { ivr: 1 } });
    await activate(key);
    const signCalls = world.signer.signCalls;

    const attempt = activate(key);

    await expect(attempt).rejects.toThrow(ForbiddenError);
    expect(world.repo.pool(accountId, 'ivr')).toMatchObject({ allocated: 1, free: 3 });
    expect(world.signer.signCalls).toBe(signCalls);
  });

  it('refuses an expired key (403)', async () => {
    const key = await issueKey(world, accountId, { expiresInDays: 1 });
    world.clock.advanceDays(1);

    const attempt = activate(key);

    await expect(attempt).rejects.toThrow(ForbiddenError);
    expect(world.repo.snapshot().installations).toEqual({});
    expect(world.signer.signCalls).toBe(0);
  });

  it('refuses an unknown key (403)', async () => {
    const attempt = activate('KEY-9999-NOPE');

    await expect(attempt).rejects.toThrow(ForbiddenError);
  });

  it('refuses the replay of an installation since deactivated (403)', async () => {
    const key = await issueKey(world, accountId);
    const identity = await agentIdentity();
    const { result } = await activate(key, identity);
    await deactivateInstallation(world.deps, result.installationId, acceptSignature);

    const attempt = activate(key, identity);

    await expect(attempt).rejects.toThrow(ForbiddenError);
  });

  it("sends an account homed in the other region there (421 with that region's endpoint)", async () => {
    const home = inRegion(world, 'us');
    const usAccount = await seedAccount(home, newAccountOrder([perpetualLine('ivr', 1)], { region: 'us' }));
    const key = await issueKey(home, usAccount);

    const error = await activate(key).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WrongRegionError);
    expect(error).toMatchObject({ region: 'us', endpoint: ENDPOINTS.us, status: 421 });
    expect(world.repo.snapshot().activationKeys[hashActivationKey(key)]?.usedBy).toBeUndefined();
  });

  it('refuses a key whose allocation is no longer free (409) and leaves the key unused', async () => {
    const second = await issueKey(world, accountId);
    await activateNew(world, accountId);

    const attempt = activate(second);

    await expect(attempt).rejects.toThrow(ConflictError);
    expect(world.repo.snapshot().activationKeys[hashActivationKey(second)]?.usedBy).toBeUndefined();
    expect(world.repo.pool(accountId, 'attendant-console')).toMatchObject({ capacity: 10, allocated: 10, free: 0 });
  });

  it('reads again and succeeds when a deposit lands between its read and its commit', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const key = await issueKey(world, accountId, { allocation: { 'attendant-console': 2 } });
    world.repo.beforeNext('commitActivation', async () => {
      await depositOrder(
        world.deps,
        principals.backoffice,
        'PO-77',
        existingAccountOrder(accountId, [
          perpetualLine('attendant-console', 1, { level: 'platinum', endsAt: '2028-01-01T00:00:00Z' }),
        ]),
      );
    });

    const { created, result } = await activate(key);

    expect(created).toBe(true);
    expect(world.repo.commits.filter((c) => c.method === 'commitActivation').map((c) => c.outcome)).toEqual([
      'stale',
      'applied',
    ]);
    // the licence is built from the terms after the deposit
    expect((await verifyLicense(result.license, world.signer, T0)).claims.products).toEqual([
      {
        product: 'attendant-console',
        capacity: 2,
        kind: 'perpetual',
        care: { level: 'platinum', expiresAt: '2028-01-01T00:00:00.000Z' },
        terms: [{ quantity: 2, kind: 'perpetual' }],
      },
    ]);
    expect(Object.keys(world.repo.snapshot().installations)).toEqual([result.installationId]);
  });

  it('answers 503 when every attempt is refused as stale, having written nothing', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const key = await issueKey(world, accountId);
    for (let n = 0; n < 12; n++) world.repo.rejectNext('stale', 'commitActivation');

    const attempt = activate(key);

    await expect(attempt).rejects.toThrow(ServiceUnavailableError);
    expect(world.repo.snapshot().installations).toEqual({});
  });

  it('answers a concurrent activation of the same key and public key that won the race as a replay', async () => {
    const key = await issueKey(world, accountId);
    const identity = await agentIdentity();
    let winner: string | undefined;
    world.repo.beforeNext('commitActivation', async () => {
      winner = (await activate(key, identity)).result.installationId;
    });

    const { created, result } = await activate(key, identity);

    expect(created).toBe(false);
    expect(result.installationId).toBe(winner);
    expect(Object.keys(world.repo.snapshot().installations)).toEqual([winner]);
  });
});

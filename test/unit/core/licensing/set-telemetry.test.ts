import { ForbiddenError, NotFoundError, ServiceUnavailableError } from '#lambdas/core/errors';
import { deactivateInstallation } from '#lambdas/core/licensing/deactivate-installation';
import { loadVerified, pollLicense } from '#lambdas/core/licensing/poll-license';
import { setTelemetry } from '#lambdas/core/licensing/set-telemetry';
import type { Principal } from '#lambdas/core/licensing/access';
import {
  acceptSignature,
  activateNew,
  licenseClaims,
  licensingWorld,
  newAccountOrder,
  OTHER_RESELLER_ID,
  perpetualLine,
  principals,
  RESELLER_ID,
  seedAccount,
  verifyLicense,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';

let world: LicensingWorld;
let accountId: string;

beforeEach(async () => {
  world = await licensingWorld();
  accountId = await seedAccount(world, newAccountOrder([perpetualLine('ivr', 10)], { resellerId: RESELLER_ID }));
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('setTelemetry', () => {
  it('switches telemetry off: the next poll serves a licence with telemetry.enabled false', async () => {
    const { installationId, license } = await activateNew(world, accountId, { allocation: { ivr: 2 } });
    const before = await licenseClaims(license, world.signer);

    const result = await setTelemetry(world.deps, principals.customer(accountId), accountId, { enabled: false });
    const outcome = await pollLicense(world.deps, world.settings, installationId, undefined, acceptSignature);

    expect(result).toEqual({ enabled: false });
    expect(world.repo.account(accountId)).toMatchObject({ telemetryEnabled: false, termsRev: 2 });
    expect(world.repo.installation(installationId)).toMatchObject({ rev: 0 }); // the account item alone changed
    if (outcome.status !== 200) throw new Error('expected 200');
    const { claims } = await verifyLicense(outcome.license, world.signer, world.clock.now());
    expect(claims.telemetry).toEqual({ enabled: false, intervalSeconds: 900 });
    expect(claims.ver).toBe(before.ver + 1);
  });

  it('switches it back on for the next poll', async () => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 2 } });
    await setTelemetry(world.deps, principals.backoffice, accountId, { enabled: false });
    await pollLicense(world.deps, world.settings, installationId, undefined, acceptSignature);

    await setTelemetry(world.deps, principals.backoffice, accountId, { enabled: true });
    const outcome = await pollLicense(world.deps, world.settings, installationId, undefined, acceptSignature);

    if (outcome.status !== 200) throw new Error('expected 200');
    expect(await licenseClaims(outcome.license, world.signer)).toMatchObject({ telemetry: { enabled: true }, ver: 3 });
  });

  it('does not touch a deactivated installation', async () => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 2 } });
    await deactivateInstallation(world.deps, installationId, acceptSignature);
    const rev = world.repo.installation(installationId)!.rev;

    await setTelemetry(world.deps, principals.backoffice, accountId, { enabled: false });

    expect(world.repo.installation(installationId)).toMatchObject({ rev, telemetryEnabled: true });
  });

  it('is a no-op when the switch already has the asked value', async () => {
    const before = world.repo.snapshot();

    const result = await setTelemetry(world.deps, principals.customer(accountId), accountId, { enabled: true });

    expect(result).toEqual({ enabled: true });
    expect(world.repo.snapshot()).toEqual(before);
    expect(world.repo.commits.filter((c) => c.method === 'commitTelemetrySwitch')).toEqual([]);
  });

  it('retries a commit refused as stale', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    world.repo.rejectNext('stale', 'commitTelemetrySwitch');

    const result = await setTelemetry(world.deps, principals.backoffice, accountId, { enabled: false });

    expect(result).toEqual({ enabled: false });
    expect(world.repo.account(accountId)?.telemetryEnabled).toBe(false);
  });

  it('answers 503 when the account keeps changing', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    for (let n = 0; n < 12; n++) world.repo.rejectNext('stale', 'commitTelemetrySwitch');

    const attempt = setTelemetry(world.deps, principals.backoffice, accountId, { enabled: false });

    await expect(attempt).rejects.toThrow(ServiceUnavailableError);
    expect(world.repo.account(accountId)?.telemetryEnabled).toBe(true);
  });

  it('answers 404 to back office for a missing account', async () => {
    const attempt = setTelemetry(world.deps, principals.backoffice, 'acc_doesnotexist', { enabled: false });

    await expect(attempt).rejects.toThrow(NotFoundError);
  });

  it.each<[string, () => Principal, boolean]>([
    ['the customer itself', () => principals.customer(accountId), true],
    ['its reseller', () => principals.reseller(RESELLER_ID), true],
    ['back office', () => principals.backoffice, true],
    ['support (read-only)', () => principals.support, false],
    ['another customer', () => principals.customer('acc_00000099'), false],
    ['another reseller', () => principals.reseller(OTHER_RESELLER_ID), false],
  ])('lets %s switch it: %s', async (_who, principal, permitted) => {
    const attempt = setTelemetry(world.deps, principal(), accountId, { enabled: false });

    if (permitted) await expect(attempt).resolves.toEqual({ enabled: false });
    else await expect(attempt).rejects.toThrow(ForbiddenError);
    expect(world.repo.account(accountId)?.telemetryEnabled).toBe(!permitted);
  });
});

describe('setTelemetry on a very large account', () => {
  it('switches an account of 1,000 active installations off in one commit, and every next poll says so', async () => {
    // Arrange
    const big = await seedAccount(world, newAccountOrder([perpetualLine('ivr', 1000)]));
    const installations: { installationId: string; etag: string }[] = [];
    for (let n = 0; n < 1000; n++) {
      const { installationId } = await activateNew(world, big, { allocation: { ivr: 1 } });
      installations.push({ installationId, etag: world.repo.installation(installationId)!.license.etag });
    }
    const commitsBefore = world.repo.commits.length;

    // Act
    const result = await setTelemetry(world.deps, principals.backoffice, big, { enabled: false });
    const polls = [];
    for (const { installationId, etag } of installations) {
      polls.push(await pollLicense(world.deps, world.settings, installationId, etag, acceptSignature));
    }

    // Assert
    expect(result).toEqual({ enabled: false });
    expect(world.repo.commits.slice(commitsBefore)).toEqual([{ method: 'commitTelemetrySwitch', outcome: 'applied' }]);
    const answers = await Promise.all(
      polls.map(async (outcome) => {
        if (outcome.status !== 200) return `a ${outcome.status}`;
        return (await licenseClaims(outcome.license, world.signer)).telemetry.enabled;
      }),
    );
    expect(new Set(answers)).toEqual(new Set([false]));
  }, 60_000);
});

describe('telemetry after the switch', () => {
  it("reads the account's switch with the installation, so its telemetry is refused once the switch is off", async () => {
    // Arrange
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 1 } });
    await setTelemetry(world.deps, principals.backoffice, accountId, { enabled: false });

    // Act
    const installation = await loadVerified(world.deps, installationId, acceptSignature);

    // Assert
    expect(installation.telemetryEnabled).toBe(false);
  });
});

/** Support's telemetry cycle of one installation, and the ETag a telemetry 202 carries (currentLicenseEtag). */
import { ForbiddenError, GoneError, NotFoundError, WrongRegionError } from '#lambdas/core/errors';
import { deactivateInstallation } from '#lambdas/core/licensing/deactivate-installation';
import { currentLicenseEtag, pollLicense } from '#lambdas/core/licensing/poll-license';
import { endTelemetryInterval, setTelemetryInterval } from '#lambdas/core/licensing/set-telemetry-interval';
import { careCycleSeconds, cycleOverrideSeconds, defaultCycleSeconds } from '#lambdas/core/telemetry/cadence';
import {
  acceptSignature,
  activateNew,
  inRegion,
  licenseClaims,
  licensingWorld,
  newAccountOrder,
  perpetualLine,
  principals,
  seedAccount,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';

let world: LicensingWorld;
let accountId: string;

beforeEach(async () => {
  world = await licensingWorld();
  accountId = await seedAccount(world, newAccountOrder([perpetualLine('ivr', 10)]));
});

/** Polls as the agent would and returns the licence's cycle and ETag. */
async function poll(installationId: string) {
  const outcome = await pollLicense(world.deps, world.settings, installationId, undefined, acceptSignature);
  if (outcome.status !== 200) throw new Error('expected 200');
  return { etag: outcome.etag, telemetry: (await licenseClaims(outcome.license, world.signer)).telemetry };
}

/** What the telemetry 202 would carry now. */
function etagNow(installationId: string) {
  const installation = world.repo.installation(installationId)!;
  const termsRev = world.repo.account(installation.accountId)?.termsRev;
  return currentLicenseEtag(installation, world.clock.now(), world.settings.licenseTtlDays, termsRev);
}

describe('setTelemetryInterval', () => {
  it('shortens the cycle for a day: the 202 tells the agent to poll, the poll serves the new cycle and ETag', async () => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 1 } });
    const before = await poll(installationId);
    expect(etagNow(installationId)).toBe(before.etag);

    const result = await setTelemetryInterval(world.deps, principals.support, installationId, { seconds: 60 });

    expect(result).toEqual({
      installationId,
      seconds: 60,
      until: new Date(world.clock.now().getTime() + cycleOverrideSeconds * 1000).toISOString(),
    });
    expect(etagNow(installationId)).toBeNull();
    const during = await poll(installationId);
    expect(during.telemetry).toEqual({ enabled: true, intervalSeconds: 60 });
    expect(during.etag).not.toBe(before.etag);
    expect(etagNow(installationId)).toBe(during.etag);
    expect(world.repo.auditOf(accountId).at(-1)).toMatchObject({
      actor: { kind: 'support', id: principals.support.sub },
      action: 'telemetry.interval-set',
      details: { installationId, seconds: 60, until: result.until },
    });
  });

  it('ends by itself after a day: the stored licence is stale then, and the poll serves the default cycle', async () => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 1 } });
    await setTelemetryInterval(world.deps, principals.support, installationId, { seconds: 300 });
    const during = await poll(installationId);

    world.clock.advance(cycleOverrideSeconds * 1000 - 1);
    expect(etagNow(installationId)).toBe(during.etag);
    world.clock.advance(1);

    expect(etagNow(installationId)).toBeNull();
    const after = await poll(installationId);
    expect(after.telemetry).toEqual({ enabled: true, intervalSeconds: defaultCycleSeconds });
    expect(etagNow(installationId)).toBe(after.etag);
  });

  it("ends early on DELETE (back to the Care level's cycle); with none to end, nothing is written", async () => {
    const goldAccount = await seedAccount(world, newAccountOrder());
    const { installationId } = await activateNew(world, goldAccount);
    await setTelemetryInterval(world.deps, principals.support, installationId, { seconds: 60 });

    await endTelemetryInterval(world.deps, principals.support, installationId);
    await endTelemetryInterval(world.deps, principals.support, installationId);

    expect((await poll(installationId)).telemetry).toEqual({
      enabled: true,
      intervalSeconds: careCycleSeconds.gold,
    });
    expect(world.repo.appliedCommits('commitTelemetryOverride')).toBe(2);
    expect(world.repo.auditOf(goldAccount).at(-1)).toMatchObject({ action: 'telemetry.interval-ended' });
  });

  it('is for support alone', async () => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 1 } });

    for (const principal of [principals.backoffice, principals.customer(accountId), principals.reseller()]) {
      await expect(setTelemetryInterval(world.deps, principal, installationId, { seconds: 60 })).rejects.toThrow(
        ForbiddenError,
      );
      await expect(endTelemetryInterval(world.deps, principal, installationId)).rejects.toThrow(ForbiddenError);
    }
  });

  it('is written in the home region only, to an active installation that exists', async () => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 1 } });
    const body = { seconds: 60 };

    await expect(
      setTelemetryInterval(inRegion(world, 'us').deps, principals.support, installationId, body),
    ).rejects.toThrow(WrongRegionError);
    await expect(setTelemetryInterval(world.deps, principals.support, 'inst_unknown00', body)).rejects.toThrow(
      NotFoundError,
    );
    await deactivateInstallation(world.deps, installationId, acceptSignature);
    await expect(setTelemetryInterval(world.deps, principals.support, installationId, body)).rejects.toThrow(GoneError);
  });
});

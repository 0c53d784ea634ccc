import { ForbiddenError, WrongRegionError } from '#lambdas/core/errors';
import { releaseStaleInstallation } from '#lambdas/core/licensing/deactivate-installation';
import type { Installation } from '#lambdas/core/licensing/model';
import { getAccount } from '#lambdas/core/licensing/get-account';
import { pollLicense } from '#lambdas/core/licensing/poll-license';
import {
  autoReleaseSettingSchema,
  autoReleaseStep,
  runStaleRelease,
  setStaleRelease,
} from '#lambdas/core/licensing/stale-release';
import {
  acceptSignature,
  activateNew,
  DAY_MS,
  inRegion,
  licensingWorld,
  newAccountOrder,
  OTHER_RESELLER_ID,
  perpetualLine,
  principals,
  RESELLER_ID,
  seedAccount,
  T0 as START,
} from '#test/support/licensing-fixtures';
import { MemoryStaleReleaseStore } from '#test/support/memory-stale-release-store';

const T0 = START.getTime();
const iso = (ms: number) => new Date(ms).toISOString();
const at = (days: number, ms = 0) => T0 + days * DAY_MS + ms;
const on = { enabled: true, afterDays: 60 };
const silent = { status: 'active' as const, activatedAt: iso(T0), lastPollAt: null };

describe('autoReleaseStep', () => {
  it('does nothing when the account has not opted in', () => {
    expect(autoReleaseStep(silent, undefined, at(400))).toEqual({ kind: 'none' });
    expect(autoReleaseStep(silent, { enabled: false, afterDays: 60 }, at(400))).toEqual({ kind: 'none' });
  });

  it('gives notice 7 days before afterDays of silence, not a moment sooner', () => {
    expect(autoReleaseStep(silent, on, at(53, -1))).toEqual({ kind: 'none' });
    expect(autoReleaseStep(silent, on, at(53))).toEqual({ kind: 'notice', releaseAt: iso(at(60)) });
  });

  it('releases at afterDays of silence once noticed, not before', () => {
    const noticedAt = iso(at(53));

    expect(autoReleaseStep(silent, on, at(60, -1), noticedAt)).toEqual({ kind: 'none' });
    expect(autoReleaseStep(silent, on, at(60), noticedAt)).toEqual({ kind: 'release' });
  });

  it('never releases without a notice first, and then only 7 days after it', () => {
    const noticeFirst = autoReleaseStep(silent, on, at(200));
    const noticedAt = iso(at(200));

    expect(noticeFirst).toEqual({ kind: 'notice', releaseAt: iso(at(207)) });
    expect(autoReleaseStep(silent, on, at(206), noticedAt)).toEqual({ kind: 'none' });
    expect(autoReleaseStep(silent, on, at(207), noticedAt)).toEqual({ kind: 'release' });
  });

  it('counts from the last poll, and a notice of an earlier silence does not count', () => {
    const polledAgain = { ...silent, lastPollAt: iso(at(58)) };
    const earlierNotice = iso(at(53));

    expect(autoReleaseStep(polledAgain, on, at(70), earlierNotice)).toEqual({ kind: 'none' });
    expect(autoReleaseStep(polledAgain, on, at(111), earlierNotice)).toEqual({
      kind: 'notice',
      releaseAt: iso(at(118)),
    });
  });

  it('leaves a deactivated installation alone', () => {
    expect(autoReleaseStep({ ...silent, status: 'deactivated' }, on, at(400))).toEqual({ kind: 'none' });
  });
});

describe('autoReleaseSettingSchema', () => {
  it('takes 14 to 365 days and refuses less than two notice periods', () => {
    expect(autoReleaseSettingSchema.safeParse({ enabled: true, afterDays: 14 }).success).toBe(true);
    expect(autoReleaseSettingSchema.safeParse({ enabled: true, afterDays: 13 }).success).toBe(false);
    expect(autoReleaseSettingSchema.safeParse({ enabled: true, afterDays: 366 }).success).toBe(false);
    expect(autoReleaseSettingSchema.safeParse({ enabled: true }).success).toBe(false);
  });
});

describe('setStaleRelease and runStaleRelease', () => {
  const setup = async () => {
    const world = await licensingWorld();
    const store = new MemoryStaleReleaseStore();
    const accountId = await seedAccount(
      world,
      newAccountOrder([perpetualLine('ivr', 10)], { resellerId: RESELLER_ID }),
    );
    const silent = await activateNew(world, accountId, { allocation: { ivr: 3 } });
    const release = (installation: Installation) => releaseStaleInstallation(world.deps, installation);
    return { world, store, accountId, silent, run: () => runStaleRelease(world.deps, store, release) };
  };

  it('does nothing for an account that has not opted in', async () => {
    const { world, run } = await setup();
    world.clock.advanceDays(400);

    expect(await run()).toEqual({ accounts: 0, noticed: 0, released: 0 });
  });

  it('notices once at afterDays - 7, releases by system at afterDays, then does nothing more', async () => {
    const { world, store, accountId, silent, run } = await setup();
    await setStaleRelease(world.deps, store, principals.customer(accountId), accountId, {
      enabled: true,
      afterDays: 30,
    });

    world.clock.advanceDays(22);
    const early = await run();
    world.clock.advanceDays(1);
    const notice = await run();
    const again = await run();
    world.clock.advanceDays(7);
    const released = await run();
    const after = await run();

    expect(early).toMatchObject({ noticed: 0, released: 0 });
    expect(notice).toMatchObject({ noticed: 1, released: 0 });
    expect(again).toMatchObject({ noticed: 0, released: 0 });
    expect(released).toMatchObject({ noticed: 0, released: 1 });
    expect(after).toMatchObject({ noticed: 0, released: 0 });
    expect(store.audit.map((e) => e.action)).toEqual(['stale-release.enabled', 'installation.stale-notice']);
    expect(store.audit[1]).toMatchObject({
      actor: { kind: 'system' },
      details: { installationId: silent.installationId, releaseAt: new Date(T0 + 30 * DAY_MS).toISOString() },
    });
    expect((await world.repo.getInstallation(silent.installationId))?.status).toBe('deactivated');
    expect(world.repo.auditOf(accountId).find((e) => e.action === 'installation.deactivated')).toMatchObject({
      actor: { kind: 'system', id: 'stale-release' },
      details: { installationId: silent.installationId, reason: 'stale-release' },
    });
  });

  it('leaves an installation that polls alone', async () => {
    const { world, store, accountId, silent, run } = await setup();
    await setStaleRelease(world.deps, store, principals.backoffice, accountId, { enabled: true, afterDays: 30 });

    world.clock.advanceDays(25);
    await pollLicense(world.deps, world.settings, silent.installationId, undefined, acceptSignature);
    world.clock.advanceDays(22);
    const result = await run();

    expect(result).toMatchObject({ accounts: 1, noticed: 0, released: 0 });
  });

  it('lets the customer, its reseller and back office set it, not support or another reseller, in the home region only', async () => {
    const { world, store, accountId } = await setup();
    const body = { enabled: true, afterDays: 60 };

    await expect(
      setStaleRelease(world.deps, store, principals.reseller(RESELLER_ID), accountId, body),
    ).resolves.toEqual(body);
    await expect(setStaleRelease(world.deps, store, principals.support, accountId, body)).rejects.toThrow(
      ForbiddenError,
    );
    await expect(
      setStaleRelease(world.deps, store, principals.reseller(OTHER_RESELLER_ID), accountId, body),
    ).rejects.toThrow(ForbiddenError);
    await expect(
      setStaleRelease(inRegion(world, 'us').deps, store, principals.backoffice, accountId, body),
    ).rejects.toThrow(WrongRegionError);
  });
});

describe('getAccount with the stale-release store', () => {
  it('answers the setting: off (60 days offered) until the account opts in, then as set', async () => {
    const world = await licensingWorld();
    const store = new MemoryStaleReleaseStore();
    const accountId = await seedAccount(world, newAccountOrder([perpetualLine('ivr', 10)]));
    const read = () => getAccount(world.deps, principals.customer(accountId), accountId, { staleRelease: store });

    const before = await read();
    await setStaleRelease(world.deps, store, principals.customer(accountId), accountId, {
      enabled: true,
      afterDays: 45,
    });
    const after = await read();
    const without = await getAccount(world.deps, principals.customer(accountId), accountId);

    expect(before.staleRelease).toEqual({ enabled: false, afterDays: 60 });
    expect(after.staleRelease).toEqual({ enabled: true, afterDays: 45 });
    expect(without).not.toHaveProperty('staleRelease');
  });
});

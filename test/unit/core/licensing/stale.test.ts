import { DEFAULT_STALE_AFTER_DAYS, isStale, lastHeardAt } from '#lambdas/core/licensing/stale';
import { getAccount } from '#lambdas/core/licensing/get-account';
import { pollLicense } from '#lambdas/core/licensing/poll-license';
import {
  acceptSignature,
  activateNew,
  DAY_MS,
  licensingWorld,
  newAccountOrder,
  perpetualLine,
  principals,
  seedAccount,
  T0,
} from '#test/support/licensing-fixtures';

const activatedAt = T0.toISOString();
const at = (ms: number) => T0.getTime() + ms;

describe('isStale', () => {
  it('counts silence from the activation when the installation never polled', () => {
    const never = { status: 'active' as const, activatedAt, lastPollAt: null };

    expect(lastHeardAt(never)).toBe(activatedAt);
    expect(isStale(never, at(30 * DAY_MS), 30)).toBe(false);
    expect(isStale(never, at(30 * DAY_MS + 1), 30)).toBe(true);
  });

  it('counts silence from the last poll', () => {
    const lastPollAt = new Date(at(10 * DAY_MS)).toISOString();
    const polled = { status: 'active' as const, activatedAt, lastPollAt };

    expect(isStale(polled, at(40 * DAY_MS), 30)).toBe(false);
    expect(isStale(polled, at(40 * DAY_MS + 1), 30)).toBe(true);
  });

  it('uses the configured days, 30 by default', () => {
    const never = { status: 'active' as const, activatedAt, lastPollAt: null };

    expect(DEFAULT_STALE_AFTER_DAYS).toBe(30);
    expect(isStale(never, at(31 * DAY_MS))).toBe(true);
    expect(isStale(never, at(8 * DAY_MS), 7)).toBe(true);
    expect(isStale(never, at(8 * DAY_MS), 9)).toBe(false);
  });

  it('never calls a deactivated installation stale', () => {
    expect(isStale({ status: 'deactivated', activatedAt, lastPollAt: null }, at(365 * DAY_MS), 30)).toBe(false);
  });
});

describe('getAccount marks stale installations', () => {
  it('marks an installation silent past staleAfterDays, not one that polled since', async () => {
    const world = await licensingWorld();
    const accountId = await seedAccount(world, newAccountOrder([perpetualLine('ivr', 10)]));
    const polling = await activateNew(world, accountId, { allocation: { ivr: 1 } });
    const silent = await activateNew(world, accountId, { allocation: { ivr: 1 } });
    world.clock.advanceDays(20);
    await pollLicense(world.deps, world.settings, polling.installationId, undefined, acceptSignature);
    world.clock.advanceDays(15);

    const view = await getAccount(world.deps, principals.customer(accountId), accountId, { staleAfterDays: 30 });
    const shorter = await getAccount(world.deps, principals.support, accountId, { staleAfterDays: 10 });

    const staleOf = (v: typeof view, id: string) => v.installations.find((i) => i.installationId === id)?.stale;
    expect(staleOf(view, silent.installationId)).toBe(true);
    expect(staleOf(view, polling.installationId)).toBe(false);
    expect(staleOf(shorter, polling.installationId)).toBe(true);
  });
});

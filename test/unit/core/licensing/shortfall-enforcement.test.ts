/**
 * Enforcing a shortfall once its grace is over (the in-memory store, a clock moved by hand): the
 * stored allocations are reduced newest installations first, audited, and only when due.
 */
import { getAccount } from '#lambdas/core/licensing/get-account';
import { pollLicense } from '#lambdas/core/licensing/poll-license';
import {
  dueReductions,
  enforceShortfall,
  shortfallSweepPart,
  sweepShortfalls,
  type AccountIdSource,
} from '#lambdas/core/licensing/shortfall-enforcement';
import {
  acceptSignature,
  activateNew,
  DAY_MS,
  inRegion,
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
let accountId: string;
let oldest: string;
let middle: string;
let newest: string;
const day = (n: number) => new Date(T0.getTime() + n * DAY_MS).toISOString();

beforeEach(async () => {
  world = await licensingWorld();
  // A perpetual 5 and a subscription 3 ending tomorrow: 8 allocated, 3 of them beyond the 5 left after the end.
  accountId = await seedAccount(
    world,
    newAccountOrder([perpetualLine('ivr', 5), subscriptionLine('ivr', 3, day(-30), day(1))]),
  );
  oldest = (await activateNew(world, accountId, { allocation: { ivr: 5 } })).installationId;
  world.clock.advance(60_000);
  middle = (await activateNew(world, accountId, { allocation: { ivr: 2 } })).installationId;
  world.clock.advance(60_000);
  newest = (await activateNew(world, accountId, { allocation: { ivr: 1 } })).installationId;
});

const allocations = () =>
  Object.fromEntries([oldest, middle, newest].map((id) => [id, world.repo.installation(id)?.allocation]));

describe('enforceShortfall', () => {
  it('keeps every allocation during the grace period', async () => {
    // Arrange
    world.clock.set(new Date(day(30)));

    // Act
    const result = await enforceShortfall(world.deps, accountId, 30);

    // Assert
    expect(result.reduced).toEqual([]);
    expect(allocations()).toEqual({ [oldest]: { ivr: 5 }, [middle]: { ivr: 2 }, [newest]: { ivr: 1 } });
  });

  it('at enforcedAt takes back what is over, newest installations first, audited with the reason', async () => {
    // Arrange
    world.clock.set(new Date(day(31)));

    // Act
    const result = await enforceShortfall(world.deps, accountId, 30);

    // Assert
    expect(result.reduced.map((r) => [r.installationId, r.to])).toEqual([
      [newest, {}],
      [middle, {}],
    ]);
    expect(allocations()).toEqual({ [oldest]: { ivr: 5 }, [middle]: {}, [newest]: {} });
    expect(world.repo.pool(accountId, 'ivr')).toMatchObject({ capacity: 5, allocated: 5, free: 0 });
    expect(world.repo.pool(accountId, 'ivr')?.shortfall).toBeUndefined();
    const reductions = world.repo.auditOf(accountId).filter((e) => e.action === 'installation.allocation-reduced');
    expect(reductions.map((e) => e.details)).toEqual([
      { installationId: newest, from: { ivr: 1 }, to: {}, reason: 'shortfall', enforcedAt: { ivr: day(31) } },
      { installationId: middle, from: { ivr: 2 }, to: {}, reason: 'shortfall', enforcedAt: { ivr: day(31) } },
    ]);
    expect(reductions[0]?.actor).toEqual({ kind: 'system', id: 'shortfall-enforcement' });
  });

  it('takes only part of an installation’s allocation when that covers what is over', async () => {
    // Arrange: the oldest gives 1 back, so 2 are over and the newest (1) and 1 of the middle's 2 go.
    await world.repo.commitAllocationChange({
      installation: world.repo.installation(oldest)!,
      allocation: { ivr: 4 },
      pools: [{ product: 'ivr', take: -1, capacity: 8, entitlementsRev: 1 }],
      audit: { accountId, at: day(0), eventId: 'evt_x', actor: principalActor(), action: 'test', details: {} },
    });
    world.clock.set(new Date(day(31)));

    // Act
    await enforceShortfall(world.deps, accountId, 30);

    // Assert
    expect(allocations()).toEqual({ [oldest]: { ivr: 4 }, [middle]: { ivr: 1 }, [newest]: {} });
  });

  it('is idempotent: a second run writes nothing', async () => {
    // Arrange
    world.clock.set(new Date(day(31)));
    await enforceShortfall(world.deps, accountId, 30);
    const commits = world.repo.commits.length;

    // Act
    const again = await enforceShortfall(world.deps, accountId, 30);

    // Assert
    expect(again.reduced).toEqual([]);
    expect(world.repo.commits.length).toBe(commits);
  });

  it('reads the grace it is given: 10 days enforce on day 11', async () => {
    world.clock.set(new Date(day(11)));

    const result = await enforceShortfall(world.deps, accountId, 10);

    expect(result.reduced).toHaveLength(2);
  });

  it('leaves an account of the other region to that region’s run', async () => {
    world.clock.set(new Date(day(31)));

    const result = await enforceShortfall(inRegion(world, 'us').deps, accountId, 30);

    expect(result).toEqual({ accountId, home: false, reduced: [] });
    expect(allocations()).toEqual({ [oldest]: { ivr: 5 }, [middle]: { ivr: 2 }, [newest]: { ivr: 1 } });
  });

  it('after it, the account page and the next licence of each installation agree', async () => {
    // Arrange
    world.clock.set(new Date(day(31)));

    // Act
    await enforceShortfall(world.deps, accountId, 30);
    const account = await getAccount(world.deps, principals.backoffice, accountId);
    const polled = await pollLicense(world.deps, world.settings, middle, undefined, acceptSignature);

    // Assert
    expect(account.products[0]).toMatchObject({ capacity: 5, allocated: 5, free: 0 });
    expect(account.products[0]?.shortfall).toBeUndefined();
    expect(account.installations.find((i) => i.installationId === middle)?.allocation).toEqual({});
    if (polled.status !== 200) throw new Error('expected a licence');
    expect((await licenseClaims(polled.license, world.signer)).products).toEqual([]);
  });
});

describe('dueReductions', () => {
  it('is empty with no shortfall, and names nothing before enforcedAt', async () => {
    const state = (await world.repo.getAccountState(accountId))!;

    expect(dueReductions(state, Date.parse(day(0)), 30)).toEqual([]);
    expect(dueReductions(state, Date.parse(day(31)) - 1, 30)).toEqual([]);
  });
});

describe('shortfallSweepPart', () => {
  it('is the hour of the UTC day, of 24: each hourly run reads its part, all of them once a day', () => {
    expect(shortfallSweepPart(Date.parse('2027-01-05T00:00:00Z'))).toEqual({ segment: 0, totalSegments: 24 });
    expect(shortfallSweepPart(Date.parse('2027-01-05T00:59:59Z'))).toEqual({ segment: 0, totalSegments: 24 });
    expect(shortfallSweepPart(Date.parse('2027-01-05T01:00:00Z'))).toEqual({ segment: 1, totalSegments: 24 });
    expect(shortfallSweepPart(Date.parse('2027-01-05T23:59:00Z'))).toEqual({ segment: 23, totalSegments: 24 });
  });
});

describe('sweepShortfalls', () => {
  it('goes through every page of accounts and reports one that fails without stopping', async () => {
    // Arrange
    world.clock.set(new Date(day(31)));
    const pages: Record<string, { accountIds: string[]; cursor?: string }> = {
      start: { accountIds: ['acc_missing0'], cursor: 'p2' },
      p2: { accountIds: [accountId] },
    };
    const parts: unknown[] = [];
    const source: AccountIdSource = {
      listAccountIds: async (cursor, part) => {
        parts.push(part);
        return pages[cursor ?? 'start']!;
      },
    };
    jest.spyOn(world.repo, 'getAccountState').mockImplementationOnce(async () => {
      throw new Error('throttled');
    });

    // Act
    const sweep = await sweepShortfalls(world.deps, source, 30, { segment: 3, totalSegments: 24 });

    // Assert
    expect(parts).toEqual([
      { segment: 3, totalSegments: 24 },
      { segment: 3, totalSegments: 24 },
    ]);
    expect(sweep.accounts).toBe(2);
    expect(sweep.failures.map((f) => f.accountId)).toEqual(['acc_missing0']);
    expect(sweep.reduced.map((r) => r.installationId)).toEqual([newest, middle]);
  });
});

function principalActor() {
  return { kind: 'backoffice' as const, id: 'test' };
}

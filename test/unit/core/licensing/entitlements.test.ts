import {
  allocationOrder,
  backingAt,
  belowSince,
  capacityAt,
  careAt,
  firstDropAfter,
  isActiveAt,
  nextTermBoundary,
  standingAt,
} from '#lambdas/core/licensing/entitlements';
import type { Entitlement } from '#lambdas/core/licensing/model';
import { DAY_MS, T0 } from '#test/support/licensing-fixtures';

const t0 = T0.getTime();
const day = (n: number) => new Date(t0 + n * DAY_MS).toISOString();

let next = 1;
const id = () => `PO-${String(next++).padStart(4, '0')}#01`;
const perpetual = (quantity: number, more: Partial<Entitlement> = {}): Entitlement => ({
  entitlementId: id(),
  product: 'ivr',
  kind: 'perpetual',
  quantity,
  startsAt: day(-10),
  ...more,
});
const subscription = (quantity: number, startsAt: string, endsAt: string, more: Partial<Entitlement> = {}) =>
  ({ entitlementId: id(), product: 'ivr', kind: 'subscription', quantity, startsAt, endsAt, ...more }) as Entitlement;
const careLine = (level: 'basic' | 'gold' | 'platinum', endsAt: string, startsAt?: string): Entitlement => ({
  entitlementId: id(),
  product: 'ivr',
  kind: 'care',
  quantity: 0,
  care: { level, endsAt, ...(startsAt ? { startsAt } : {}) },
});

describe('capacityAt', () => {
  it('counts a perpetual 5 and a subscription 3 ending tomorrow as 8 today and 5 from the end on', () => {
    // Arrange
    const entitlements = [perpetual(5), subscription(3, day(-30), day(1))];

    // Act
    const today = capacityAt(entitlements, 'ivr', t0);
    const lastMoment = capacityAt(entitlements, 'ivr', Date.parse(day(1)) - 1);
    const atTheEnd = capacityAt(entitlements, 'ivr', Date.parse(day(1)));

    // Assert
    expect([today, lastMoment, atTheEnd]).toEqual([8, 8, 5]);
  });

  it('counts a subscription from its start, a perpetual line from its start on, and never a care line', () => {
    // Arrange
    const entitlements = [
      subscription(2, day(3), day(30)),
      perpetual(4, { startsAt: day(5) }),
      careLine('gold', day(300)),
      perpetual(1, { product: 'acd' }),
    ];

    // Act
    const before = capacityAt(entitlements, 'ivr', Date.parse(day(3)) - 1);
    const started = capacityAt(entitlements, 'ivr', Date.parse(day(3)));
    const both = capacityAt(entitlements, 'ivr', Date.parse(day(5)));
    const later = capacityAt(entitlements, 'ivr', Date.parse(day(400)));

    // Assert
    expect([before, started, both, later]).toEqual([0, 2, 6, 4]);
  });

  it('counts an entitlement without a start (read from an older item) as active since always', () => {
    // Arrange
    const { startsAt: _none, ...always } = perpetual(7);

    // Act
    const active = isActiveAt(always, 0);

    // Assert
    expect(active).toBe(true);
  });
});

describe('careAt', () => {
  it('gives the highest level covering the product now, with its end, and nothing once it has lapsed', () => {
    // Arrange
    const entitlements = [
      perpetual(5, { care: { level: 'gold', startsAt: day(-10), endsAt: day(20) } }),
      careLine('basic', day(100), day(-1)),
    ];

    // Act
    const now = careAt(entitlements, 'ivr', t0);
    const afterGold = careAt(entitlements, 'ivr', Date.parse(day(20)));
    const lapsed = careAt(entitlements, 'ivr', Date.parse(day(100)));

    // Assert
    expect(now).toEqual({ level: 'gold', expiresAt: day(20) });
    expect(afterGold).toEqual({ level: 'basic', expiresAt: day(100) });
    expect(lapsed).toBeUndefined();
  });

  it('runs on through renewals already deposited: a care line starting where the last one ends extends it', () => {
    // Arrange
    const entitlements = [
      perpetual(5, { care: { level: 'gold', startsAt: day(-10), endsAt: day(20) } }),
      careLine('gold', day(385), day(20)),
      careLine('platinum', day(900), day(800)),
    ];

    // Act
    const cover = careAt(entitlements, 'ivr', t0);

    // Assert
    expect(cover).toEqual({ level: 'gold', expiresAt: day(385) });
  });

  it('gives no Care for a product whose Care has not started or is another product’s', () => {
    // Arrange
    const entitlements = [careLine('gold', day(100), day(1)), perpetual(1, { product: 'acd' })];

    // Act
    const cover = careAt(entitlements, 'ivr', t0);

    // Assert
    expect(cover).toBeUndefined();
  });
});

describe('allocationOrder', () => {
  it('draws perpetual first (oldest first), then subscriptions by latest end, ties by id', () => {
    // Arrange
    const early = subscription(1, day(-5), day(10), { entitlementId: 'PO-A#01' });
    const late = subscription(1, day(-5), day(90), { entitlementId: 'PO-B#01' });
    const lateToo = subscription(1, day(-1), day(90), { entitlementId: 'PO-A#02' });
    const newer = perpetual(1, { entitlementId: 'PO-C#01', startsAt: day(-1) });
    const older = perpetual(1, { entitlementId: 'PO-D#01', startsAt: day(-9) });

    // Act
    const order = allocationOrder([early, late, careLine('gold', day(9)), lateToo, newer, older]);

    // Assert
    expect(order.map((e) => e.entitlementId)).toEqual(['PO-D#01', 'PO-C#01', 'PO-A#02', 'PO-B#01', 'PO-A#01']);
  });
});

describe('backingAt', () => {
  it('gives each installation its share in allocation order: the oldest perpetual, the newest the subscription', () => {
    // Arrange
    const perpetualFive = perpetual(5);
    const subscriptionThree = subscription(3, day(-30), day(1));
    const entitlements = [subscriptionThree, perpetualFive];

    // Act
    const oldest = backingAt(entitlements, 'ivr', t0, 0, 4);
    const newest = backingAt(entitlements, 'ivr', t0, 4, 4);
    const newestAfterTheEnd = backingAt(entitlements, 'ivr', Date.parse(day(1)), 4, 4);

    // Assert
    expect(oldest).toEqual([{ entitlementId: perpetualFive.entitlementId, quantity: 4, kind: 'perpetual' }]);
    expect(newest).toEqual([
      { entitlementId: perpetualFive.entitlementId, quantity: 1, kind: 'perpetual' },
      {
        entitlementId: subscriptionThree.entitlementId,
        quantity: 3,
        kind: 'subscription',
        startsAt: day(-30),
        endsAt: day(1),
      },
    ]);
    expect(newestAfterTheEnd).toEqual([{ entitlementId: perpetualFive.entitlementId, quantity: 1, kind: 'perpetual' }]);
  });
});

describe('term boundaries', () => {
  it('finds the next change of the terms, Care included, and the first instant a capacity drops', () => {
    // Arrange
    const entitlements = [
      perpetual(5, { care: { level: 'gold', startsAt: day(-10), endsAt: day(2) } }),
      subscription(3, day(-30), day(5)),
      subscription(3, day(5), day(40)),
      subscription(2, day(-30), day(7)),
    ];

    // Act
    const next = nextTermBoundary(entitlements, t0);
    const drop = firstDropAfter(entitlements, t0, (t) => capacityAt(entitlements, 'ivr', t));
    const none = nextTermBoundary(entitlements, Date.parse(day(40)));

    // Assert
    expect(next).toBe(Date.parse(day(2)));
    expect(drop).toBe(Date.parse(day(7))); // the renewal starting at day 5 keeps the capacity at 10 until then
    expect(none).toBeUndefined();
  });
});

describe('belowSince', () => {
  it('gives the instant the capacity fell below the allocation and stayed there; nothing while it covers it', () => {
    // Arrange: 5 perpetual, 3 until day 1, 2 more until day 4
    const entitlements = [
      perpetual(5),
      subscription(3, day(-30), day(1)),
      subscription(2, day(-30), day(4)),
      subscription(1, day(6), day(9)),
    ];

    // Act
    const covered = belowSince(entitlements, 'ivr', t0, 10, -Infinity);
    const shortOfTen = belowSince(entitlements, 'ivr', Date.parse(day(5)), 10, -Infinity);
    const shortOfSix = belowSince(entitlements, 'ivr', Date.parse(day(5)), 6, -Infinity);
    const coveredAgain = belowSince(entitlements, 'ivr', Date.parse(day(7)), 6, -Infinity);
    const stillShortOfSeven = belowSince(entitlements, 'ivr', Date.parse(day(7)), 7, -Infinity);

    // Assert: 10 until day 1, 7 until day 4, 5 until day 6, then 6
    expect(covered).toBeUndefined();
    expect(shortOfTen).toBe(Date.parse(day(1)));
    expect(shortOfSix).toBe(Date.parse(day(4)));
    expect(coveredAgain).toBeUndefined();
    expect(stillShortOfSeven).toBe(Date.parse(day(4)));
  });

  it('never goes back before the floor when the capacity never covered the threshold', () => {
    // Act
    const since = belowSince([perpetual(1)], 'ivr', t0, 5, Date.parse(day(-2)));

    // Assert
    expect(since).toBe(Date.parse(day(-2)));
  });
});

describe('standingAt', () => {
  it('shows what the account holds of a product now, its first drop, its Care and a shortfall once the capacity is short', () => {
    // Arrange
    const entitlements = [
      perpetual(5, { care: { level: 'gold', startsAt: day(-10), endsAt: day(200) } }),
      subscription(3, day(-30), day(1)),
    ];
    const pool = { product: 'ivr' as const, allocated: 8, entitlementsRev: 2 };

    // Act
    const today = standingAt(pool, entitlements, t0);
    const afterTheEnd = standingAt(pool, entitlements, Date.parse(day(2)), 10);

    // Assert
    expect(today).toEqual({
      product: 'ivr',
      capacity: 8,
      allocated: 8,
      free: 0,
      kind: 'subscription',
      expiresAt: day(1),
      care: { level: 'gold', expiresAt: day(200) },
    });
    expect(afterTheEnd).toEqual({
      product: 'ivr',
      capacity: 5,
      allocated: 8,
      free: 0,
      kind: 'perpetual',
      care: { level: 'gold', expiresAt: day(200) },
      shortfall: { quantity: 3, enforcedAt: day(11) },
    });
  });
});

import { rule } from '#lambdas/core/rules/catalogue/care-expiring';
import type { LicenceFacts } from '#lambdas/core/rules/rule';
import { DAY, licenceFacts, runRule, T0, tickAt } from '#test/support/rules-harness';

const iso = (t: number) => new Date(t).toISOString();
/** one perpetual attendant-console line whose Gold Care ends at `careEnd` */
const careEndingAt = (careEnd: number, more: LicenceFacts['products'] = []) =>
  licenceFacts({
    products: [
      {
        product: 'attendant-console',
        capacity: 10,
        kind: 'perpetual',
        care: { level: 'gold', expiresAt: iso(careEnd) },
      },
      ...more,
    ],
  });

describe('care-expiring', () => {
  it('opens info 90 days before the Care end, and stays quiet at 91', () => {
    const at = runRule(rule, [tickAt(T0)], { licence: careEndingAt(T0 + 90 * DAY) });
    const before = runRule(rule, [tickAt(T0)], { licence: careEndingAt(T0 + 91 * DAY) });

    expect(at.steps[0]!.changes).toEqual([
      { kind: 'opened', subject: 'attendant-console', severity: 'info', ruleId: 'care-expiring' },
    ]);
    expect(at.open()[0]!.evidence).toEqual({ term: 'care', expiresAt: iso(T0 + 90 * DAY), daysLeft: 90 });
    expect(before.open()).toHaveLength(0);
  });

  it('escalates to warning at 30 days and critical at 7, on the tick time', () => {
    const licence = careEndingAt(T0 + 60 * DAY);
    const run = runRule(rule, [tickAt(T0), tickAt(T0 + 30 * DAY), tickAt(T0 + 53 * DAY)], { licence });

    expect(run.changes().map((c) => `${c.kind}:${c.severity}`)).toEqual([
      'opened:info',
      'escalated:warning',
      'escalated:critical',
    ]);
  });

  it('watches subscription terms, and the term ending first wins', () => {
    const licence = careEndingAt(T0 + 200 * DAY, [
      { product: 'ivr', capacity: 4, kind: 'subscription', expiresAt: iso(T0 + 20 * DAY) },
    ]);
    const run = runRule(rule, [tickAt(T0)], { licence });

    expect(run.open()).toEqual([
      expect.objectContaining({
        subject: 'ivr',
        severity: 'warning',
        evidence: expect.objectContaining({ term: 'subscription' }),
      }),
    ]);
  });

  it('resolves after two ticks once Care is renewed (a later line extends it), not one', () => {
    const expiring = careEndingAt(T0 + 20 * DAY);
    const renewed = careEndingAt(T0 + 20 * DAY, [
      {
        product: 'attendant-console',
        capacity: 10,
        kind: 'perpetual',
        care: { level: 'gold', expiresAt: iso(T0 + 385 * DAY) },
      },
    ]);
    const open = runRule(rule, [tickAt(T0)], { licence: expiring });
    const once = runRule(rule, [tickAt(T0 + DAY)], { licence: renewed, state: open.state! });
    const twice = runRule(rule, [tickAt(T0 + 2 * DAY)], { licence: renewed, state: once.state! });

    expect(once.changes()).toEqual([]);
    expect(twice.changes()).toEqual([expect.objectContaining({ kind: 'resolved', subject: 'attendant-console' })]);
  });

  it('resolves a product that leaves the licence, after two ticks', () => {
    const open = runRule(rule, [tickAt(T0)], { licence: careEndingAt(T0 + 5 * DAY) });
    const gone = runRule(rule, [tickAt(T0 + DAY), tickAt(T0 + 2 * DAY)], {
      licence: licenceFacts({ products: [] }),
      state: open.state!,
    });

    expect(gone.steps[0]!.changes).toEqual([]);
    expect(gone.steps[1]!.changes).toEqual([
      expect.objectContaining({ kind: 'resolved', subject: 'attendant-console' }),
    ]);
    expect(gone.state!.memory['care-expiring']!.facts).toEqual({ subjects: { p: [] } });
  });

  it('takes per-account thresholds', () => {
    const run = runRule(rule, [tickAt(T0)], {
      licence: careEndingAt(T0 + 100 * DAY),
      overrides: { 'care-expiring': { infoDays: 120 } },
    });

    expect(run.open()).toEqual([expect.objectContaining({ severity: 'info' })]);
  });
});

describe('care-expiring on a shortfall', () => {
  it('names the shortfall in its evidence when the capacity drop is its enforcement', () => {
    // Arrange: 3 IVR allocated beyond what the account holds, taken back in 5 days.
    const enforcedAt = iso(T0 + 5 * DAY);
    const licence = licenceFacts({
      products: [
        {
          product: 'ivr',
          capacity: 8,
          kind: 'subscription',
          expiresAt: enforcedAt,
          shortfall: { quantity: 3, enforcedAt },
        },
      ],
    });

    // Act
    const run = runRule(rule, [tickAt(T0)], { licence });

    // Assert
    expect(run.open()).toEqual([
      expect.objectContaining({
        subject: 'ivr',
        severity: 'critical',
        evidence: { term: 'subscription', expiresAt: enforcedAt, daysLeft: 5, shortfall: 3 },
      }),
    ]);
  });
});

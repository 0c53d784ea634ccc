import { rule } from '#lambdas/core/rules/catalogue/usage-over-licence';
import { beatAt, DAY, HOUR, licenceFacts, runRule, T0 } from '#test/support/rules-harness';

// licenceFacts(): 10 attendant consoles, 10 call recordings, 10 IVR channels
const consoles = (hour: number, desktop: number, web: number) =>
  beatAt('ucx.attendant_console', T0 + hour * HOUR, {
    connected: [
      { type: 'desktop', count: desktop },
      { type: 'web', count: web },
    ],
  });
const recordings = (hour: number, activeRecordings: number) =>
  beatAt('ucx.call_recording', T0 + hour * HOUR, { activeRecordings });
const ivr = (hour: number, activeCalls: number) => beatAt('ucx.ivr', T0 + hour * HOUR, { activeCalls });

describe('usage-over-licence', () => {
  it('opens a warning on the 3rd beat above capacity (summed over console types), not the 2nd', () => {
    const run = runRule(rule, [consoles(0, 8, 3), consoles(1, 9, 2), consoles(2, 6, 5)]);

    expect(run.steps[1]!.changes).toEqual([]);
    expect(run.steps[2]!.changes).toEqual([
      { kind: 'opened', subject: 'attendant-console', severity: 'warning', ruleId: 'usage-over-licence' },
    ]);
    expect(run.open()[0]!.evidence).toEqual({ inUse: 11, capacity: 10, percent: 110 });
  });

  it('gives info from 90 % and stays quiet just below', () => {
    const at90 = runRule(rule, [recordings(0, 9), recordings(1, 10), recordings(2, 9)]);
    const below = runRule(rule, [ivr(0, 8), ivr(1, 8), ivr(2, 8)]);

    expect(at90.open()).toEqual([expect.objectContaining({ subject: 'call-recording', severity: 'info' })]);
    expect(below.open()).toHaveLength(0);
  });

  it('resolves after two clear beats, not one', () => {
    const run = runRule(rule, [ivr(0, 12), ivr(1, 12), ivr(2, 12), ivr(3, 2), ivr(4, 2)]);

    expect(run.steps[3]!.changes).toEqual([]);
    expect(run.steps[4]!.changes).toEqual([expect.objectContaining({ kind: 'resolved', subject: 'ivr' })]);
  });

  it('adds licence lines and leaves out expired subscription lines', () => {
    const base = licenceFacts();
    const licence = licenceFacts({
      products: [
        ...base.products,
        { product: 'ivr', capacity: 10, kind: 'perpetual' },
        { product: 'call-recording', capacity: 10, kind: 'subscription', expiresAt: new Date(T0 - DAY).toISOString() },
      ],
    });
    const run = runRule(
      rule,
      [ivr(0, 15), ivr(1, 15), ivr(2, 15), recordings(3, 15), recordings(4, 15), recordings(5, 15)],
      {
        licence,
      },
    );

    expect(run.open().map((f) => f.subject)).toEqual(['call-recording']);
  });

  it('takes per-account thresholds', () => {
    const run = runRule(rule, [ivr(0, 8), ivr(1, 8), ivr(2, 8)], {
      overrides: { 'usage-over-licence': { infoFromRatio: 0.8 } },
    });

    expect(run.open()).toEqual([expect.objectContaining({ subject: 'ivr', severity: 'info' })]);
  });
});

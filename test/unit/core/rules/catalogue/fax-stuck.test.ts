import { rule } from '#lambdas/core/rules/catalogue/fax-stuck';
import { beatAt, HOUR, runRule, T0 } from '#test/support/rules-harness';

const fax = (hour: number, transmitting: number, receiving = 0) =>
  beatAt('ucx.digital_fax', T0 + hour * HOUR, { transmitting, receiving });
const beats = (values: readonly number[]) => values.map((v, i) => fax(i, v));

describe('fax-stuck', () => {
  it('opens a warning on the 6th beat with the same non-zero count, not the 5th', () => {
    const run = runRule(rule, beats([2, 2, 2, 2, 2, 2]));

    expect(run.steps[4]!.changes).toEqual([]);
    expect(run.steps[5]!.changes).toEqual([
      { kind: 'opened', subject: 'transmitting', severity: 'warning', ruleId: 'fax-stuck' },
    ]);
    expect(run.open()[0]!.evidence).toEqual({ value: 2, beats: 6, hours: 5 });
  });

  it('stays quiet on zero, and when the count moves', () => {
    const idle = runRule(rule, beats([0, 0, 0, 0, 0, 0, 0]));
    const moving = runRule(rule, beats([2, 2, 2, 2, 2, 3, 3, 3]));

    expect(idle.open()).toHaveLength(0);
    expect(moving.open()).toHaveLength(0);
  });

  it('watches receiving apart from transmitting', () => {
    const run = runRule(
      rule,
      [0, 1, 2, 3, 4, 5].map((h) => fax(h, h, 1)),
    );

    expect(run.open().map((f) => f.subject)).toEqual(['receiving']);
  });

  it('resolves after two clear beats, not one', () => {
    const run = runRule(rule, beats([2, 2, 2, 2, 2, 2, 0, 0]));

    expect(run.steps[6]!.changes).toEqual([]);
    expect(run.steps[7]!.changes).toEqual([expect.objectContaining({ kind: 'resolved', subject: 'transmitting' })]);
  });

  it('takes per-account thresholds', () => {
    const run = runRule(rule, beats([1, 1, 1]), { overrides: { 'fax-stuck': { beats: 3 } } });

    expect(run.open()).toEqual([expect.objectContaining({ subject: 'transmitting' })]);
  });
});

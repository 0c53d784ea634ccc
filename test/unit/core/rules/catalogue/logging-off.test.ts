import { rule } from '#lambdas/core/rules/catalogue/logging-off';
import { beatAt, HOUR, runRule, T0 } from '#test/support/rules-harness';

const logging = (at: number, enabled: boolean, retentionDays: number) =>
  beatAt('ucx.logging', at, { enabled, retentionDays });

describe('logging-off', () => {
  it('reports retention under 7 days as info and stays quiet at 7', () => {
    const short = runRule(rule, [logging(T0, true, 6)]);
    const enough = runRule(rule, [logging(T0, true, 7)]);

    expect(short.open()).toEqual([
      expect.objectContaining({
        subject: 'installation',
        severity: 'info',
        evidence: { enabled: true, retentionDays: 6 },
      }),
    ]);
    expect(enough.open()).toHaveLength(0);
  });

  it('warns when logging is disabled and resolves after two beats with it back on', () => {
    const run = runRule(rule, [
      logging(T0, true, 3),
      logging(T0 + HOUR, false, 30),
      logging(T0 + 2 * HOUR, true, 30),
      logging(T0 + 3 * HOUR, true, 30),
    ]);

    expect(run.changes().map((c) => `${c.kind}:${c.severity}`)).toEqual([
      'opened:info',
      'escalated:warning',
      'resolved:warning',
    ]);
    expect(run.steps[2]!.changes).toEqual([]); // one clear beat is not enough (M = 2)
  });

  it('takes per-account thresholds', () => {
    const run = runRule(rule, [logging(T0, true, 10)], { overrides: { 'logging-off': { minRetentionDays: 14 } } });

    expect(run.open()).toEqual([expect.objectContaining({ severity: 'info' })]);
  });
});

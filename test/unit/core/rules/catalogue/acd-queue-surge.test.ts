import { rule } from '#lambdas/core/rules/catalogue/acd-queue-surge';
import { beatAt, DAY, HOUR, runRule, T0 } from '#test/support/rules-harness';

const MINUTE = 60_000;
const acd = (at: number, fifoQueued: number, campOnQueued = 0) =>
  beatAt('ucx.acd', at, { fifoQueued, campOnQueued, activeConsultations: 0 });
/** one beat at 09:00 on each of `days` days before T0 + 7 days, `queued` calls each */
const history = (queued: number, days = 7) =>
  Array.from({ length: days }, (_, i) => acd(T0 + (7 - days + i) * DAY, queued));
const DAY7 = T0 + 7 * DAY;
const surge = (...queued: number[]) => queued.map((q, i) => acd(DAY7 + i * 10 * MINUTE, q - 1, 1));

describe('acd-queue-surge', () => {
  it('opens a warning on the 3rd beat above 3× the 7-day median at that hour, not the 2nd', () => {
    const run = runRule(rule, [...history(2), ...surge(7, 7, 7)]);

    expect(run.steps[8]!.changes).toEqual([]);
    expect(run.steps[9]!.changes).toEqual([
      { kind: 'opened', subject: 'acd', severity: 'warning', ruleId: 'acd-queue-surge' },
    ]);
    expect(run.open()[0]!.evidence).toEqual({ queued: 7, median: 2 });
  });

  it('stays quiet at 3× the median, and with no more than minQueued', () => {
    const atFactor = runRule(rule, [...history(2), ...surge(6, 6, 6)]);
    const quietHour = runRule(rule, [...history(0), ...surge(4, 4, 4)]);

    expect(atFactor.open()).toHaveLength(0);
    expect(quietHour.open()).toHaveLength(0);
  });

  it('needs 5 days of that hour on record, and compares with the same hour of day', () => {
    const fewDays = runRule(rule, [...history(2, 4), ...surge(50, 50, 50)]);
    const otherHour = runRule(rule, [
      ...history(2),
      ...[0, 1, 2].map((i) => acd(DAY7 + 6 * HOUR + i * 10 * MINUTE, 50)),
    ]);

    expect(fewDays.open()).toHaveLength(0);
    expect(otherHour.open()).toHaveLength(0);
  });

  it('resolves after two clear beats, not one', () => {
    const run = runRule(rule, [...history(2), ...surge(9, 9, 9, 2, 2)]);

    expect(run.steps[10]!.changes).toEqual([]);
    expect(run.steps[11]!.changes).toEqual([expect.objectContaining({ kind: 'resolved', subject: 'acd' })]);
  });

  it('keeps one mean per hour of the week, however long it runs', () => {
    const run = runRule(
      rule,
      Array.from({ length: 200 }, (_, i) => acd(T0 + i * HOUR, i % 3)),
    );

    const week = run.state!.memory['acd-queue-surge']!.facts['queued:week'] as { s: number[]; v: number[] };
    expect(week.s).toHaveLength(168);
    expect(week.v).toHaveLength(168);
  });

  it('takes per-account thresholds', () => {
    const run = runRule(rule, [...history(2), ...surge(5, 5, 5)], { overrides: { 'acd-queue-surge': { factor: 2 } } });

    expect(run.open()).toEqual([expect.objectContaining({ subject: 'acd' })]);
  });
});

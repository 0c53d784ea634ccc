import { rule } from '#lambdas/core/rules/catalogue/patch-age';
import { beatAt, DAY, runRule, T0 } from '#test/support/rules-harness';

const day = (at: number) => new Date(at).toISOString().slice(0, 10);
/** hotfixes installed `ageDays` before the beat (the newest counts), plus one without a date */
const hotfixes = (at: number, ...ageDays: number[]) =>
  beatAt('software.hotfixes', at, {
    hotfixes: [
      ...ageDays.map((age, i) => ({ id: `KB50000${i}`, installedOn: day(at - age * DAY) })),
      { id: 'KB4000000', installedOn: null },
    ],
  });

describe('patch-age', () => {
  it('warns when the newest hotfix is 40 days old and stays quiet at 39', () => {
    const below = runRule(rule, [hotfixes(T0, 200, 39)]);
    const at = runRule(rule, [hotfixes(T0, 200, 40, 120)]);

    expect(below.open()).toHaveLength(0);
    expect(at.open()).toEqual([
      expect.objectContaining({
        subject: 'installation',
        severity: 'warning',
        evidence: { newestHotfix: 'KB500001', installedOn: day(T0 - 40 * DAY), ageDays: 40 },
      }),
    ]);
  });

  it('escalates at 90 days as time passes and resolves after two beats with a fresh hotfix', () => {
    const installed = day(T0 - 50 * DAY);
    const same = (at: number) => beatAt('software.hotfixes', at, { hotfixes: [{ id: 'KB1', installedOn: installed }] });
    const run = runRule(rule, [same(T0), same(T0 + 40 * DAY), hotfixes(T0 + 41 * DAY, 1), hotfixes(T0 + 42 * DAY, 2)]);

    expect(run.changes().map((c) => `${c.kind}:${c.severity}`)).toEqual([
      'opened:warning',
      'escalated:critical',
      'resolved:critical',
    ]);
    expect(run.steps[2]!.changes).toEqual([]); // one clear beat is not enough (M = 2)
  });

  it('does not judge a list without any dated hotfix', () => {
    const run = runRule(rule, [beatAt('software.hotfixes', T0, { hotfixes: [{ id: 'KB1', installedOn: null }] })]);

    expect(run.changes()).toEqual([]);
  });

  it('takes per-account thresholds', () => {
    const run = runRule(rule, [hotfixes(T0, 20)], { overrides: { 'patch-age': { warnDays: 14 } } });

    expect(run.open()).toEqual([expect.objectContaining({ severity: 'warning' })]);
  });
});

import { rule } from '#lambdas/core/rules/catalogue/db-maintenance-overdue';
import { beatAt, DAY, HOUR, runRule, T0 } from '#test/support/rules-harness';

/** a database beat at `at` whose last maintenance was `ageDays` before it */
const db = (at: number, ageDays: number | null, name = 'UCX') =>
  beatAt('ucx.database', at, {
    name,
    lastMaintenanceAt: ageDays === null ? null : new Date(at - ageDays * DAY).toISOString(),
  });

describe('db-maintenance-overdue', () => {
  it('opens a warning at 7 days and stays quiet just below', () => {
    const below = runRule(rule, [db(T0, 6.9)]);
    const at = runRule(rule, [db(T0, 7)]);

    expect(below.open()).toHaveLength(0);
    expect(at.open()).toEqual([
      expect.objectContaining({
        subject: 'UCX',
        severity: 'warning',
        evidence: expect.objectContaining({ ageDays: 7 }),
      }),
    ]);
  });

  it('judges the age at the beat time, escalates at 14 days and resolves after two clear beats', () => {
    // the same maintenance instant, seen by beats a week apart
    const maintained = new Date(T0 - 8 * DAY).toISOString();
    const same = (at: number) => beatAt('ucx.database', at, { name: 'UCX', lastMaintenanceAt: maintained });
    const run = runRule(rule, [same(T0), same(T0 + 6 * DAY), db(T0 + 7 * DAY, 0.5), db(T0 + 7 * DAY + HOUR, 0.5)]);

    expect(run.changes().map((c) => `${c.kind}:${c.severity}`)).toEqual([
      'opened:warning',
      'escalated:critical',
      'resolved:critical',
    ]);
    expect(run.steps[2]!.changes).toEqual([]); // one clear beat is not enough (M = 2)
  });

  it('reports a database never maintained as a warning, one finding per database', () => {
    const run = runRule(rule, [db(T0, null), db(T0, 1, 'UCX_Archive')]);

    expect(run.open()).toEqual([expect.objectContaining({ subject: 'UCX', severity: 'warning' })]);
  });

  it('resolves the finding of a database no longer reported', () => {
    const rounds = Array.from({ length: 8 }, (_, i) => db(T0 + (i + 1) * HOUR, 1, 'Other'));
    const run = runRule(rule, [db(T0, 10), db(T0, 1, 'Other'), ...rounds]);

    expect(run.changes().map((c) => `${c.kind}:${c.subject}`)).toEqual(['opened:UCX', 'resolved:UCX']);
    expect(run.state!.memory['db-maintenance-overdue']!.facts['seen:UCX']).toBeUndefined();
  });

  it('takes per-account thresholds', () => {
    const run = runRule(rule, [db(T0, 4), db(T0 + HOUR, null, 'New')], {
      overrides: { 'db-maintenance-overdue': { warnDays: 3, neverMaintained: null } },
    });

    expect(run.open()).toEqual([expect.objectContaining({ subject: 'UCX', severity: 'warning' })]);
  });
});

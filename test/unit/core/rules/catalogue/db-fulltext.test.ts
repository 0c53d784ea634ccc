import { rule } from '#lambdas/core/rules/catalogue/db-fulltext';
import { beatAt, HOUR, runRule, T0 } from '#test/support/rules-harness';

const db = (at: number, fullTextCatalogStatus: string, name = 'UCX') =>
  beatAt('ucx.database', at, { name, fullTextCatalogStatus });

describe('db-fulltext', () => {
  it('opens only after two beats in a state other than idle/healthy', () => {
    const once = runRule(rule, [db(T0, 'Paused')]);
    const twice = runRule(rule, [db(T0, 'Paused'), db(T0 + HOUR, 'Recovering')]);

    expect(once.open()).toHaveLength(0);
    expect(twice.open()).toEqual([
      expect.objectContaining({ subject: 'UCX', severity: 'warning', evidence: { status: 'Recovering' } }),
    ]);
  });

  it('treats idle and healthy (any case) and an absent catalog as fine', () => {
    const run = runRule(rule, [
      db(T0, 'Idle'),
      db(T0 + HOUR, 'HEALTHY'),
      db(T0 + 2 * HOUR, ''),
      db(T0 + 3 * HOUR, 'idle'),
    ]);

    expect(run.changes()).toEqual([]);
  });

  it('a flap in between restarts the count, and it resolves after two clear beats', () => {
    const run = runRule(rule, [
      db(T0, 'Paused'),
      db(T0 + 1 * HOUR, 'Idle'),
      db(T0 + 2 * HOUR, 'Paused'),
      db(T0 + 3 * HOUR, 'Paused'),
      db(T0 + 4 * HOUR, 'Idle'),
      db(T0 + 5 * HOUR, 'Idle'),
    ]);

    expect(run.steps.map((s) => s.changes.map((c) => c.kind))).toEqual([[], [], [], ['opened'], [], ['resolved']]);
  });

  it('takes per-account healthy states', () => {
    const run = runRule(rule, [db(T0, 'Paused'), db(T0 + HOUR, 'Paused')], {
      overrides: { 'db-fulltext': { healthyStatuses: ['idle', 'paused'] } },
    });

    expect(run.open()).toHaveLength(0);
  });
});

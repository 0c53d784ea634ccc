import { rule } from '#lambdas/core/rules/catalogue/db-express-cap';
import { beatAt, DAY, HOUR, runRule, T0 } from '#test/support/rules-harness';

const GIB = 1024 ** 3;
const express = (at: number, version = '16.0.1000.6') =>
  beatAt('ucx.database_server', at, { edition: 'Express Edition (64-bit)', version });
const db = (at: number, gib: number) => beatAt('ucx.database', at, { name: 'UCX', sizeBytes: Math.round(gib * GIB) });

describe('db-express-cap', () => {
  it('opens a warning at 80 % of the 10 GB cap and stays quiet just below', () => {
    const below = runRule(rule, [express(T0), db(T0 + HOUR, 7.99)]);
    const at = runRule(rule, [express(T0), db(T0 + HOUR, 8)]);

    expect(below.open()).toHaveLength(0);
    expect(at.open()).toEqual([expect.objectContaining({ subject: 'UCX', severity: 'warning', status: 'open' })]);
  });

  it('escalates to critical at 90 % and resolves after two clear beats', () => {
    const run = runRule(rule, [
      express(T0),
      db(T0 + HOUR, 8.5),
      db(T0 + 2 * HOUR, 9.2),
      db(T0 + 3 * HOUR, 5),
      db(T0 + 4 * HOUR, 5),
    ]);

    expect(run.changes().map((c) => `${c.kind}:${c.severity}`)).toEqual([
      'opened:warning',
      'escalated:critical',
      'resolved:critical',
    ]);
    expect(run.steps[3]!.changes).toEqual([]); // one clear beat is not enough (hysteresis M = 2)
    expect(run.open()).toHaveLength(0);
  });

  it('uses the 50 GB cap from SQL Server 2025 and ignores editions other than Express', () => {
    const sql2025 = runRule(rule, [express(T0, '17.0.900.7'), db(T0 + HOUR, 30)]);
    const standard = runRule(rule, [
      beatAt('ucx.database_server', T0, { edition: 'Standard Edition (64-bit)' }),
      db(T0 + HOUR, 30),
    ]);

    expect(sql2025.open()).toHaveLength(0);
    expect(standard.open()).toHaveLength(0);
  });

  it('takes per-account thresholds', () => {
    const run = runRule(rule, [express(T0), db(T0 + HOUR, 6)], { overrides: { 'db-express-cap': { warnRatio: 0.5 } } });

    expect(run.open()).toEqual([expect.objectContaining({ severity: 'warning' })]);
  });

  it('says when the cap is reached at the growth of the last 14 days, one size a day', () => {
    // 0.05 GiB a day for 20 days, beats every 6 hours: the fit takes the last 14 days
    const beats = Array.from({ length: 81 }, (_, i) => db(T0 + HOUR + i * 6 * HOUR, 7 + (i * 0.05) / 4));
    const run = runRule(rule, [express(T0), ...beats]);

    const evidence = run.open()[0]!.evidence;
    expect(run.open()).toHaveLength(1);
    expect(evidence).toEqual(expect.objectContaining({ capBytes: 10 * GIB, warnBytes: 8 * GIB, warnPercent: 80 }));
    // opened at 8 GiB (day 20): 2 GiB left at 0.05 GiB a day
    expect(evidence.percent).toBe(80);
    expect(evidence.daysToCap).toBe(40);
    expect(evidence.growthDays).toBe(14);
    expect(run.state?.memory['db-express-cap']?.series['db:UCX']?.length).toBeLessThanOrEqual(15);
  });

  it('knows no growth on the first day, and none for a database that does not grow', () => {
    const firstDay = runRule(rule, [express(T0), db(T0 + HOUR, 9), db(T0 + 12 * HOUR, 9.1)]);
    const flat = runRule(rule, [
      express(T0),
      db(T0 + HOUR, 8.5),
      db(T0 + DAY + 2 * HOUR, 8.5),
      db(T0 + 2 * DAY + 3 * HOUR, 8.5),
    ]);

    expect(firstDay.open()[0]!.evidence).toEqual(expect.objectContaining({ daysToCap: null, growthDays: null }));
    expect(flat.steps[3]!.findings).toEqual([]);
    expect(flat.open()[0]!.evidence).toEqual(expect.objectContaining({ daysToCap: null, growthDays: null }));
  });

  it('forgets the sizes of a database no longer reported once they leave the window', () => {
    const other = (at: number) => beatAt('ucx.database', at, { name: 'Archive', sizeBytes: GIB });
    const run = runRule(rule, [express(T0), db(T0 + HOUR, 1), other(T0 + 20 * DAY)]);

    expect(Object.keys(run.state?.memory['db-express-cap']?.series ?? {})).toEqual(['db:Archive']);
  });
});

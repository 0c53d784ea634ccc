import { rule } from '#lambdas/core/rules/catalogue/sql-end-of-support';
import { beatAt, DAY, HOUR, runRule } from '#test/support/rules-harness';

const sql = (at: number, version: string) => beatAt('ucx.database_server', at, { version });
const END_2016 = Date.parse('2026-07-14T00:00:00Z'); // SQL Server 2016, end of extended support

describe('sql-end-of-support', () => {
  it('warns 180 days before the end of extended support and not a day earlier', () => {
    const at = runRule(rule, [sql(END_2016 - 179 * DAY - HOUR, '13.0.5026.0')]);
    const before = runRule(rule, [sql(END_2016 - 181 * DAY, '13.0.5026.0')]);

    expect(at.open()).toEqual([
      expect.objectContaining({
        subject: 'installation',
        severity: 'warning',
        evidence: expect.objectContaining({ product: 'SQL Server 2016', daysLeft: 179 }),
      }),
    ]);
    expect(before.open()).toHaveLength(0);
  });

  it('escalates to critical past the end and resolves after two beats on a supported version', () => {
    const run = runRule(rule, [
      sql(END_2016 - DAY, '13.0.5026.0'),
      sql(END_2016 + DAY, '13.0.5026.0'),
      sql(END_2016 + 2 * DAY, '16.0.1000.6'),
      sql(END_2016 + 3 * DAY, '16.0.1000.6'),
    ]);

    expect(run.changes().map((c) => `${c.kind}:${c.severity}`)).toEqual([
      'opened:warning',
      'escalated:critical',
      'resolved:critical',
    ]);
    expect(run.steps[2]!.changes).toEqual([]); // one clear beat is not enough (M = 2)
  });

  it('knows SQL Server 2014 as past its end and 2025 as supported', () => {
    const run = runRule(rule, [sql(END_2016, '12.0.6024.0')]);
    const sql2025 = runRule(rule, [sql(END_2016, '17.0.1000.7')]);

    expect(run.open()).toEqual([expect.objectContaining({ severity: 'critical' })]);
    expect(sql2025.open()).toHaveLength(0);
  });

  it('takes a per-account lifecycle table', () => {
    const run = runRule(rule, [sql(END_2016, '16.0.1000.6')], {
      overrides: {
        'sql-end-of-support': { lifecycle: [{ name: 'SQL Server 2022', major: 16, endOfSupport: '2026-01-01' }] },
      },
    });

    expect(run.open()).toEqual([expect.objectContaining({ severity: 'critical' })]);
  });
});

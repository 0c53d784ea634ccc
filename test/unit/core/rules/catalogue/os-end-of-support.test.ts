import { rule } from '#lambdas/core/rules/catalogue/os-end-of-support';
import { beatAt, DAY, HOUR, runRule } from '#test/support/rules-harness';

const os = (at: number, version: string) => beatAt('software.os', at, { version });
const END_2016 = Date.parse('2027-01-12T00:00:00Z'); // Windows Server 2016, end of extended support

describe('os-end-of-support', () => {
  it('warns 180 days before the end of extended support and not a day earlier', () => {
    const at = runRule(rule, [os(END_2016 - 179 * DAY - HOUR, '10.0.14393')]);
    const before = runRule(rule, [os(END_2016 - 181 * DAY, '10.0.14393')]);

    expect(at.open()).toEqual([
      expect.objectContaining({
        subject: 'installation',
        severity: 'warning',
        evidence: expect.objectContaining({ product: 'Windows Server 2016', endOfSupport: '2027-01-12' }),
      }),
    ]);
    expect(before.open()).toHaveLength(0);
  });

  it('is critical past the end, judged at the beat time, and resolves after two beats on a supported version', () => {
    const run = runRule(rule, [
      os(Date.parse('2024-01-01T00:00:00Z'), '6.3.9600'),
      os(Date.parse('2024-01-02T00:00:00Z'), '10.0.20348'),
      os(Date.parse('2024-01-03T00:00:00Z'), '10.0.20348'),
    ]);

    expect(run.changes().map((c) => `${c.kind}:${c.severity}`)).toEqual(['opened:critical', 'resolved:critical']);
    expect(run.steps[1]!.changes).toEqual([]); // one clear beat is not enough (M = 2)
  });

  it('matches whole version components and leaves unknown versions alone', () => {
    const run = runRule(rule, [os(END_2016, '10.0.143930'), os(END_2016 + HOUR, '11.0.1')]);

    expect(run.changes()).toEqual([]);
  });

  it('takes a per-account lifecycle table and warning window', () => {
    const run = runRule(rule, [os(END_2016 - 300 * DAY, '10.0.14393')], {
      overrides: { 'os-end-of-support': { warnDays: 365 } },
    });

    expect(run.open()).toEqual([expect.objectContaining({ severity: 'warning' })]);
  });
});

import { rule } from '#lambdas/core/rules/catalogue/disk-footprint';
import { beatAt, HOUR, runRule, T0 } from '#test/support/rules-harness';

const GIB = 1024 ** 3;
const disk = (at: number, ...gib: number[]) =>
  beatAt('hardware.disks', at, { disks: gib.map((g) => ({ model: 'Virtual disk', sizeBytes: g * GIB })) });
const suite = (at: number, gib: number) => beatAt('ucx.suite', at, { installFolderBytes: Math.round(gib * GIB) });
const db = (at: number, name: string, gib: number) =>
  beatAt('ucx.database', at, { name, sizeBytes: Math.round(gib * GIB) });

describe('disk-footprint', () => {
  it('opens a warning when folder plus databases reach 70 % of the disk, and stays quiet just below', () => {
    const at = runRule(rule, [
      disk(T0, 100),
      suite(T0 + HOUR, 20),
      db(T0 + 2 * HOUR, 'UCX', 40),
      db(T0 + 3 * HOUR, 'UCX_Log', 10),
    ]);
    const below = runRule(rule, [
      disk(T0, 100),
      suite(T0 + HOUR, 20),
      db(T0 + 2 * HOUR, 'UCX', 40),
      db(T0 + 3 * HOUR, 'UCX_Log', 9.9),
    ]);

    expect(at.steps[3]!.changes).toEqual([
      { kind: 'opened', subject: 'installation', severity: 'warning', ruleId: 'disk-footprint' },
    ]);
    expect(at.open()[0]!.evidence).toEqual({
      suiteBytes: 20 * GIB,
      databaseBytes: 50 * GIB,
      diskBytes: 100 * GIB,
      percent: 70,
    });
    expect(below.open()).toHaveLength(0);
  });

  it('escalates to critical at 85 % and resolves after two clear beats', () => {
    const run = runRule(rule, [
      disk(T0, 100),
      suite(T0 + HOUR, 20),
      db(T0 + 2 * HOUR, 'UCX', 55),
      db(T0 + 3 * HOUR, 'UCX', 65),
      disk(T0 + 4 * HOUR, 200),
      suite(T0 + 5 * HOUR, 5),
    ]);

    expect(run.changes().map((c) => `${c.kind}:${c.severity}`)).toEqual([
      'opened:warning',
      'escalated:critical',
      'resolved:critical',
    ]);
    expect(run.steps[4]!.changes).toEqual([]); // one clear beat is not enough
  });

  it('takes the first disk as the system disk, and a database not reported for 3 days stops counting', () => {
    const firstDisk = runRule(rule, [disk(T0, 100, 2_000), suite(T0, 10), db(T0, 'UCX', 76)]);
    const stale = runRule(rule, [
      disk(T0, 100),
      suite(T0, 10),
      db(T0, 'UCX_Old', 70),
      suite(T0 + 73 * HOUR, 10),
      suite(T0 + 74 * HOUR, 10),
    ]);

    expect(firstDisk.open()).toEqual([expect.objectContaining({ severity: 'critical' })]);
    expect(stale.steps[2]!.changes).toEqual([expect.objectContaining({ kind: 'opened' })]);
    expect(stale.steps[4]!.findings[0]!.history.at(-1)).toEqual(
      expect.objectContaining({ event: 'resolved', evidence: expect.objectContaining({ databaseBytes: 0 }) }),
    );
  });

  it('takes per-account thresholds and disk choice', () => {
    const run = runRule(rule, [disk(T0, 100, 2_000), suite(T0, 10), db(T0, 'UCX', 70)], {
      overrides: { 'disk-footprint': { systemDisk: 'largest', warnRatio: 0.04 } },
    });

    expect(run.open()).toEqual([expect.objectContaining({ severity: 'warning' })]);
  });
});

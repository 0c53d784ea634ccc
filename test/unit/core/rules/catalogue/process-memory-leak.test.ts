import { rule } from '#lambdas/core/rules/catalogue/process-memory-leak';
import { beatAt, HOUR, runRule, T0 } from '#test/support/rules-harness';

const MIB = 1024 ** 2;
const ATTENDANT = 'UCX.Attendant.Service.exe';
const running = (at: number, pid: number, memoryBytes: number) =>
  beatAt('processes.running', at, {
    processes: [
      { pid, name: ATTENDANT, memoryBytes, handleCount: 800, threadCount: 40, cpuPercent: 2 },
      {
        pid: 2_344,
        name: 'sqlservr.exe',
        memoryBytes: memoryBytes * 4,
        handleCount: 1_200,
        threadCount: 96,
        cpuPercent: 7,
      },
    ],
  });
/** one beat per listed hour, memory = base + perHour MiB × hours since the first */
const growing = (hours: readonly number[], mibPerHour: number, pid = 5_120, base = 256 * MIB) =>
  hours.map((h) => running(T0 + h * HOUR, pid, base + Math.round(mibPerHour * MIB * (h - hours[0]!))));
const HOURLY = [0, 1, 2, 3, 4, 5];

describe('process-memory-leak', () => {
  it('opens a warning after 6 beats growing 10 MiB per hour and stays quiet just below', () => {
    const at = runRule(rule, growing(HOURLY, 10));
    const below = runRule(rule, growing(HOURLY, 9.9));

    expect(at.steps[4]!.changes).toEqual([]);
    expect(at.steps[5]!.changes).toEqual([
      { kind: 'opened', subject: ATTENDANT, severity: 'warning', ruleId: 'process-memory-leak' },
    ]);
    expect(below.open()).toHaveLength(0);
  });

  it('leaves sqlservr.exe alone by default (SQL Server grows its buffer pool by design)', () => {
    const run = runRule(rule, growing(HOURLY, 100));

    expect(run.open().map((f) => f.subject)).toEqual([ATTENDANT]);
  });

  it('resolves after two clear beats, not one', () => {
    const run = runRule(rule, [
      ...growing(HOURLY, 20),
      running(T0 + 6 * HOUR, 5_120, 200 * MIB),
      running(T0 + 7 * HOUR, 5_120, 201 * MIB),
    ]);

    expect(run.steps[6]!.changes).toEqual([]);
    expect(run.steps[7]!.changes).toEqual([expect.objectContaining({ kind: 'resolved', subject: ATTENDANT })]);
  });

  it('survives a pid change: the restart clears the finding, and a leak on the new pid relapses into the same one', () => {
    const run = runRule(rule, [...growing(HOURLY, 20), ...growing([6, 7, 8, 9, 10, 11], 20, 6_000)]);

    expect(run.changes().map((c) => c.kind)).toEqual(['opened', 'resolved', 'reopened']);
    expect(run.steps[7]!.changes).toEqual([expect.objectContaining({ kind: 'resolved', subject: ATTENDANT })]);
    expect(run.steps[11]!.changes).toEqual([expect.objectContaining({ kind: 'reopened', subject: ATTENDANT })]);
    expect(new Set(run.steps.flatMap((s) => s.findings.map((f) => f.findingId))).size).toBe(1);
  });

  it('weighs sparse beats by their times', () => {
    const sparse = runRule(rule, growing([0, 2, 3, 9, 10, 24], 12));
    const slowOverAWeekend = runRule(
      rule,
      [0, 1, 2, 3, 4, 60].map((h, i) => running(T0 + h * HOUR, 5_120, 256 * MIB + i * 12 * MIB)),
    );

    expect(sparse.open()).toEqual([expect.objectContaining({ subject: ATTENDANT })]);
    expect(slowOverAWeekend.open()).toHaveLength(0);
  });

  it('takes per-account thresholds', () => {
    const run = runRule(rule, growing(HOURLY, 20), {
      overrides: { 'process-memory-leak': { minRatePerHour: 50 * MIB } },
    });

    expect(run.open()).toHaveLength(0);
  });
});

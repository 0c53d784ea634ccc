import { rule } from '#lambdas/core/rules/catalogue/process-thread-leak';
import { beatAt, HOUR, runRule, T0 } from '#test/support/rules-harness';

const GATEWAY = 'Imagicle.Gateway.exe';
const running = (at: number, pid: number, threadCount: number) =>
  beatAt('processes.running', at, {
    processes: [
      {
        pid: 4,
        name: 'System',
        memoryBytes: 143_360,
        handleCount: 3_120,
        threadCount: 180 + threadCount,
        cpuPercent: 0.4,
      },
      { pid, name: GATEWAY, memoryBytes: 268_435_456, handleCount: 800, threadCount, cpuPercent: 2 },
    ],
  });
/** one beat per listed hour, threads = base + perHour × hours since the first */
const growing = (hours: readonly number[], perHour: number, pid = 700, base = 40) =>
  hours.map((h) => running(T0 + h * HOUR, pid, base + Math.round(perHour * (h - hours[0]!))));
const HOURLY = [0, 1, 2, 3, 4, 5];

describe('process-thread-leak', () => {
  it('opens a warning after 6 beats growing 5 threads per hour and stays quiet just below', () => {
    const at = runRule(rule, growing(HOURLY, 5));
    const below = runRule(rule, growing([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 4));

    expect(at.steps[5]!.changes).toEqual([
      { kind: 'opened', subject: GATEWAY, severity: 'warning', ruleId: 'process-thread-leak' },
    ]);
    expect(below.open()).toHaveLength(0); // System grows faster, but it is not the suite's
  });

  it('resolves after two clear beats, not one', () => {
    const run = runRule(rule, [
      ...growing(HOURLY, 10),
      running(T0 + 6 * HOUR, 700, 60),
      running(T0 + 7 * HOUR, 700, 61),
    ]);

    expect(run.steps[6]!.changes).toEqual([]);
    expect(run.steps[7]!.changes).toEqual([expect.objectContaining({ kind: 'resolved', subject: GATEWAY })]);
  });

  it('survives a pid change and sparse beats: the new pid needs its own 6 beats', () => {
    const run = runRule(rule, [...growing(HOURLY, 10), ...growing([8, 20, 21, 30, 31], 10, 900)]);

    expect(run.changes().map((c) => c.kind)).toEqual(['opened', 'resolved']);
    expect(run.open()).toHaveLength(0);
  });

  it('takes per-account thresholds', () => {
    const run = runRule(rule, growing([0, 1, 2, 3], 10), { overrides: { 'process-thread-leak': { minBeats: 4 } } });

    expect(run.open()).toEqual([expect.objectContaining({ subject: GATEWAY })]);
  });
});

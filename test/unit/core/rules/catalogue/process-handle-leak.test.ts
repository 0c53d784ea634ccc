import { rule } from '#lambdas/core/rules/catalogue/process-handle-leak';
import { beatAt, HOUR, runRule, T0 } from '#test/support/rules-harness';

const CORE = 'UCX.Core.exe';
const proc = (name: string, pid: number, handleCount: number) => ({
  pid,
  name,
  memoryBytes: 268_435_456,
  handleCount,
  threadCount: 40,
  cpuPercent: 1,
});
const running = (at: number, ...processes: ReturnType<typeof proc>[]) => beatAt('processes.running', at, { processes });
/** one beat per listed hour, handles = base + perHour × hours since the first */
const growing = (hours: readonly number[], perHour: number, pid = 100, base = 1_000) =>
  hours.map((h) => running(T0 + h * HOUR, proc(CORE, pid, base + Math.round(perHour * (h - hours[0]!)))));
const HOURLY = [0, 1, 2, 3, 4, 5];

describe('process-handle-leak', () => {
  it('opens a warning after 6 beats of growth at 20 handles per hour and stays quiet just below', () => {
    const at = runRule(rule, growing(HOURLY, 20));
    const below = runRule(rule, growing(HOURLY, 19));
    const tooFewBeats = runRule(rule, growing([0, 1, 2, 3, 4], 200));

    expect(at.steps[4]!.changes).toEqual([]);
    expect(at.steps[5]!.changes).toEqual([
      { kind: 'opened', subject: CORE, severity: 'warning', ruleId: 'process-handle-leak' },
    ]);
    expect(at.open()[0]!.evidence).toEqual(
      expect.objectContaining({ pid: 100, beats: 6, from: 1_000, to: 1_100, perHour: 20 }),
    );
    expect(below.open()).toHaveLength(0);
    expect(tooFewBeats.open()).toHaveLength(0);
  });

  it('needs monotonic growth: one dip keeps it quiet', () => {
    const steps = growing(HOURLY, 50);
    steps[3] = running(T0 + 3 * HOUR, proc(CORE, 100, 1_050)); // below the 1_100 of hour 2

    const run = runRule(rule, steps);

    expect(run.open()).toHaveLength(0);
  });

  it('resolves after two clear beats, not one', () => {
    const run = runRule(rule, [
      ...growing(HOURLY, 50),
      running(T0 + 6 * HOUR, proc(CORE, 100, 900)),
      running(T0 + 7 * HOUR, proc(CORE, 100, 905)),
    ]);

    expect(run.steps[6]!.changes).toEqual([]);
    expect(run.steps[7]!.changes).toEqual([expect.objectContaining({ kind: 'resolved', subject: CORE })]);
    expect(run.open()).toHaveLength(0);
  });

  it('keys the finding by name: a restart under a new pid resets the series and resolves the same finding', () => {
    const run = runRule(rule, [
      ...growing(HOURLY, 50),
      ...growing([6, 7, 8, 9, 10], 50, 200, 500), // the new pid grows too, but has only 5 beats
    ]);

    expect(run.changes().map((c) => `${c.kind}:${c.subject}`)).toEqual([`opened:${CORE}`, `resolved:${CORE}`]);
    expect(run.steps[7]!.changes).toEqual([expect.objectContaining({ kind: 'resolved' })]);
    const memory = run.state!.memory['process-handle-leak']!;
    expect(memory.series[`s:${CORE}`]!.map((p) => p.v)).toEqual([500, 550, 600, 650, 700]);
    expect(memory.facts['tracked']).toEqual({ names: [CORE], pids: [200] });
  });

  it('keeps the series of the remembered pid when a second instance of the name appears', () => {
    const steps = growing(HOURLY, 50).map((step, i) =>
      running(
        T0 + i * HOUR,
        ...(step.beat.data as { processes: ReturnType<typeof proc>[] }).processes,
        proc(CORE, 300, 10),
      ),
    );

    const run = runRule(rule, steps);

    expect(run.open()).toEqual([expect.objectContaining({ subject: CORE, severity: 'warning' })]);
  });

  it('uses the beat times for the slope when beats are sparse or irregular', () => {
    const irregularButSteep = runRule(rule, growing([0, 1, 5, 6, 20, 21], 30));
    const sameStepsAfterALongGap = runRule(
      rule,
      [0, 1, 2, 3, 4, 30].map((h, i) => running(T0 + h * HOUR, proc(CORE, 100, 1_000 + 30 * i))),
    );

    expect(irregularButSteep.open()).toEqual([expect.objectContaining({ subject: CORE })]);
    expect(sameStepsAfterALongGap.open()).toHaveLength(0);
  });

  it('clears and forgets a process that is gone, and ignores processes outside the suite', () => {
    const run = runRule(rule, [
      ...HOURLY.map((h) => running(T0 + h * HOUR, proc(CORE, 100, 1_000 + 50 * h), proc('System', 4, 1_000 + 900 * h))),
      running(T0 + 6 * HOUR, proc('System', 4, 9_000)),
      running(T0 + 7 * HOUR, proc('System', 4, 9_500)),
    ]);

    expect(run.changes().map((c) => `${c.kind}:${c.subject}`)).toEqual([`opened:${CORE}`, `resolved:${CORE}`]);
    expect(run.steps[6]!.changes).toEqual([]);
    expect(run.state!.memory['process-handle-leak']).toEqual({
      series: {},
      facts: { tracked: { names: [], pids: [] }, subjects: { p: [] } },
    });
  });

  describe('at one beat a minute (the agent collects every minute)', () => {
    const MINUTE = 60_000;
    const everyMinute = (values: readonly number[], pid = 100) =>
      values.map((v, m) => running(T0 + m * MINUTE, proc(CORE, pid, v)));

    it('does not take six minutes of noise for a leak: the growth must last an hour', () => {
      // Arrange: a steady process whose count wobbles up by a few handles for six minutes
      const noise = everyMinute([500, 500, 501, 503, 503, 505, 505]);

      // Act
      const run = runRule(rule, noise);

      // Assert
      expect(run.open()).toHaveLength(0);
    });

    it('opens on a leak that grows minute after minute for an hour, its state bounded to 6 samples and a tail', () => {
      // Arrange: one handle a minute (60 an hour) for 70 minutes
      const leak = everyMinute(Array.from({ length: 71 }, (_, m) => 1_000 + m));

      // Act
      const run = runRule(rule, leak);

      // Assert: not before an hour of growth, then once
      const openedAt = run.steps.findIndex((s) => s.changes.some((c) => c.kind === 'opened'));
      expect(openedAt).toBeGreaterThanOrEqual(60);
      expect(run.open()).toEqual([expect.objectContaining({ subject: CORE, severity: 'warning' })]);
      expect(run.open()[0]!.evidence).toEqual(expect.objectContaining({ beats: 6, hours: 1, perHour: 60 }));
      expect(run.state!.memory['process-handle-leak']!.series[`s:${CORE}`]!.length).toBeLessThanOrEqual(7);
    });

    it('starts again on a dip between two samples', () => {
      // Arrange: the same leak with one minute's dip at minute 40
      const values = Array.from({ length: 71 }, (_, m) => 1_000 + m);
      values[40] = 1_020;

      // Act
      const run = runRule(rule, everyMinute(values));

      // Assert: only 30 minutes of growth since the dip
      expect(run.open()).toHaveLength(0);
    });
  });

  it('takes per-account thresholds', () => {
    const run = runRule(rule, growing(HOURLY, 12), { overrides: { 'process-handle-leak': { minRatePerHour: 10 } } });

    expect(run.open()).toEqual([expect.objectContaining({ severity: 'warning' })]);
  });
});

import { rule } from '#lambdas/core/rules/catalogue/process-cpu-sustained';
import { beatAt, runRule, T0 } from '#test/support/rules-harness';

const MINUTE = 60_000;
const CORE = 'UCX.Core.exe';
const proc = (name: string, pid: number, cpuPercent: number) => ({
  pid,
  name,
  memoryBytes: 268_435_456,
  handleCount: 800,
  threadCount: 40,
  cpuPercent,
});
const running = (minute: number, ...processes: ReturnType<typeof proc>[]) =>
  beatAt('processes.running', T0 + minute * MINUTE, { processes });
const beats = (cpu: readonly number[], name = CORE) => cpu.map((c, i) => running(i, proc(name, 100, c)));

describe('process-cpu-sustained', () => {
  it('opens a warning on the 5th consecutive beat above 90 % and stays quiet at 90 %', () => {
    const above = runRule(rule, beats([90.5, 95, 99, 91, 92]));
    const at90 = runRule(rule, beats([90, 90, 90, 90, 90, 90]));

    expect(above.steps[3]!.changes).toEqual([]);
    expect(above.steps[4]!.changes).toEqual([
      { kind: 'opened', subject: CORE, severity: 'warning', ruleId: 'process-cpu-sustained' },
    ]);
    expect(above.open()[0]!.evidence).toEqual({ pid: 100, cpuPercent: 92, abovePercent: 90 });
    expect(at90.open()).toHaveLength(0);
  });

  it('needs the 5 beats in a row', () => {
    const run = runRule(rule, beats([95, 95, 95, 95, 20, 95, 95, 95, 95]));

    expect(run.open()).toHaveLength(0);
  });

  it('resolves after two clear beats, not one', () => {
    const run = runRule(rule, beats([95, 95, 95, 95, 95, 10, 10]));

    expect(run.steps[5]!.changes).toEqual([]);
    expect(run.steps[6]!.changes).toEqual([expect.objectContaining({ kind: 'resolved', subject: CORE })]);
  });

  it('watches sqlservr.exe, ignores processes outside the suite, and clears a process that is gone', () => {
    const pegged = [0, 1, 2, 3, 4].map((m) => running(m, proc('sqlservr.exe', 2_344, 97), proc('System', 4, 99)));
    const run = runRule(rule, [...pegged, running(5, proc('System', 4, 99)), running(6, proc('System', 4, 99))]);

    expect(run.changes().map((c) => `${c.kind}:${c.subject}`)).toEqual([
      'opened:sqlservr.exe',
      'resolved:sqlservr.exe',
    ]);
    expect(run.steps[5]!.changes).toEqual([]);
  });

  it('judges a name by its busiest instance', () => {
    const run = runRule(
      rule,
      [0, 1, 2, 3, 4].map((m) => running(m, proc(CORE, 100, 3), proc(CORE, 101, 96))),
    );

    expect(run.open()).toEqual([
      expect.objectContaining({ subject: CORE, evidence: { pid: 101, cpuPercent: 96, abovePercent: 90 } }),
    ]);
  });

  it('takes per-account thresholds', () => {
    const run = runRule(rule, beats([85, 85, 85, 85, 85]), {
      overrides: { 'process-cpu-sustained': { cpuPercentAbove: 80 } },
    });

    expect(run.open()).toEqual([expect.objectContaining({ subject: CORE })]);
  });
});

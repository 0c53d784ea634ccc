import { rule } from '#lambdas/core/rules/catalogue/service-stopped';
import { beatAt, HOUR, runRule, T0 } from '#test/support/rules-harness';

type StartMode = 'auto' | 'auto_delayed' | 'manual' | 'disabled';
const modes = (at: number, services: Record<string, StartMode>) =>
  beatAt('software.windows_services', at, {
    services: Object.entries(services).map(([name, startMode]) => ({
      name,
      startMode,
      startIdentity: 'LocalSystem',
      exePath: `C:\\Program Files\\UCX\\${name}.exe`,
    })),
  });
const statuses = (at: number, services: Record<string, string>) =>
  beatAt('processes.windows_services', at, {
    services: Object.entries(services).map(([name, status]) => ({
      pid: status === 'Running' ? 1_000 : null,
      name,
      status,
    })),
  });
const SUITE = { UcxCore: 'auto', UcxScheduler: 'auto_delayed', Spooler: 'auto' } as const;
const stopped = (hour: number) =>
  statuses(T0 + hour * HOUR, { UcxCore: 'Stopped', UcxScheduler: 'Stopped', Spooler: 'Stopped' });
const runningAt = (hour: number) => statuses(T0 + hour * HOUR, { UcxCore: 'Running', UcxScheduler: 'Running' });

describe('service-stopped', () => {
  it('opens a warning on the 3rd consecutive beat an Automatic suite service is not running, not the 2nd', () => {
    const run = runRule(rule, [modes(T0, SUITE), stopped(1), stopped(2), stopped(3)]);

    expect(run.steps[2]!.changes).toEqual([]);
    expect(run.steps[3]!.changes).toEqual([
      { kind: 'opened', subject: 'UcxCore', severity: 'warning', ruleId: 'service-stopped' },
    ]);
    expect(run.open()[0]!.evidence).toEqual({ status: 'Stopped' });
  });

  it('exempts delayed start and services outside the suite, and waits for the start modes', () => {
    const run = runRule(rule, [modes(T0, SUITE), stopped(1), stopped(2), stopped(3), stopped(4)]);
    const noModesYet = runRule(rule, [stopped(1), stopped(2), stopped(3)]);

    expect(run.open().map((f) => f.subject)).toEqual(['UcxCore']);
    expect(noModesYet.open()).toHaveLength(0);
  });

  it('a beat of running in between restarts the count', () => {
    const run = runRule(rule, [modes(T0, SUITE), stopped(1), stopped(2), runningAt(3), stopped(4), stopped(5)]);

    expect(run.open()).toHaveLength(0);
  });

  it('resolves after two running beats, not one', () => {
    const run = runRule(rule, [modes(T0, SUITE), stopped(1), stopped(2), stopped(3), runningAt(4), runningAt(5)]);

    expect(run.steps[4]!.changes).toEqual([]);
    expect(run.steps[5]!.changes).toEqual([expect.objectContaining({ kind: 'resolved', subject: 'UcxCore' })]);
  });

  it('resolves a service switched to Manual start, and forgets it', () => {
    const run = runRule(rule, [
      modes(T0, SUITE),
      stopped(1),
      stopped(2),
      stopped(3),
      modes(T0 + 4 * HOUR, { ...SUITE, UcxCore: 'manual' }),
      stopped(5),
      stopped(6),
      stopped(7),
    ]);

    expect(run.steps[5]!.changes).toEqual([]);
    expect(run.steps[6]!.changes).toEqual([expect.objectContaining({ kind: 'resolved', subject: 'UcxCore' })]);
    expect(run.state!.memory['service-stopped']!.facts).toEqual({ automatic: [], subjects: { p: [] } });
  });

  it('takes per-account service patterns', () => {
    const run = runRule(rule, [modes(T0, SUITE), stopped(1), stopped(2), stopped(3)], {
      overrides: { 'service-stopped': { servicePattern: '^Spooler$', severity: 'critical' } },
    });

    expect(run.open()).toEqual([expect.objectContaining({ subject: 'Spooler', severity: 'critical' })]);
  });
});

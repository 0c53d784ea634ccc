import { rule } from '#lambdas/core/rules/catalogue/telemetry-silent';
import { beatAt, HOUR, licenceFacts, runRule, T0, tickAt } from '#test/support/rules-harness';

const beat = (at: number) => beatAt('ucx.ivr', at, { activeCalls: 1 });

describe('telemetry-silent', () => {
  it('opens a warning 3 hours after the last beat, and stays quiet just before', () => {
    const at = runRule(rule, [beat(T0), tickAt(T0 + 3 * HOUR)]);
    const before = runRule(rule, [beat(T0), tickAt(T0 + 3 * HOUR - 60_000)]);

    expect(at.steps[1]!.changes).toEqual([
      { kind: 'opened', subject: 'installation', severity: 'warning', ruleId: 'telemetry-silent' },
    ]);
    expect(at.open()[0]!.evidence).toEqual({ lastBeatAt: new Date(T0).toISOString(), silentHours: 3 });
    expect(before.open()).toHaveLength(0);
  });

  it('escalates to critical at 24 hours', () => {
    const run = runRule(rule, [beat(T0), tickAt(T0 + 4 * HOUR), tickAt(T0 + 24 * HOUR)]);

    expect(run.changes().map((c) => `${c.kind}:${c.severity}`)).toEqual(['opened:warning', 'escalated:critical']);
  });

  it('resolves after two clear evaluations once beats come back, not one', () => {
    const run = runRule(rule, [beat(T0), tickAt(T0 + 5 * HOUR), beat(T0 + 6 * HOUR), tickAt(T0 + 6 * HOUR + 60_000)]);

    expect(run.steps[2]!.changes).toEqual([]);
    expect(run.steps[3]!.changes).toEqual([expect.objectContaining({ kind: 'resolved' })]);
  });

  it('says nothing for an installation that never sent a beat or has telemetry switched off', () => {
    const never = runRule(rule, [tickAt(T0 + 48 * HOUR)]);
    const off = runRule(rule, [beat(T0), tickAt(T0 + 48 * HOUR)], {
      licence: licenceFacts({ telemetryEnabled: false }),
    });

    expect(never.open()).toHaveLength(0);
    expect(off.open()).toHaveLength(0);
  });

  it('takes per-account thresholds', () => {
    const run = runRule(rule, [beat(T0), tickAt(T0 + 2 * HOUR)], {
      overrides: { 'telemetry-silent': { warnHours: 1 } },
    });

    expect(run.open()).toEqual([expect.objectContaining({ severity: 'warning' })]);
  });
});

import { applySignal } from '#lambdas/core/rules/lifecycle';
import { COUNTER, STATE_FACT, type Hysteresis, type Severity } from '#lambdas/core/rules/rule';
import type { Tracker } from '#lambdas/core/rules/state';

const context = (minute: number) => ({
  installationId: 'inst_lifecycle00001',
  ruleId: 'usage-over-licence',
  at: new Date(Date.UTC(2026, 11, 7, 9, minute)).toISOString(),
});

/** Feeds one signal a minute from `tracker` and returns each change as `kind:severity`, the last tracker with it. */
function feed(severities: (Severity | null)[], hysteresis: Hysteresis, tracker?: Tracker) {
  const changes: string[] = [];
  severities.forEach((severity, minute) => {
    const out = applySignal(tracker, { subject: 'ivr', severity, evidence: { minute } }, hysteresis, context(minute));
    tracker = out.tracker;
    if (out.change) changes.push(`${out.change.kind}:${out.change.finding.severity}`);
  });
  return { changes, tracker };
}

describe('finding lifecycle', () => {
  it('opens after N hits and resolves after M clears', () => {
    expect(feed(['warning', 'warning', 'warning', null, null], COUNTER).changes).toEqual([
      'opened:warning',
      'resolved:warning',
    ]);
  });

  it('does not page twice for a counter flapping across a threshold: it escalates only once the higher severity holds N beats', () => {
    const open = feed(['warning', 'warning', 'warning'], COUNTER).tracker;
    const flapping = feed(['critical', 'warning', 'critical', 'warning', 'critical', 'warning'], COUNTER, open);
    const held = feed(['critical', 'critical', 'critical'], COUNTER, flapping.tracker);

    expect(flapping.changes).toEqual([]);
    expect(held.changes).toEqual(['escalated:critical']);
    expect(held.tracker?.shift).toBeUndefined();
  });

  it('falls back only after M beats at a lower severity, even for a state fact that rises at once', () => {
    const open = feed(['warning', 'critical'], STATE_FACT);
    const flapping = feed(['warning', 'critical', 'warning', 'critical'], STATE_FACT, open.tracker);
    const lower = feed(['warning', 'warning'], STATE_FACT, flapping.tracker);

    expect(open.changes).toEqual(['opened:warning', 'escalated:critical']);
    expect(flapping.changes).toEqual([]);
    expect(lower.changes).toEqual(['deescalated:warning']);
  });

  it('moves to the severity the whole run held, not the last beat of it', () => {
    const info = feed(['info', 'info', 'info'], COUNTER).tracker;
    const critical = feed(['critical', 'critical', 'critical'], COUNTER).tracker;

    expect(feed(['critical', 'warning', 'critical'], COUNTER, info).changes).toEqual(['escalated:warning']);
    expect(feed(['warning', 'info'], COUNTER, critical).changes).toEqual(['deescalated:warning']);
  });

  it('starts the count again after a beat at the finding severity or a clear one', () => {
    const open = feed(['warning', 'warning', 'warning'], COUNTER).tracker;
    const interrupted = feed(
      ['critical', 'critical', 'warning', 'critical', 'critical', null, 'critical'],
      COUNTER,
      open,
    );

    expect(interrupted.changes).toEqual([]);
    expect(interrupted.tracker?.shift).toEqual({ severity: 'critical', count: 1 });
  });
});

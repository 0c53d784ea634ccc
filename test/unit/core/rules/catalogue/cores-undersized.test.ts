import { rule } from '#lambdas/core/rules/catalogue/cores-undersized';
import { beatAt, HOUR, licenceFacts, runRule, T0 } from '#test/support/rules-harness';

const cpus = (at: number, ...cores: number[]) =>
  beatAt('hardware.processors', at, {
    processors: cores.map((c) => ({ name: 'Xeon', manufacturer: 'GenuineIntel', bitness: 64 as const, cores: c })),
  });
const voip = (at: number, cucmUsers: number, cucmDevices = 0) => beatAt('ucx.voip', at, { cucmUsers, cucmDevices });
// the harness licence: attendant-console (0), call-recording (2), ivr (1) on top of the tier
const licence = licenceFacts();

describe('cores-undersized', () => {
  it('warns below the guide (4 cores up to 5,000 users, plus 3 for applications) and not at it', () => {
    const below = runRule(rule, [voip(T0, 1_200), cpus(T0 + HOUR, 6)], { licence });
    const at = runRule(rule, [voip(T0, 1_200), cpus(T0 + HOUR, 4, 3)], { licence }); // sockets add up

    expect(below.open()).toEqual([
      expect.objectContaining({
        subject: 'installation',
        severity: 'warning',
        evidence: expect.objectContaining({ cores: 6, requiredCores: 7 }),
      }),
    ]);
    expect(at.open()).toHaveLength(0);
  });

  it('waits for both figures, turns critical below half and resolves after two clear beats', () => {
    const run = runRule(
      rule,
      [cpus(T0, 2), voip(T0 + HOUR, 20_000), cpus(T0 + 2 * HOUR, 16), voip(T0 + 3 * HOUR, 20_000)],
      { licence },
    );

    expect(run.steps[0]!.changes).toEqual([]);
    expect(run.changes().map((c) => `${c.kind}:${c.severity}`)).toEqual(['opened:critical', 'resolved:critical']);
    expect(run.steps[2]!.changes).toEqual([]); // one clear beat is not enough (M = 2)
  });

  it('takes a per-account sizing guide', () => {
    const run = runRule(rule, [voip(T0, 1_200), cpus(T0 + HOUR, 8)], {
      licence,
      overrides: { 'cores-undersized': { perProductCores: { 'call-recording': 4 } } },
    });

    expect(run.open()).toEqual([expect.objectContaining({ evidence: expect.objectContaining({ requiredCores: 9 }) })]);
  });
});

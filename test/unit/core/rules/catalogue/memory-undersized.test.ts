import { rule } from '#lambdas/core/rules/catalogue/memory-undersized';
import { beatAt, HOUR, licenceFacts, runRule, T0 } from '#test/support/rules-harness';

const GIB = 1024 ** 3;
const memory = (at: number, gib: number) => beatAt('hardware.memory', at, { totalBytes: gib * GIB });
const voip = (at: number, cucmUsers: number, cucmDevices = 0) => beatAt('ucx.voip', at, { cucmUsers, cucmDevices });
// the harness licence: attendant-console (1 GiB), call-recording (2 GiB), ivr (1 GiB) on top of the tier
const licence = licenceFacts();

describe('memory-undersized', () => {
  it('warns below the guide (8 GiB for 1,000+ users, plus 4 GiB of applications) and not at it', () => {
    const below = runRule(rule, [voip(T0, 1_200), memory(T0 + HOUR, 11.5)], { licence });
    const at = runRule(rule, [voip(T0, 1_200), memory(T0 + HOUR, 12)], { licence });

    expect(below.open()).toEqual([
      expect.objectContaining({
        subject: 'installation',
        severity: 'warning',
        evidence: expect.objectContaining({ requiredBytes: 12 * GIB }),
      }),
    ]);
    expect(at.open()).toHaveLength(0);
  });

  it('sizes by the larger of users and devices, counts each licensed application once', () => {
    const byDevices = runRule(rule, [voip(T0, 100, 5_000), memory(T0 + HOUR, 15)], { licence });
    const twoLines = licenceFacts({
      products: [
        { product: 'call-recording', capacity: 5, kind: 'perpetual' },
        { product: 'call-recording', capacity: 5, kind: 'subscription' },
      ],
    });
    const once = runRule(rule, [voip(T0, 100), memory(T0 + HOUR, 8)], { licence: twoLines });

    expect(byDevices.open()).toEqual([expect.objectContaining({ severity: 'warning' })]); // 12 + 4 GiB
    expect(once.open()).toHaveLength(0); // 6 + 2 GiB
  });

  it('waits for both the memory and the load, turns critical below half, falls back after two beats above and resolves after two clear beats', () => {
    const run = runRule(
      rule,
      [
        memory(T0, 4),
        voip(T0 + HOUR, 1_200),
        memory(T0 + 2 * HOUR, 7),
        memory(T0 + 2.5 * HOUR, 7),
        memory(T0 + 3 * HOUR, 16),
        voip(T0 + 4 * HOUR, 1_200),
      ],
      { licence },
    );

    expect(run.steps[0]!.changes).toEqual([]);
    expect(run.changes().map((c) => `${c.kind}:${c.severity}`)).toEqual([
      'opened:critical',
      'deescalated:warning',
      'resolved:warning',
    ]);
    expect(run.steps[2]!.changes).toEqual([]); // one beat at a lower severity is not enough (M = 2)
    expect(run.steps[4]!.changes).toEqual([]); // nor one clear beat
  });

  it('takes a per-account sizing guide', () => {
    const run = runRule(rule, [voip(T0, 1_200), memory(T0 + HOUR, 12)], {
      licence,
      overrides: { 'memory-undersized': { tiers: [{ fromLoad: 0, memoryGiB: 16 }] } },
    });

    expect(run.open()).toEqual([expect.objectContaining({ severity: 'warning' })]);
  });
});

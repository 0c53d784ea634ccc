import { describeSpeed, referenceMs, referenceRound } from '#bench/machine-speed';

describe('the machine-speed reference', () => {
  it('does the same work every run: runs compare only while this digest stands', () => {
    // Changing the workload makes older results.json figures incomparable: change this with a note in the docs.
    expect(referenceRound(3)).toBe(referenceRound(3));
    expect(referenceRound(200)).toBe('a1b19c8b701f4ac245f52c2344ede24a5ec37ebde5967aa7871cfde7d0185089');
  });

  it('times the work in milliseconds', () => {
    const ms = referenceMs(2);
    expect(Number.isFinite(ms)).toBe(true);
    expect(ms).toBeGreaterThan(0);
  });

  it('says when the machine changed speed during the run', () => {
    expect(describeSpeed(80, undefined)).toBe('reference workload 80 ms at the start');
    expect(describeSpeed(80, 90)).toBe('reference workload 80 ms at the start, 90 ms at the end');
    expect(describeSpeed(80, 100)).toMatch(/slowed during the run$/);
    expect(describeSpeed(80, 60)).toMatch(/sped up during the run$/);
  });
});

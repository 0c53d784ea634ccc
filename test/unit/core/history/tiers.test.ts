import type { Point } from '#lambdas/core/history/series';
import { downsample, mergePoints, pointsWithin, tierForRange, tiers, unionBlocks } from '#lambdas/core/history/tiers';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const p = (t: number, avg: number, min = avg, max = avg, n = 1): Point => ({ t, avg, min, max, n });

describe('the tiers', () => {
  it('serve 24 h at 60 s (kept 48 h), 7 d at 900 s (kept 30 d), 90 d at 3600 s (kept 13 months)', () => {
    expect(tierForRange('24h')).toMatchObject({ resolutionSeconds: 60, keepMs: 48 * HOUR, rangeMs: DAY });
    expect(tierForRange('7d')).toMatchObject({ resolutionSeconds: 900, keepMs: 30 * DAY, rangeMs: 7 * DAY });
    expect(tierForRange('90d')).toMatchObject({ resolutionSeconds: 3600, rangeMs: 90 * DAY });
    expect(tiers['90d'].keepMs).toBeGreaterThanOrEqual(395 * DAY);
  });
});

describe('merging points', () => {
  it('min of mins, max of maxes, mean weighted by count', () => {
    expect(mergePoints(0, [p(0, 10, 5, 20, 3), p(60_000, 2, 1, 4, 1)])).toEqual({
      t: 0,
      avg: 8,
      min: 1,
      max: 20,
      n: 4,
    });
  });

  it('downsampling 1-minute points to 15 minutes and then to an hour equals the hour at once', () => {
    const minutes = Array.from({ length: 60 }, (_, i) => p(i * 60_000, i % 7, i % 7, i % 7, 1 + (i % 3)));
    const quarters = downsample(minutes, 900_000);

    expect(quarters.map((q) => q.t)).toEqual([0, 900_000, 1_800_000, 2_700_000]);
    expect(quarters[0]).toMatchObject({ min: 0, max: 6, n: 15 + 5 + 5 + 5 });
    const viaQuarters = downsample(quarters, HOUR)[0]!;
    const direct = downsample(minutes, HOUR)[0]!;
    expect(viaQuarters.n).toBe(direct.n);
    expect(viaQuarters.avg).toBeCloseTo(direct.avg, 10);
    expect([viaQuarters.min, viaQuarters.max]).toEqual([0, 6]);
    const weighted = minutes.reduce((s, m) => s + m.avg * m.n, 0) / minutes.reduce((s, m) => s + m.n, 0);
    expect(direct.avg).toBeCloseTo(weighted, 10);
  });

  it('a point stored in two blocks (a batch sent again) counts once', () => {
    const one = new Map([['k', [p(0, 1), p(60_000, 2)]]]);
    const again = new Map([['k', [p(60_000, 2), p(120_000, 3)]]]);

    expect(
      unionBlocks([one, again])
        .get('k')!
        .map((x) => x.t),
    ).toEqual([0, 60_000, 120_000]);
  });

  it('keeps only the points in range that the tier still keeps at now', () => {
    const now = 100 * DAY;
    const series = new Map([['k', [p(now - 49 * HOUR, 1), p(now - 47 * HOUR, 2), p(now - HOUR, 3)]]]);

    expect(
      pointsWithin(series, tiers['24h'], 0, now, now)
        .get('k')!
        .map((x) => x.avg),
    ).toEqual([2, 3]);
    expect(
      pointsWithin(series, tiers['24h'], now - DAY, now, now)
        .get('k')!
        .map((x) => x.avg),
    ).toEqual([3]);
  });
});

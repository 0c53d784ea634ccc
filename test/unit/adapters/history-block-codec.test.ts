import { decodeBlock, encodeBlock } from '#lambdas/adapters/history-block-codec';
import { minutePoints } from '#lambdas/core/history/series';
import { downsampleAll } from '#lambdas/core/history/tiers';
import { beatAt, T0 } from '#test/support/rules-harness';

describe('the history block codec', () => {
  it('gives back the points it was given (percent to 0.1, bytes to 4 significant digits, counts to 5)', () => {
    const beats = Array.from({ length: 15 }, (_, i) =>
      beatAt('processes.running', T0 + i * 60_000, {
        processes: [
          {
            pid: 1,
            name: 'UCX.Server.exe',
            cpuPercent: 3.5 + i,
            memoryBytes: 1_000_000 + i * 1000,
            handleCount: 500 + i,
            threadCount: 1,
          },
        ],
      }),
    ).map((b) => b.beat);
    const minutes = minutePoints(beats);
    expect(decodeBlock(T0, 60_000, encodeBlock(T0, 60_000, minutes))).toEqual(minutes);

    const quarter = downsampleAll(minutes, 900_000);
    expect(decodeBlock(T0, 900_000, encodeBlock(T0, 900_000, quarter))).toEqual(quarter);
  });

  it('writes a gapless series of single samples as its first step and values', () => {
    const series = new Map([
      ['calls:ivr:active', [0, 1, 2].map((i) => ({ t: T0 + i * 60_000, avg: i, min: i, max: i, n: 1 }))],
    ]);
    const gap = new Map([
      ['calls:ivr:active', [series.get('calls:ivr:active')![0]!, series.get('calls:ivr:active')![2]!]],
    ]);
    expect(decodeBlock(T0, 60_000, encodeBlock(T0, 60_000, series))).toEqual(series);
    expect(decodeBlock(T0, 60_000, encodeBlock(T0, 60_000, gap))).toEqual(gap);
  });

  it("writes a day's 1-hour points as columns when that is smaller, and reads them and the rows alike", () => {
    // a day of one sample a minute on two series, one steady (min = max = avg), one that moves
    const beats = Array.from({ length: 24 * 60 }, (_, i) => beatAt('ucx.ivr', T0 + i * 60_000, { activeCalls: 4 })).map(
      (b) => b.beat,
    );
    // an hour's minutes alternate between h and h + 10: its point is avg h + 5, min h, max h + 10
    const moving = Array.from({ length: 24 * 60 }, (_, i) => {
      const v = Math.floor(i / 60) + (i % 2) * 10;
      return { t: T0 + i * 60_000, avg: v, min: v, max: v, n: 1 };
    });
    const minutes = new Map([...minutePoints(beats), ['queue:acd-fifo:length', moving]]);
    const hours = downsampleAll(minutes, 3_600_000);
    // the same points with a gap are rows (format 2)
    const gapped = new Map([...hours].map(([k, points]) => [k, points.filter((_, i) => i !== 5)]));

    const columns = encodeBlock(T0, 3_600_000, hours);
    const rows = encodeBlock(T0, 3_600_000, gapped);

    expect(columns[0]).toBe(3);
    expect(rows[0]).toBe(2);
    expect(decodeBlock(T0, 3_600_000, columns)).toEqual(hours);
    expect(decodeBlock(T0, 3_600_000, rows)).toEqual(gapped);
    expect(columns.length).toBeLessThan(rows.length);
  });

  it('refuses a format it does not know', () => {
    expect(() => decodeBlock(T0, 60_000, Uint8Array.from([9, 0]))).toThrow(/format 9/);
  });
});

describe('the stored precision', () => {
  it('keeps 5 significant digits, at most 3 decimals', async () => {
    const { round } = await import('#lambdas/adapters/history-block-codec');
    expect([round(1_234_567_891), round(12.34567), round(0.0001234), round(4.5), round(0), round(99_999.7)]).toEqual([
      1_234_600_000, 12.346, 0, 4.5, 0, 100_000,
    ]);
  });
});

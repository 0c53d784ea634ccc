import { decodeBlock, encodeBlock } from '#lambdas/adapters/history-block-codec';
import { minutePoints } from '#lambdas/core/history/series';
import { downsampleAll } from '#lambdas/core/history/tiers';
import { beatAt, T0 } from '#test/support/rules-harness';

describe('the history block codec', () => {
  it('gives back the points it was given (avg, min and max to 3 decimals)', () => {
    const beats = Array.from({ length: 15 }, (_, i) =>
      beatAt('processes.running', T0 + i * 60_000, {
        processes: [
          {
            pid: 1,
            name: 'UCX.Server.exe',
            cpuPercent: 3.25 + i,
            memoryBytes: 1_000_000 + i,
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

  it('refuses a format it does not know', () => {
    expect(() => decodeBlock(T0, 60_000, Uint8Array.from([9, 0]))).toThrow(/format 9/);
  });
});

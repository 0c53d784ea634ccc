import { backoffDelayMs, nextPollDelayMs, parseRetryAfter } from '#agent/sdk/schedule';

describe('nextPollDelayMs', () => {
  it('stays within ±20 % of nextPollSeconds', () => {
    // Arrange / Act
    const low = nextPollDelayMs(900, () => 0);
    const high = nextPollDelayMs(900, () => 0.999999);
    const mid = nextPollDelayMs(900, () => 0.5);

    // Assert
    expect(low).toBe(720_000);
    expect(high).toBeGreaterThan(1_079_000);
    expect(high).toBeLessThanOrEqual(1_080_000);
    expect(mid).toBe(900_000);
  });

  it('spreads a fleet: 1000 draws cover the whole window', () => {
    const draws = Array.from({ length: 1000 }, () => nextPollDelayMs(100));

    // ±20 %, rounded to the millisecond: a draw just below the top rounds to it
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(80_000);
    expect(Math.max(...draws)).toBeLessThanOrEqual(120_000);
    expect(Math.max(...draws) - Math.min(...draws)).toBeGreaterThan(30_000);
  });
});

describe('backoffDelayMs', () => {
  it('doubles its ceiling per failure up to the cap (full jitter below it)', () => {
    const top = () => 0.999999;

    expect(backoffDelayMs(1, { random: top })).toBeLessThanOrEqual(5_000);
    expect(backoffDelayMs(2, { random: top })).toBeLessThanOrEqual(10_000);
    expect(backoffDelayMs(4, { random: top })).toBeGreaterThan(39_000);
    expect(backoffDelayMs(30, { random: top })).toBeLessThanOrEqual(900_000);
    expect(backoffDelayMs(30, { random: top })).toBeGreaterThan(899_000);
    expect(backoffDelayMs(5, { random: () => 0 })).toBe(0);
  });

  it('never waits less than Retry-After', () => {
    expect(backoffDelayMs(1, { retryAfterSeconds: 120, random: () => 0.5 })).toBe(120_000);
    expect(backoffDelayMs(10, { retryAfterSeconds: 1, random: () => 0.5 })).toBeGreaterThan(1_000);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates, and ignores garbage', () => {
    const now = new Date('2026-03-02T09:00:00Z');

    expect(parseRetryAfter('7', now)).toBe(7);
    expect(parseRetryAfter('Mon, 02 Mar 2026 09:01:00 GMT', now)).toBe(60);
    expect(parseRetryAfter('Mon, 02 Mar 2026 08:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

/**
 * When to call the cloud next: the poll interval with ±20 % jitter (so a fleet restarted together
 * spreads out), exponential backoff with full jitter after a failure, and the server's
 * `Retry-After` honoured as a floor. Pure functions; `random` is injectable for tests.
 */

/** Share of the interval each poll moves by, each way. */
export const POLL_JITTER = 0.2;
/** First backoff ceiling and the cap, in seconds. */
export const BACKOFF_BASE_SECONDS = 5;
export const BACKOFF_CAP_SECONDS = 15 * 60;

export type Random = () => number;

/** The delay before the next regular poll: `nextPollSeconds` × a factor in [0.8, 1.2). */
export function nextPollDelayMs(nextPollSeconds: number, random: Random = Math.random): number {
  const factor = 1 - POLL_JITTER + 2 * POLL_JITTER * random();
  return Math.round(nextPollSeconds * 1000 * factor);
}

/**
 * The delay after the `failures`-th consecutive failure (1 = the first): "full jitter", a uniform
 * draw in [0, min(cap, base × 2^(failures-1))). A `Retry-After` from the server is a floor.
 */
export function backoffDelayMs(
  failures: number,
  options: { retryAfterSeconds?: number; baseSeconds?: number; capSeconds?: number; random?: Random } = {},
): number {
  const base = options.baseSeconds ?? BACKOFF_BASE_SECONDS;
  const cap = options.capSeconds ?? BACKOFF_CAP_SECONDS;
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, failures - 1));
  const drawn = Math.round(ceiling * 1000 * (options.random ?? Math.random)());
  const floor = Math.max(0, (options.retryAfterSeconds ?? 0) * 1000);
  return Math.max(drawn, floor);
}

/**
 * `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP date. Undefined when absent or
 * unreadable; never negative.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date = new Date()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/**
 * The invocation's deadline, for the SDK calls made within it: the house stack records when the
 * Lambda will be cut off (context.getRemainingTimeInMillis()), and each call's overall timeout and
 * per-attempt timeout are budgeted from what is left (docs/operations.md, "Dependency timeouts").
 */
import type middy from '@middy/core';

/** What an SDK client may spend on one attempt at most, whatever time is left. */
export interface AttemptCap {
  /** time to open a connection */
  readonly connectMs: number;
  /** time for one attempt's answer (the SDK retries a timed-out attempt while the call's budget lasts) */
  readonly attemptMs: number;
}

/** Per-attempt caps of the clients on the request path; calls take milliseconds when all is well. */
export const attemptCaps = {
  dynamodb: { connectMs: 1_000, attemptMs: 3_000 },
  kinesis: { connectMs: 1_000, attemptMs: 3_000 },
  kms: { connectMs: 1_000, attemptMs: 3_000 },
} as const satisfies Record<string, AttemptCap>;

/** Kept back to answer after a call gives up: at least this, or a tenth of the time left. */
export const ANSWER_RESERVE_MIN_MS = 300;
export const ANSWER_RESERVE_SHARE = 0.1;

/** What a call may spend, all its attempts together, and each attempt. */
export interface CallBudget {
  readonly totalMs: number;
  readonly attemptMs: number;
}

/**
 * The budget of one SDK call given the invocation's remaining time: everything but the answer's
 * reserve, each attempt no longer than its cap (nor than the whole). Zero when nothing is left.
 */
export function callBudget(remainingMs: number, cap: AttemptCap): CallBudget {
  const reserve = Math.max(ANSWER_RESERVE_MIN_MS, Math.ceil(remainingMs * ANSWER_RESERVE_SHARE));
  const totalMs = Math.max(0, Math.floor(remainingMs - reserve));
  return { totalMs, attemptMs: Math.min(cap.attemptMs, totalMs) };
}

/** The SDK's attempts per call (its standard retry mode; the house clients keep the default). */
export const SDK_MAX_ATTEMPTS = 3;
/** the standard mode's back-off between them at most (throttling: 500 ms base, doubled, jittered) */
const BACKOFF_ALLOWANCE_MS = 3_000;

/** The longest one call can take when every attempt runs to its caps: a budget this long cannot run out. */
export const longestCallMs = (cap: AttemptCap): number =>
  SDK_MAX_ATTEMPTS * (cap.connectMs + cap.attemptMs) + BACKOFF_ALLOWANCE_MS;

// Monotonic time: the local cloud moves Date (its clock), the Lambda's deadline stays on real time.
let deadline: { readonly at: number } | undefined;

/** The invocation's remaining time in ms, or undefined outside an invocation (scripts, tests). */
export function remainingInvocationMs(): number | undefined {
  return deadline ? deadline.at - performance.now() : undefined;
}

/** Records the invocation's deadline before the handler runs; forgets it when the handler ends. */
export function invocationDeadline(): middy.MiddlewareObj {
  let mine: typeof deadline;
  const forget = async () => {
    if (deadline === mine) deadline = undefined;
  };
  return {
    before: async (request) => {
      const remaining = request.context?.getRemainingTimeInMillis?.();
      mine = typeof remaining === 'number' ? { at: performance.now() + remaining } : undefined;
      deadline = mine;
    },
    after: forget,
    onError: forget,
  };
}

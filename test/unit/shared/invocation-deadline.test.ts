import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import {
  ANSWER_RESERVE_MIN_MS,
  callBudget,
  invocationDeadline,
  remainingInvocationMs,
} from '#lambdas/shared/invocation-deadline';

const cap = { connectMs: 1_000, attemptMs: 3_000 };

describe('callBudget', () => {
  it('keeps a tenth of a 10 s Lambda to answer and caps each attempt: three attempts fit in 9 s, never 3 × 5 s', () => {
    const budget = callBudget(10_000, cap);

    expect(budget).toEqual({ totalMs: 9_000, attemptMs: 3_000 });
  });

  it('keeps at least the minimum reserve when little time is left, and shortens the attempt to the whole', () => {
    const budget = callBudget(1_000, cap);

    expect(budget).toEqual({ totalMs: 1_000 - ANSWER_RESERVE_MIN_MS, attemptMs: 700 });
  });

  it('leaves nothing when the remaining time is within the reserve', () => {
    expect(callBudget(ANSWER_RESERVE_MIN_MS, cap)).toEqual({ totalMs: 0, attemptMs: 0 });
    expect(callBudget(-5, cap)).toEqual({ totalMs: 0, attemptMs: 0 });
  });

  it('gives a long job its remaining time for the call, each attempt still capped', () => {
    expect(callBudget(300_000, cap)).toEqual({ totalMs: 270_000, attemptMs: 3_000 });
  });
});

describe('invocationDeadline', () => {
  it("records the context's remaining time for the handler's calls and forgets it when the handler ends", async () => {
    let seen: number | undefined;
    const handler = middy(async () => {
      seen = remainingInvocationMs();
    }).use(invocationDeadline());

    await handler({}, { getRemainingTimeInMillis: () => 4_000 } as Context);

    expect(seen).toBeGreaterThan(3_900);
    expect(seen).toBeLessThanOrEqual(4_000);
    expect(remainingInvocationMs()).toBeUndefined();
  });
});

/**
 * SDK clients that fit the Lambda they run in: each call's attempts together end before the
 * invocation's deadline (less the answer's reserve), each attempt within its cap, and a call that
 * runs out of time, or finds its dependency dropping connections or answering 5xx after the SDK's
 * retries, becomes the domain's retryable 503, never a Lambda timeout or a bare 500.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ServiceUnavailableError } from '../core/errors';
import { type AttemptCap, callBudget, longestCallMs, remainingInvocationMs } from '../shared/invocation-deadline';
import { isDependencyTimeout, isDependencyUnavailable } from './aws-errors';

/** Seconds a client is told to wait after a dependency timed out. */
export const TIMEOUT_RETRY_AFTER_SECONDS = 2;

/**
 * The HTTP/1.1 handler with the attempt cap as its defaults. `throwOnRequestTimeout`: without it
 * the handler only logs a warning when an attempt runs over its requestTimeout and waits on.
 */
export function cappedHttpHandler(cap: AttemptCap): NodeHttpHandler {
  return new NodeHttpHandler({
    connectionTimeout: cap.connectMs,
    requestTimeout: cap.attemptMs,
    throwOnRequestTimeout: true,
  });
}

interface SendOptions {
  abortSignal?: AbortSignal;
  requestTimeout?: number;
}
interface Sender {
  send(command: never, options?: SendOptions): Promise<unknown>;
}

/**
 * Budgets every `send` of this client from the invocation's remaining time (outside an invocation,
 * the attempt cap alone applies) and answers a call that timed out as ServiceUnavailableError.
 * `what` names the dependency in the answer's detail, e.g. 'The licensing store'.
 */
export function withDeadline<C>(
  client: C,
  cap: AttemptCap,
  what: string,
  /**
   * 'race': a client that only reads is never sent an abort signal or attempt timeout of its own,
   * even near the deadline: the race still answers on time, and a read that outlives its answer
   * costs only itself (a write keeps the abort: it must not land after the caller was told to
   * retry). Without per-call options the SDK keeps its resolved middleware (`cacheMiddleware`).
   */
  mode: 'abort' | 'race' = 'abort',
): C {
  const target = client as unknown as Sender;
  const send = target.send.bind(target);
  const timedOut = () =>
    new ServiceUnavailableError(`${what} did not answer in time; retry shortly.`, TIMEOUT_RETRY_AFTER_SECONDS);
  const unavailable = () =>
    new ServiceUnavailableError(`${what} is unavailable right now; retry shortly.`, TIMEOUT_RETRY_AFTER_SECONDS);
  target.send = async (command: never, options?: SendOptions) => {
    const remaining = remainingInvocationMs();
    if (remaining === undefined) return send(command, options);
    const budget = callBudget(remaining, cap);
    if (budget.totalMs <= 0) throw timedOut();
    // A budget no run of attempts at their caps can use up needs no abort signal or attempt
    // timeout of the call's own: passed per call, they cost the SDK about 15 % of the rules
    // consumer's CPU (docs/operations.md). The race below still answers at the deadline.
    const deadline = mode === 'race' || budget.totalMs >= longestCallMs(cap) ? undefined : new AbortController();
    // The SDK notices an abort only when its retry back-off ends: the call answers at the deadline
    // itself, and the timer goes with the call (none lingers for a long job's many calls).
    let timer: NodeJS.Timeout | undefined;
    let expired = false;
    const atDeadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        expired = true;
        deadline?.abort();
        reject(timedOut());
      }, budget.totalMs);
    });
    const abortSignal =
      deadline && options?.abortSignal ? AbortSignal.any([options.abortSignal, deadline.signal]) : deadline?.signal;
    try {
      return await Promise.race([
        abortSignal
          ? send(command, { ...options, abortSignal, requestTimeout: budget.attemptMs })
          : send(command, options),
        atDeadline,
      ]);
    } catch (error) {
      if (isDependencyTimeout(error) || expired) throw timedOut();
      if (isDependencyUnavailable(error)) throw unavailable();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
  return client;
}

/**
 * `#xray` in the bundles of functions whose tracing is pass-through (the `ucx-untraced`
 * condition): the same exports as xray.ts without loading the X-Ray SDK. Lambda still passes a
 * caller's sampled trace through; no subsegments are recorded.
 */
import type middy from '@middy/core';

/** The client as it is. */
export function traced<T>(client: T): T {
  return client;
}

/** No segment of its own (middy refuses a middleware without a hook: none at all). */
export const traceInvocation = (): middy.MiddlewareObj[] => [];

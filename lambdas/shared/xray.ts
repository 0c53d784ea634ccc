/**
 * X-Ray through Powertools' Tracer: the invocation's segment and a subsegment per SDK call. Bundles
 * of functions whose tracing is pass-through resolve `#xray` to xray-off.ts instead (the
 * `ucx-untraced` condition, lib/constructs/house-function.ts): behind the HTTP API nothing is
 * sampled, and the X-Ray SDK's async hook would still cost every SDK call about 60 % more CPU.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type middy from '@middy/core';

const tracer = new Tracer();

/** An AWS SDK v3 client whose calls show as subsegments of the invocation's trace. */
export function traced<T>(client: T): T {
  return tracer.captureAWSv3Client(client as never) as T;
}

/** The invocation's trace segment, for the house stack. */
export const traceInvocation = (): middy.MiddlewareObj[] => [captureLambdaHandler(tracer, { captureResponse: false })];

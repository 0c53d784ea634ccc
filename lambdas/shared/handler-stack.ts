/**
 * The middy stack every Lambda shares, whatever invokes it: the logger's Lambda context (request
 * id, cold start), the invocation's trace segment, the metrics buffer flushed when it ends, and
 * its deadline, which budgets the SDK calls made within it (invocation-deadline.ts).
 * HTTP routes add their edge on top (http.ts); stream consumers and scheduled jobs use the
 * wrappers here.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { logger, metrics, traceInvocation } from './powertools';
import { invocationDeadline } from './invocation-deadline';
// problem+json field errors in words, not "Invalid input", in a bundle of zod/mini alone
import '../core/zod-english';

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

/**
 * Powertools' logMetrics, flushing only a buffer that holds something. Business counts never wait
 * in the buffer (emitCount writes them itself, at once or summed per container-minute), so an
 * unguarded flush would find it empty on nearly every invocation and log a "No application
 * metrics to publish" warning each time: a log line per licence poll.
 */
function logStoredMetrics(): middy.MiddlewareObj {
  const flushAtEnd = logMetrics(metrics);
  const flushWhenStored = async (request: middy.Request) => {
    if (metrics.hasStoredMetrics()) await flushAtEnd.after?.(request);
  };
  return { before: flushAtEnd.before, after: flushWhenStored, onError: flushWhenStored };
}

/** Wraps a handler in the house stack; errors pass through untouched (each kind of handler maps its own). */
export function withHouseStack<E, R>(handler: Handler<E, R>) {
  return middy<E, R>(handler)
    .use(invocationDeadline())
    .use(injectLambdaContext(logger))
    .use(traceInvocation())
    .use(logStoredMetrics());
}

/**
 * A Kinesis consumer. It runs its records under Powertools batch processing and returns the
 * batch item failures (the event source sets ReportBatchItemFailures); an error it throws fails
 * the whole batch, which Kinesis retries.
 */
export function streamHandler(handler: Handler<KinesisStreamEvent, KinesisStreamBatchResponse>) {
  return withHouseStack(handler);
}

/** An EventBridge Scheduler target. An error it throws fails the run, for the schedule's retry policy. */
export function scheduledHandler<R>(handler: Handler<unknown, R>) {
  return withHouseStack(handler);
}

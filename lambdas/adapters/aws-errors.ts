/** Translates AWS throttling and brief unavailability into the domain's retryable 503. */
import { ServiceUnavailableError } from '../core/errors';

const throttlingNames = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'KMSInternalException',
  'InternalServerError',
  'ServiceUnavailable',
  'ProvisionedThroughputExceeded',
  'ThrottlingError',
]);

/** Whether an SDK error is the named exception (e.g. `ConditionalCheckFailedException`). */
export const hasErrorName = (error: unknown, name: string): boolean =>
  (error as { name?: string } | undefined)?.name === name;

/** Whether a cancelled transaction failed on the condition of its item at `index` (the first by default). */
export function transactionConditionFailed(error: unknown, index = 0): boolean {
  const reasons = (error as { CancellationReasons?: { Code?: string }[] } | undefined)?.CancellationReasons;
  return hasErrorName(error, 'TransactionCanceledException') && reasons?.[index]?.Code === 'ConditionalCheckFailed';
}

/**
 * A call that ran out of time: an attempt over its requestTimeout or connectionTimeout
 * ('TimeoutError'), or the call's budget aborted ('AbortError'; sdk-deadline.ts).
 */
export function isDependencyTimeout(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

const droppedConnectionCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/**
 * A dependency that dropped or refused the connection, or answered 5xx, still after the SDK's own
 * retries: unavailable for now, not a fault of ours or of the request.
 */
export function isDependencyUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; $metadata?: { httpStatusCode?: number } } | undefined;
  return (
    (typeof e?.code === 'string' && droppedConnectionCodes.has(e.code)) || (e?.$metadata?.httpStatusCode ?? 0) >= 500
  );
}

export function isThrottling(error: unknown): boolean {
  return error instanceof Error && throttlingNames.has(error.name);
}

/** Rethrows throttling as ServiceUnavailableError (503 + Retry-After), anything else unchanged. */
export function rethrowThrottling(error: unknown, what: string): never {
  if (isThrottling(error)) throw new ServiceUnavailableError(`${what} is busy right now; retry shortly.`, 2);
  throw error;
}

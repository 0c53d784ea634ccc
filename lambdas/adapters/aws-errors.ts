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

/**
 * A call that ran out of time: an attempt over its requestTimeout or connectionTimeout
 * ('TimeoutError'), or the call's budget aborted ('AbortError'; sdk-deadline.ts).
 */
export function isDependencyTimeout(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

export function isThrottling(error: unknown): boolean {
  return error instanceof Error && throttlingNames.has(error.name);
}

/** Rethrows throttling as ServiceUnavailableError (503 + Retry-After), anything else unchanged. */
export function rethrowThrottling(error: unknown, what: string): never {
  if (isThrottling(error)) throw new ServiceUnavailableError(`${what} is busy right now; retry shortly.`, 2);
  throw error;
}

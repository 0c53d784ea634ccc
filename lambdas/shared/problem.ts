/**
 * The one place errors become HTTP answers: RFC 9457 problem+json. Domain errors keep their
 * status and detail; anything unknown is logged and answered as a generic 500, its message kept inside.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ConflictError, DomainError, ServiceUnavailableError, ValidationError, WrongRegionError } from '../core/errors';
import { logger } from './powertools';

export const PROBLEM_BASE = 'https://ucx-cloud.example/problems/';

export function problemResponse(error: unknown, instance?: string): APIGatewayProxyStructuredResultV2 {
  if (!(error instanceof DomainError)) {
    logger.error('unhandled error', error as Error);
    return problemBody(
      500,
      { type: `${PROBLEM_BASE}internal`, title: 'Internal error', detail: 'Something went wrong on our side.' },
      {},
      instance,
    );
  }
  const extra: Record<string, unknown> = {};
  const headers: Record<string, string> = {};
  if (error instanceof ValidationError || (error instanceof ConflictError && error.errors)) extra.errors = error.errors;
  if (error instanceof WrongRegionError) {
    const { homeRegion, homeEndpoint } = error;
    Object.assign(extra, { homeRegion, homeEndpoint, region: homeRegion, endpoint: homeEndpoint });
  }
  if (error instanceof ServiceUnavailableError) headers['retry-after'] = String(error.retryAfterSeconds);
  if (error.status >= 500) logger.warn('dependency unavailable', { detail: error.message });
  return problemBody(
    error.status,
    { type: `${PROBLEM_BASE}${error.type}`, title: error.title, detail: error.message, ...extra },
    headers,
    instance,
  );
}

function problemBody(
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string>,
  instance: string | undefined,
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify({ ...body, status, ...(instance ? { instance } : {}) }),
  };
}

/**
 * Named domain errors. Core code throws these; the HTTP edge (lambdas/shared/problem.ts) maps each
 * to an RFC 9457 problem+json answer exactly once. Anything else becomes a generic 500.
 */
export interface FieldError {
  /** JSON path of the failing value, e.g. `lines.0.quantity` (empty for the whole body) */
  readonly path: string;
  readonly message: string;
}

export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly type: string;
  abstract readonly title: string;
  constructor(detail: string) {
    super(detail);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  readonly status = 400;
  readonly type = 'validation';
  readonly title = 'Request is not valid';
  constructor(
    readonly errors: readonly FieldError[],
    detail = 'One or more fields are not valid.',
  ) {
    super(detail);
  }
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly type = 'unauthorized';
  readonly title = 'Not authenticated';
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly type = 'forbidden';
  readonly title = 'Not allowed';
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly type = 'not-found';
  readonly title = 'Not found';
}

export class ConflictError extends DomainError {
  readonly status = 409;
  readonly type = 'conflict';
  readonly title = 'Conflict';
  /** `errors` names the fields the conflict is about (e.g. `allocation.ivr` beyond free capacity) */
  constructor(
    detail: string,
    readonly errors?: readonly FieldError[],
  ) {
    super(detail);
  }
}

export class GoneError extends DomainError {
  readonly status = 410;
  readonly type = 'gone';
  readonly title = 'Gone';
}

export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  readonly type = 'payload-too-large';
  readonly title = 'Payload too large';
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly status = 415;
  readonly type = 'unsupported-media-type';
  readonly title = 'Unsupported media type';
}

/**
 * 421: the account's licensing writes are served only in its home region; the client sends the
 * request there. `region`/`endpoint` repeat the home for agents that read the first 421 (activation's).
 */
export class WrongRegionError extends DomainError {
  readonly status = 421;
  readonly type = 'wrong-region';
  readonly title = 'Account is served by another region';
  readonly region: string;
  readonly endpoint: string;
  constructor(
    readonly homeRegion: string,
    readonly homeEndpoint: string,
  ) {
    super(`This account is homed in region ${homeRegion}; use ${homeEndpoint}.`);
    this.region = homeRegion;
    this.endpoint = homeEndpoint;
  }
}

/** 503 with Retry-After: a dependency is throttling or briefly unavailable; nothing was written. */
export class ServiceUnavailableError extends DomainError {
  readonly status = 503;
  readonly type = 'unavailable';
  readonly title = 'Service temporarily unavailable';
  constructor(
    detail: string,
    readonly retryAfterSeconds = 2,
  ) {
    super(detail);
  }
}

/** What can go wrong talking to the cloud, as the agent tells it to an administrator. */

/** An RFC 9457 problem the cloud answered. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { path: string; message: string }[];
  [key: string]: unknown;
}

/** The cloud answered with an error status. */
export class CloudError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    /** seconds from `Retry-After`, when sent */
    readonly retryAfterSeconds?: number,
  ) {
    super(`the cloud answered ${status}: ${problem?.detail ?? problem?.title ?? 'no detail'}`);
    this.name = 'CloudError';
  }

  /** 5xx, 408 and 429 are worth retrying; other 4xx are final. */
  get retryable(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

/** No answer at all: DNS, connection refused, TLS, proxy refused, timeout. */
export class UnreachableError extends Error {
  constructor(
    readonly url: string,
    override readonly cause: unknown,
  ) {
    super(`the cloud is unreachable at ${url}: ${describeCause(cause)}`);
    this.name = 'UnreachableError';
  }
  readonly retryable = true;
}

/** A licence the agent refuses to use; `reason` is for tests and logs, the message for people. */
export class LicenseRejectedError extends Error {
  constructor(
    readonly reason:
      | 'malformed'
      | 'bad-signature'
      | 'unknown-key'
      | 'expired'
      | 'wrong-installation'
      | 'no-licence'
      | 'deactivated',
    message: string,
  ) {
    super(message);
    this.name = 'LicenseRejectedError';
  }
}

/** The state directory or key file is not safe or not usable. */
export class AgentStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentStateError';
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause;
    const code = (inner as { code?: string } | undefined)?.code ?? (cause as { code?: string }).code;
    const innerMessage = inner instanceof Error ? inner.message : undefined;
    return [code, innerMessage ?? cause.message].filter(Boolean).join(' ');
  }
  return String(cause);
}

export function isRetryable(error: unknown): boolean {
  return (error instanceof CloudError && error.retryable) || error instanceof UnreachableError;
}

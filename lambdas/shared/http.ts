/**
 * The HTTP edge every API handler shares, on the house stack (handler-stack.ts): body decoding and size limits,
 * zod validation of path parameters and body (failures name their path), and problem+json for
 * every error. A handler declares its schemas and calls one use case.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { gunzipSync } from 'node:zlib';
import * as z from 'zod/mini';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError, type FieldError } from '../core/errors';
import type { Principal } from '../core/licensing/access';
import type { SignedInPerson } from '../core/accounts/person';
import { assertNotUnauthenticated, personFromEvent, principalFromEvent } from './auth';
import { problemResponse } from './problem';
import { emitCount, type BusinessMetricKey } from './business-metrics';
import { withHouseStack } from './handler-stack';

export interface HttpResult {
  readonly status: number;
  readonly body?: unknown;
  /** a body sent as is (its content-type in `headers`), instead of `body` as JSON */
  readonly text?: string;
  readonly headers?: Record<string, string>;
}

export interface HttpRequest<B, P> {
  readonly event: APIGatewayProxyEventV2;
  readonly body: B;
  readonly params: P;
  /** the body bytes exactly as sent (signatures and digests cover these) */
  readonly rawBody: Buffer;
  /** header lookup, case-insensitive */
  header(name: string): string | undefined;
}

/** Default body limit of JSON routes; telemetry sets its own. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export function zodFieldErrors(error: z.core.$ZodError, prefix: readonly (string | number)[] = []): FieldError[] {
  return error.issues.flatMap((issue) => {
    const base = [...prefix, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => ({ path: [...base, k].join('.'), message: 'unknown field' }));
    }
    return [{ path: base.join('.'), message: issue.message }];
  });
}

export function parseWith<T extends z.core.$ZodType>(
  schema: T,
  value: unknown,
  prefix: readonly string[] = [],
): z.infer<T> {
  const parsed = z.safeParse(schema, value);
  if (!parsed.success) throw new ValidationError(zodFieldErrors(parsed.error, prefix));
  return parsed.data;
}

export function rawBodyOf(event: APIGatewayProxyEventV2): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

function headerLookup(event: APIGatewayProxyEventV2) {
  const headers = event.headers ?? {};
  return (name: string) => headers[name.toLowerCase()] ?? undefined;
}

export function parseJsonBody(raw: Buffer, header: (name: string) => string | undefined): unknown {
  const contentType = header('content-type');
  if (contentType && !/^application\/([\w.+-]*\+)?json\b/i.test(contentType)) {
    throw new UnsupportedMediaTypeError(`Send application/json, not ${contentType}.`);
  }
  if (raw.length === 0) throw new ValidationError([{ path: '', message: 'a JSON body is required' }]);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new ValidationError(
      [{ path: '', message: `malformed JSON: ${(error as Error).message}` }],
      'The body is not valid JSON.',
    );
  }
}

/**
 * The body as the client meant it: gunzipped when sent with `Content-Encoding: gzip`, refusing to
 * unpack more than `maxDecodedBytes` (a decompression bomb stops there, not in memory).
 */
export function decodeBody(raw: Buffer, header: (name: string) => string | undefined, maxDecodedBytes: number): Buffer {
  const encoding = (header('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') {
    if (raw.length > maxDecodedBytes) throw new PayloadTooLargeError(`The body exceeds ${maxDecodedBytes} bytes.`);
    return raw;
  }
  if (encoding !== 'gzip')
    throw new UnsupportedMediaTypeError(`Content-Encoding ${encoding} is not supported; use gzip.`);
  try {
    return gunzipSync(raw, { maxOutputLength: maxDecodedBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new PayloadTooLargeError(`The body unpacks to more than ${maxDecodedBytes} bytes.`);
    }
    throw new ValidationError([{ path: '', message: 'the body is not valid gzip' }], 'The body could not be unpacked.');
  }
}

interface RouteSpec<B extends z.core.$ZodType | undefined, P extends z.core.$ZodType | undefined> {
  readonly body?: B;
  readonly params?: P;
  /** @default DEFAULT_MAX_BODY_BYTES */
  readonly maxBodyBytes?: number;
  /** a business metric counted for every answer, with the status code as its dimension */
  readonly metric?: BusinessMetricKey;
}

type Out<S> = S extends z.core.$ZodType ? z.infer<S> : undefined;

function toResponse(result: HttpResult): APIGatewayProxyStructuredResultV2 {
  if (result.text !== undefined)
    return { statusCode: result.status, headers: { ...result.headers }, body: result.text };
  const hasBody = result.body !== undefined;
  return {
    statusCode: result.status,
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...result.headers },
    ...(hasBody ? { body: JSON.stringify(result.body) } : {}),
  };
}

/** Builds the Lambda handler of a route. */
export function httpRoute<
  B extends z.core.$ZodType | undefined = undefined,
  P extends z.core.$ZodType | undefined = undefined,
>(spec: RouteSpec<B, P>, run: (request: HttpRequest<Out<B>, Out<P>>) => Promise<HttpResult>) {
  const maxBodyBytes = spec.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const core = async (event: APIGatewayProxyEventV2, _context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    try {
      // A token the Lambda authorizer could not verify: 401 before the body is even read, as the JWT authorizer.
      assertNotUnauthenticated(event);
      const rawBody = rawBodyOf(event);
      if (rawBody.length > maxBodyBytes) {
        throw new PayloadTooLargeError(`The body is ${rawBody.length} bytes; at most ${maxBodyBytes} are accepted.`);
      }
      const header = headerLookup(event);
      const params = (
        spec.params ? parseWith(spec.params, event.pathParameters ?? {}, ['params']) : undefined
      ) as Out<P>;
      const body = (spec.body ? parseWith(spec.body, parseJsonBody(rawBody, header)) : undefined) as Out<B>;
      return counted(toResponse(await run({ event, body, params, rawBody, header })));
    } catch (error) {
      return counted(problemResponse(error, event.rawPath));
    }
  };
  const counted = (response: APIGatewayProxyStructuredResultV2) => {
    if (spec.metric) emitCount(spec.metric, 1, { status: String(response.statusCode) });
    return response;
  };
  return withHouseStack(core);
}

/** For 'user' routes: the principal from the verified JWT claims. */
export function principalOf(request: { event: APIGatewayProxyEventV2 }): Principal {
  return principalFromEvent(request.event as never);
}

/** For the sign-up routes: the signed-in person, who may have no role or account yet. */
export function personOf(request: { event: APIGatewayProxyEventV2 }): SignedInPerson {
  return personFromEvent(request.event as never);
}

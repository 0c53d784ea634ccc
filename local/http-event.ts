/**
 * API Gateway HTTP API payload format 2.0: the event a handler receives and how its result
 * becomes the HTTP response. Pure functions, unit-tested in test/unit/local/.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export interface IncomingRequest {
  readonly method: string;
  /** path and query exactly as sent, e.g. `/v1/x?a=1` */
  readonly url: string;
  /** Node's `req.rawHeaders`: name, value, name, value… */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly protocol: string;
}

export interface EventContext {
  readonly routeKey: string;
  readonly pathParameters?: Record<string, string>;
  readonly accountId: string;
  readonly apiId: string;
  readonly port: number;
  /** the JWT authorizer's claims, or a Lambda authorizer's `context` (`lambda`) */
  readonly authorizer?:
    | { jwt: { claims: Record<string, string>; scopes: string[] | null } }
    | { lambda: Record<string, unknown> };
  readonly now?: Date;
  readonly requestId?: string;
}

const textual = /^(text\/|application\/([\w.+-]*\+)?(json|xml|javascript|x-www-form-urlencoded|graphql|yaml)\b)/i;

/** Header names lower-cased, repeated headers joined with a comma, as API Gateway does. */
export function joinHeaders(rawHeaders: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return headers;
}

/** `12/Mar/2020:19:03:58 +0000` */
function apiGatewayTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

export function buildHttpApiEvent(request: IncomingRequest, context: EventContext): APIGatewayProxyEventV2 {
  const now = context.now ?? new Date();
  const requestId = context.requestId ?? randomUUID();
  const queryAt = request.url.indexOf('?');
  const rawPath = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
  const rawQueryString = queryAt === -1 ? '' : request.url.slice(queryAt + 1);
  const headers = joinHeaders(request.rawHeaders);
  const cookieHeader = headers['cookie'];
  delete headers['cookie'];
  headers['x-forwarded-for'] ??= request.sourceIp;
  headers['x-forwarded-port'] ??= String(context.port);
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-amzn-trace-id'] ??=
    `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`;

  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    queryStringParameters[name] =
      queryStringParameters[name] === undefined ? value : `${queryStringParameters[name]},${value}`;
  }
  const cookies = cookieHeader?.split(/;\s*/).filter((c) => c.length > 0);
  const host = headers['host'] ?? `127.0.0.1:${context.port}`;
  const contentType = headers['content-type'] ?? '';
  const isBase64Encoded =
    request.body.length > 0 && !(textual.test(contentType) && headers['content-encoding'] === undefined);

  return {
    version: '2.0',
    routeKey: context.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies && cookies.length > 0 && { cookies }),
    headers,
    ...(Object.keys(queryStringParameters).length > 0 && { queryStringParameters }),
    ...(context.pathParameters && { pathParameters: context.pathParameters }),
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      ...(context.authorizer && { authorizer: context.authorizer }),
      domainName: host,
      domainPrefix: host.split('.')[0]!,
      http: {
        method: request.method,
        path: rawPath,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: context.routeKey,
      stage: '$default',
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
    ...(request.body.length > 0 && {
      body: isBase64Encoded ? request.body.toString('base64') : request.body.toString('utf8'),
    }),
    isBase64Encoded,
  } as APIGatewayProxyEventV2;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

export const apiGatewayError = (statusCode: number, message: string): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify({ message })),
});

export const internalServerError = (): HttpResponse => apiGatewayError(500, 'Internal Server Error');

/**
 * Maps a handler's result the way API Gateway interprets format 2.0: an object with
 * `statusCode` is a response; any other JSON value (no statusCode) is the 200 JSON body.
 * A malformed response is a 500.
 */
export function mapHttpApiResult(result: unknown): HttpResponse {
  const isResponse = typeof result === 'object' && result !== null && !Array.isArray(result) && 'statusCode' in result;
  if (!isResponse) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
  }
  const response = result as {
    statusCode: unknown;
    headers?: unknown;
    cookies?: unknown;
    body?: unknown;
    isBase64Encoded?: unknown;
  };
  const statusCode = Number(response.statusCode);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return internalServerError();
  const headers: Record<string, string | string[]> = {};
  if (response.headers !== undefined) {
    if (typeof response.headers !== 'object' || response.headers === null) return internalServerError();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined || value === null) continue;
      headers[name.toLowerCase()] = String(value);
    }
  }
  if (Array.isArray(response.cookies) && response.cookies.length > 0)
    headers['set-cookie'] = response.cookies.map(String);
  const rawBody =
    response.body === undefined || response.body === null
      ? ''
      : typeof response.body === 'string'
        ? response.body
        : JSON.stringify(response.body);
  const body = response.isBase64Encoded === true ? Buffer.from(rawBody, 'base64') : Buffer.from(rawBody, 'utf8');
  return { statusCode, headers, body };
}

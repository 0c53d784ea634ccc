/**
 * One local region's HTTP API: a node:http server on 127.0.0.1 that matches the templates'
 * routes, runs the JWT authorizer, invokes the function's sandbox with a payload 2.0 event and
 * writes its result back as API Gateway would.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JwtVerifier } from './auth';
import {
  apiGatewayError,
  buildHttpApiEvent,
  internalServerError,
  mapHttpApiResult,
  type HttpResponse,
} from './http-event';
import type { LambdaSandbox } from './lambda-runtime';
import { RouteTable } from './route-table';
import type { PortalConfig } from '../portal/src/config';
import { portalHandler, servesPortal } from './portal';
import { foreignHostRefusal, foreignOriginRefusal, isLoopbackHost, isLoopbackOrigin } from './host-check';

/** API Gateway's payload limit for HTTP APIs. */
export const maxBodyBytes = 10 * 1024 * 1024;

export interface RegionRoute {
  readonly sandbox: LambdaSandbox;
  readonly authorizationType: string;
  /** a CUSTOM route's Lambda authorizer, run as API Gateway runs it (REQUEST, payload 2.0) */
  readonly lambdaAuthorizer?: {
    readonly sandbox: LambdaSandbox;
    readonly identitySource: readonly string[];
    readonly resultTtlSeconds: number;
    readonly simpleResponses: boolean;
  };
}

/** A development route's handler; `params` holds its `{placeholders}`. */
export type LocalHandler = (
  request: IncomingMessage,
  body: Buffer,
  params: Readonly<Record<string, string>>,
) => Promise<HttpResponse>;

export interface RegionRouterOptions {
  readonly regionKey: string;
  readonly port: number;
  readonly accountId: string;
  readonly verifyJwt: JwtVerifier;
  /** development-only routes under `/local/`, keyed `METHOD /local/...` (`{param}` placeholders allowed) */
  readonly localRoutes: ReadonlyMap<string, LocalHandler>;
  readonly log: (line: string) => void;
  /** every request on a template route, as API Gateway counts it (per route key) */
  readonly onRouteRequest?: (request: {
    readonly routeKey: string;
    readonly statusCode: number;
    readonly latencyMs: number;
  }) => void;
  /** the portal's `/config.json` for this region; none: the portal gets a 404 and its defaults */
  readonly portalConfig?: () => PortalConfig;
  /** the local clock, for the events' `requestContext.time`. @default real time */
  readonly now?: () => Date;
}

export interface RegionRouter {
  readonly url: string;
  readonly port: number;
  /**
   * Installs the routes and opens a given port: until then it refuses connections, so a client
   * (an agent polling a restarted cloud) retries instead of reading a 503. Port 0 is bound at start
   * to learn it, and answers 503 until now (no client knows it before cloud.json is written).
   */
  setRoutes(routes: ReadonlyMap<string, RegionRoute>): Promise<void>;
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

interface AuthorizerDecision {
  readonly statusCode: 200 | 401 | 403 | 500;
  readonly message: string;
  readonly context: Record<string, unknown>;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = Number(request.headers['content-length'] ?? 0) > maxBodyBytes ? maxBodyBytes + 1 : 0;
    // Past the limit the rest is read and dropped, so the client gets to see the 413.
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    request.on('end', () => (size > maxBodyBytes ? fail(new BodyTooLarge()) : done(Buffer.concat(chunks))));
    request.on('error', fail);
  });
}

function send(response: ServerResponse, result: HttpResponse, requestId: string): void {
  const headers = { ...result.headers, 'apigw-requestid': requestId, 'content-length': String(result.body.length) };
  response.writeHead(result.statusCode, headers);
  response.end(result.body);
}

export async function startRegionRouter(options: RegionRouterOptions): Promise<RegionRouter> {
  let table: RouteTable<RegionRoute> | undefined;
  const apiId = `local-${options.regionKey}`;
  let port = options.port;
  const localTable = new RouteTable<LocalHandler>();
  for (const [routeKey, local] of options.localRoutes) {
    if (!routeKey.split(' ')[1]?.startsWith('/local/'))
      throw new Error(`development route ${routeKey} is not under /local/`);
    localTable.add(routeKey, local);
  }

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const started = Date.now();
    const requestId = crypto.randomUUID();
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const path = url.split('?')[0]!;
    let result: HttpResponse;
    let label = '';
    let routeKey: string | undefined;
    // First of all: a page that rebound its DNS name to 127.0.0.1 gets nothing, /local/ included.
    if (!isLoopbackHost(request.headers.host)) {
      request.resume();
      send(response, foreignHostRefusal(request.headers.host), requestId);
      options.log(`${options.regionKey} ${method} ${url} → 403 (Host ${JSON.stringify(request.headers.host ?? '')})`);
      return;
    }
    if (path.startsWith('/local/') && !isLoopbackOrigin(request.headers.origin)) {
      request.resume();
      send(response, foreignOriginRefusal(request.headers.origin), requestId);
      options.log(`${options.regionKey} ${method} ${url} → 403 (Origin ${JSON.stringify(request.headers.origin)})`);
      return;
    }
    try {
      const body = await readBody(request);
      const local = path.startsWith('/local/')
        ? localTable.match(method, path)
        : servesPortal(method, path)
          ? { route: (r: IncomingMessage) => portalHandler(r, options.portalConfig), pathParameters: {} }
          : undefined;
      const match = local ? undefined : table?.match(method, path);
      if (!table && !local) {
        result = apiGatewayError(503, 'Service Unavailable');
      } else if (local) {
        label = 'local';
        result = await local.route(request, body, local.pathParameters ?? {});
      } else if (!match) {
        result = apiGatewayError(404, 'Not Found');
      } else {
        label = match.route.sandbox.fn.logicalId;
        routeKey = match.routeKey;
        let authorizer:
          | { jwt: { claims: Record<string, string>; scopes: string[] | null } }
          | { lambda: Record<string, unknown> }
          | undefined;
        if (match.route.authorizationType === 'JWT') {
          const verified = await options.verifyJwt(request.headers.authorization);
          if (!verified) {
            send(
              response,
              {
                ...apiGatewayError(401, 'Unauthorized'),
                headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' },
              },
              requestId,
            );
            options.onRouteRequest?.({ routeKey: match.routeKey, statusCode: 401, latencyMs: Date.now() - started });
            options.log(`${options.regionKey} ${method} ${url} → 401 (JWT) ${Date.now() - started} ms`);
            return;
          }
          authorizer = { jwt: verified };
        }
        const eventOf = (withAuthorizer: typeof authorizer) =>
          buildHttpApiEvent(
            {
              method,
              url,
              rawHeaders: request.rawHeaders,
              body,
              sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
              protocol: `HTTP/${request.httpVersion}`,
            },
            {
              routeKey: match.routeKey,
              pathParameters: match.pathParameters,
              accountId: options.accountId,
              apiId,
              port,
              authorizer: withAuthorizer,
              requestId,
              ...(options.now && { now: options.now() }),
            },
          );
        const custom = match.route.lambdaAuthorizer;
        if (match.route.authorizationType === 'CUSTOM' && custom) {
          const decision = await runLambdaAuthorizer(custom, eventOf(undefined), match.routeKey);
          if (decision.statusCode !== 200) {
            const refused = apiGatewayError(decision.statusCode, decision.message);
            send(response, refused, requestId);
            options.onRouteRequest?.({
              routeKey: match.routeKey,
              statusCode: refused.statusCode,
              latencyMs: Date.now() - started,
            });
            options.log(
              `${options.regionKey} ${method} ${url} → ${refused.statusCode} (Lambda authorizer) ${Date.now() - started} ms`,
            );
            return;
          }
          authorizer = { lambda: decision.context };
        }
        const event = eventOf(authorizer);
        const outcome = await match.route.sandbox.invoke(event);
        if ('error' in outcome) {
          options.log(
            `${options.regionKey} ${match.route.sandbox.fn.name} failed: ${outcome.error.errorType}: ${outcome.error.errorMessage}\n  ${(outcome.error.stack ?? []).slice(1, 6).join('\n  ')}`,
          );
          result = internalServerError();
        } else {
          result = mapHttpApiResult(outcome.result);
        }
      }
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        result = apiGatewayError(413, 'Request Entity Too Large');
      } else {
        options.log(`${options.regionKey} ${method} ${url}: router error ${(error as Error).stack}`);
        result = internalServerError();
      }
    }
    send(response, result, requestId);
    if (routeKey !== undefined)
      options.onRouteRequest?.({ routeKey, statusCode: result.statusCode, latencyMs: Date.now() - started });
    options.log(`${options.regionKey} ${method} ${url} → ${result.statusCode} ${label} ${Date.now() - started} ms`);
  };

  /**
   * API Gateway's REQUEST authorizer: the identity sources present (else 401 without a call), the
   * result cached per their values for the TTL (by the local clock), `isAuthorized` false → 403.
   */
  const authorizerCache = new Map<string, { until: number; decision: AuthorizerDecision }>();
  async function runLambdaAuthorizer(
    custom: NonNullable<RegionRoute['lambdaAuthorizer']>,
    event: ReturnType<typeof buildHttpApiEvent>,
    routeKey: string,
  ): Promise<AuthorizerDecision> {
    const values = custom.identitySource.map((source) => {
      if (source.startsWith('$request.header.')) return event.headers[source.slice(16).toLowerCase()];
      if (source === '$context.routeKey') return routeKey;
      if (source.startsWith('$request.querystring.')) return event.queryStringParameters?.[source.slice(21)];
      return undefined;
    });
    if (values.some((v) => v === undefined || v === ''))
      return { statusCode: 401, message: 'Unauthorized', context: {} };
    const now = (options.now?.() ?? new Date()).getTime();
    const key = `${routeKey}\u0000${custom.sandbox.fn.logicalId}\u0000${JSON.stringify(values)}`;
    const cached = authorizerCache.get(key);
    if (cached && cached.until > now) return cached.decision;
    const { authorizer: _none, ...requestContext } = event.requestContext as typeof event.requestContext & {
      authorizer?: unknown;
    };
    const outcome = await custom.sandbox.invoke({
      version: '2.0',
      type: 'REQUEST',
      routeArn: `arn:aws:execute-api:local:${options.accountId}:${apiId}/$default/${event.requestContext.http.method}${event.rawPath}`,
      identitySource: values,
      routeKey,
      rawPath: event.rawPath,
      rawQueryString: event.rawQueryString,
      ...(event.cookies && { cookies: event.cookies }),
      headers: event.headers,
      ...(event.queryStringParameters && { queryStringParameters: event.queryStringParameters }),
      requestContext,
      ...(event.pathParameters && { pathParameters: event.pathParameters }),
    });
    if ('error' in outcome) {
      options.log(
        `${options.regionKey} authorizer ${custom.sandbox.fn.name} failed: ${outcome.error.errorType}: ${outcome.error.errorMessage}`,
      );
      // API Gateway answers 500 when the authorizer fails, and caches nothing.
      return { statusCode: 500, message: 'Internal Server Error', context: {} };
    }
    const result = outcome.result as { isAuthorized?: unknown; context?: Record<string, unknown> } | null;
    if (!custom.simpleResponses) throw new Error('the local router runs simple-response Lambda authorizers only');
    const decision: AuthorizerDecision =
      result?.isAuthorized === true
        ? { statusCode: 200, message: '', context: result.context ?? {} }
        : { statusCode: 403, message: 'Forbidden', context: {} };
    if (custom.resultTtlSeconds > 0)
      authorizerCache.set(key, { until: now + custom.resultTtlSeconds * 1000, decision });
    return decision;
  }

  const server: Server = createServer((request, response) => void handle(request, response));
  server.keepAliveTimeout = 5000;
  const listen = (on: number) =>
    new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(on, '127.0.0.1', () => {
        server.off('error', fail);
        done();
      });
    });
  // A given port is only tried now (a clash fails the start early) and opened with the routes.
  await listen(options.port);
  port = (server.address() as AddressInfo).port;
  if (options.port !== 0) await new Promise<void>((done) => server.close(() => done()));
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setRoutes: async (routes) => {
      const next = new RouteTable<RegionRoute>();
      for (const [routeKey, route] of routes) next.add(routeKey, route);
      table = next;
      if (!server.listening) await listen(port);
    },
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

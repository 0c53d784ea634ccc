/**
 * One WebSocket API of the templates (`AWS::ApiGatewayV2::Api`, `ProtocolType: WEBSOCKET`) on its
 * own loopback port: the upgrade at `/<stage>` runs `$connect`, each message is routed by the
 * API's route selection expression (else `$default`), either side's close runs `$disconnect`,
 * with the Lambda proxy events API Gateway sends; API Gateway's limits (128 KB messages, 10
 * minutes idle, 2 hours per connection, on the local clock); and the @connections management API
 * (`POST|GET|DELETE /<stage>/@connections/{connectionId}`) at the stage's callback URL, which
 * the AWS SDK's ApiGatewayManagementApiClient reaches as it would in the cloud.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { InvokeOutcome } from './lambda-runtime';

/** What a route invokes: a function's sandbox (or a test's stand-in for one). */
export interface WebSocketTarget {
  readonly fn: { readonly logicalId: string; readonly name: string };
  invoke(event: unknown): Promise<InvokeOutcome>;
}

/** API Gateway's WebSocket limits. */
export const webSocketLimits = {
  /** a message (frames reassembled) at most; larger closes the connection with 1009 */
  maxMessageBytes: 128 * 1024,
  idleSeconds: 10 * 60,
  maxConnectionSeconds: 2 * 3600,
} as const;

export interface WebSocketApiOptions {
  readonly regionKey: string;
  /** the region's AWS name, for domainName */
  readonly region: string;
  /** the API's local id (`Ref` of the API) */
  readonly apiId: string;
  readonly stage: string;
  readonly routeSelectionExpression: string;
  /** 0: a free port */
  readonly port: number;
  /** the local clock (limits, connectedAt, requestTimeEpoch). @default real time */
  readonly now?: () => Date;
  /** how often the idle and duration limits are checked, in real ms. @default 1000 */
  readonly checkEveryMs?: number;
  readonly log?: (line: string) => void;
}

export interface ClosedSession {
  readonly connectionId: string;
  readonly reason: 'idle' | 'duration';
}

export interface LocalWebSocketApi {
  /** `ws://127.0.0.1:<port>/<stage>`: where clients connect */
  readonly url: string;
  /** `http://127.0.0.1:<port>/<stage>`: the @connections endpoint (PRESENCE_CALLBACK_URL locally) */
  readonly callbackUrl: string;
  /** `http://127.0.0.1:<port>`: the local origin standing for `https://<api>.execute-api.<region>.amazonaws.com` */
  readonly origin: string;
  readonly port: number;
  /** Installs the routes (route key → target); until then every upgrade is refused with 503. */
  setRoutes(routes: ReadonlyMap<string, WebSocketTarget>): void;
  /**
   * Closes the sessions past a limit now (the clock moved) and waits for their `$disconnect`;
   * resolves with what it closed.
   */
  enforceLimits(): Promise<ClosedSession[]>;
  /** open connection ids */
  connections(): string[];
  close(): Promise<void>;
}

interface Connection {
  readonly id: string;
  readonly socket: WebSocket;
  readonly connectedAt: number;
  lastActiveAt: number;
  readonly sourceIp: string;
  readonly userAgent: string;
  /** set once: `$disconnect` runs once, whoever closed */
  disconnected?: Promise<void>;
  /** the status the next close reports to `$disconnect` when the server closes */
  closing?: { code: number; reason: string };
}

/** API Gateway's connection ids: 16 base64 characters, e.g. `L0SM9cOFvHcCIhw=`. */
export const newConnectionId = (): string => randomBytes(11).toString('base64');

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');
const requestTime = (d: Date) =>
  `${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;

/**
 * Evaluates `$request.body.<path>` on a message: the string (or number, boolean) at that JSON
 * path, else undefined (not JSON, absent, an object). Other expressions select nothing.
 */
export function selectRoute(expression: string, body: string): string | undefined {
  const match = /^\$request\.body\.([A-Za-z0-9_.]+)$/.exec(expression);
  if (!match) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  for (const key of match[1]!.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : undefined;
}

/** Headers as API Gateway's v1-style events hold them: names as sent, the last value and every value. */
function headersOf(rawHeaders: readonly string[]): {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
} {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const value = rawHeaders[i + 1]!;
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  return { headers, multiValueHeaders };
}

function queryOf(url: URL): {
  queryStringParameters?: Record<string, string>;
  multiValueQueryStringParameters?: Record<string, string[]>;
} {
  if ([...url.searchParams.keys()].length === 0) return {};
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    single[name] = value;
    multi[name] = [...(multi[name] ?? []), value];
  }
  return { queryStringParameters: single, multiValueQueryStringParameters: multi };
}

const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, {
    ...(text && { 'content-type': 'application/json' }),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(text);
};

/** An @connections error as API Gateway answers it; the SDK reads the name from `x-amzn-errortype`. */
const managementError = (response: ServerResponse, status: number, name: string, message: string | null) =>
  json(response, status, { message }, { 'x-amzn-errortype': name });

function refuseUpgrade(socket: Duplex, status: number, body: Buffer, contentType?: string): void {
  const reason =
    {
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      500: 'Internal Server Error',
      503: 'Service Unavailable',
    }[status] ?? 'Error';
  const head = [
    `HTTP/1.1 ${status} ${reason}`,
    'Connection: close',
    `Content-Length: ${body.length}`,
    ...(contentType ? [`Content-Type: ${contentType}`] : []),
    `x-amzn-RequestId: ${randomUUID()}`,
  ];
  socket.end(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), body]));
}

export async function startWebSocketApi(options: WebSocketApiOptions): Promise<LocalWebSocketApi> {
  const log = options.log ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  const stagePath = `/${options.stage}`;
  const domainName = `${options.apiId}.execute-api.${options.region}.amazonaws.com`;
  let routes: ReadonlyMap<string, WebSocketTarget> | undefined;
  const connections = new Map<string, Connection>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: webSocketLimits.maxMessageBytes });

  const baseContext = (connection: Pick<Connection, 'id' | 'connectedAt' | 'sourceIp' | 'userAgent'>, at: Date) => ({
    extendedRequestId: randomBytes(6).toString('base64'),
    requestTime: requestTime(at),
    messageDirection: 'IN',
    stage: options.stage,
    connectedAt: connection.connectedAt,
    requestTimeEpoch: at.getTime(),
    identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
    requestId: randomBytes(6).toString('base64'),
    domainName,
    connectionId: connection.id,
    apiId: options.apiId,
  });

  const invoke = async (routeKey: string, event: unknown): Promise<InvokeOutcome | undefined> => {
    const target = routes?.get(routeKey);
    if (!target) return undefined;
    const started = Date.now();
    const outcome = await target.invoke(event);
    const tail = 'error' in outcome ? `failed: ${outcome.error.errorType}: ${outcome.error.errorMessage}` : 'ok';
    log(`${options.regionKey} websocket ${routeKey} → ${target.fn.name} ${tail} ${Date.now() - started} ms`);
    return outcome;
  };

  const disconnect = (connection: Connection, code: number, reason: string): Promise<void> => {
    connection.disconnected ??= (async () => {
      connections.delete(connection.id);
      const at = now();
      await invoke('$disconnect', {
        headers: { Host: domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' },
        multiValueHeaders: { Host: [domainName], 'x-api-key': [''], 'X-Forwarded-For': [''], 'x-restapi': [''] },
        requestContext: {
          routeKey: '$disconnect',
          disconnectStatusCode: code,
          eventType: 'DISCONNECT',
          disconnectReason: reason,
          ...baseContext(connection, at),
        },
        isBase64Encoded: false,
      });
    })();
    return connection.disconnected;
  };

  /** The server closes: `$disconnect` runs at once, the socket is ended if the client does not answer. */
  const closeFromServer = (connection: Connection, code: number, reason: string): Promise<void> => {
    const done = disconnect(connection, code, reason);
    if (connection.socket.readyState === WebSocket.OPEN) connection.socket.close(code, reason);
    setTimeout(() => connection.socket.terminate(), 1000).unref();
    return done;
  };

  const onMessage = async (connection: Connection, data: RawData, isBinary: boolean) => {
    const at = now();
    connection.lastActiveAt = at.getTime();
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    const body = isBinary ? buffer.toString('base64') : buffer.toString('utf8');
    const selected = isBinary ? undefined : selectRoute(options.routeSelectionExpression, body);
    const routeKey = selected !== undefined && routes?.has(selected) ? selected : '$default';
    const context = {
      routeKey,
      messageId: randomBytes(6).toString('base64'),
      eventType: 'MESSAGE',
      ...baseContext(connection, at),
    };
    const outcome = await invoke(routeKey, { requestContext: context, body, isBase64Encoded: isBinary });
    // No route answers as API Gateway does; a failed integration is reported to the client.
    const failure = !outcome
      ? { message: 'Forbidden' }
      : 'error' in outcome
        ? { message: 'Internal server error' }
        : undefined;
    if (failure && connection.socket.readyState === WebSocket.OPEN) {
      connection.socket.send(JSON.stringify({ ...failure, connectionId: connection.id, requestId: context.requestId }));
    }
  };

  const onUpgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const url = new URL(request.url ?? '/', 'http://local');
    if (url.pathname !== stagePath && url.pathname !== `${stagePath}/`) {
      return refuseUpgrade(socket, 403, Buffer.from(JSON.stringify({ message: 'Forbidden' })), 'application/json');
    }
    if (!routes) return refuseUpgrade(socket, 503, Buffer.from(JSON.stringify({ message: 'Service Unavailable' })));
    const at = now();
    const connection = {
      id: newConnectionId(),
      connectedAt: at.getTime(),
      sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
      userAgent: String(request.headers['user-agent'] ?? ''),
    };
    const outcome = await invoke('$connect', {
      ...headersOf(request.rawHeaders),
      ...queryOf(url),
      requestContext: { routeKey: '$connect', eventType: 'CONNECT', ...baseContext(connection, at) },
      isBase64Encoded: false,
    });
    if (outcome && 'error' in outcome) {
      return refuseUpgrade(
        socket,
        500,
        Buffer.from(JSON.stringify({ message: 'Internal server error' })),
        'application/json',
      );
    }
    const result = (outcome?.result ?? {}) as {
      statusCode?: unknown;
      body?: unknown;
      headers?: Record<string, unknown>;
      isBase64Encoded?: unknown;
    };
    const status = typeof result.statusCode === 'number' ? result.statusCode : 200;
    if (status < 200 || status > 299) {
      const body =
        typeof result.body === 'string'
          ? Buffer.from(result.body, result.isBase64Encoded === true ? 'base64' : 'utf8')
          : Buffer.alloc(0);
      const contentType = Object.entries(result.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
      log(`${options.regionKey} websocket $connect refused ${status}`);
      return refuseUpgrade(socket, status, body, typeof contentType === 'string' ? contentType : undefined);
    }
    if (socket.destroyed) return;
    wss.handleUpgrade(request, socket, head, (ws) => {
      const live: Connection = { ...connection, socket: ws, lastActiveAt: connection.connectedAt };
      connections.set(live.id, live);
      ws.on('message', (data, isBinary) => void onMessage(live, data, isBinary));
      ws.on('error', (error: Error & { code?: string }) => {
        // ws closes the connection itself on an oversized message (1009).
        if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')
          live.closing = { code: 1009, reason: 'Message too big' };
      });
      ws.on('close', (code, reason) => {
        const closing = live.closing ?? { code, reason: reason.toString('utf8') };
        void disconnect(live, closing.code, closing.reason);
      });
    });
  };

  const onManagement = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://local');
    const match = new RegExp(`^${stagePath}/@connections/([^/]+)$`).exec(url.pathname);
    if (!match) return json(response, 403, { message: 'Forbidden' });
    const connectionId = decodeURIComponent(match[1]!);
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const connection = connections.get(connectionId);
    if (!connection || connection.socket.readyState !== WebSocket.OPEN) {
      return managementError(response, 410, 'GoneException', null);
    }
    switch (request.method) {
      case 'POST':
        if (body.length > webSocketLimits.maxMessageBytes) {
          return managementError(response, 413, 'PayloadTooLargeException', 'Message too long');
        }
        connection.socket.send(body.toString('utf8'));
        return json(response, 200, undefined);
      case 'GET':
        return json(response, 200, {
          connectedAt: new Date(connection.connectedAt).toISOString(),
          identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
          lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
        });
      case 'DELETE':
        await closeFromServer(connection, 1000, '');
        return json(response, 204, undefined);
      default:
        return json(response, 403, { message: 'Forbidden' });
    }
  };

  const enforceLimits = async (): Promise<ClosedSession[]> => {
    const at = now().getTime();
    const closed: ClosedSession[] = [];
    const done: Promise<void>[] = [];
    for (const connection of [...connections.values()]) {
      const reason =
        at - connection.connectedAt >= webSocketLimits.maxConnectionSeconds * 1000
          ? 'duration'
          : at - connection.lastActiveAt >= webSocketLimits.idleSeconds * 1000
            ? 'idle'
            : undefined;
      if (!reason) continue;
      log(`${options.regionKey} websocket ${connection.id} closed: ${reason} limit`);
      closed.push({ connectionId: connection.id, reason });
      done.push(closeFromServer(connection, 1001, 'Going away'));
    }
    await Promise.all(done);
    return closed;
  };

  const server: Server = createServer((request, response) => {
    onManagement(request, response).catch((error: Error) => {
      log(`${options.regionKey} websocket @connections: ${error.stack}`);
      if (!response.headersSent) json(response, 500, { message: 'Internal server error' });
    });
  });
  server.on('upgrade', (request, socket, head) => {
    onUpgrade(request, socket, head).catch((error: Error) => {
      log(`${options.regionKey} websocket upgrade: ${error.stack}`);
      refuseUpgrade(socket, 500, Buffer.from(JSON.stringify({ message: 'Internal server error' })));
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port, '127.0.0.1', () => done());
  });
  const port = (server.address() as AddressInfo).port;
  const timer = setInterval(() => void enforceLimits(), options.checkEveryMs ?? 1000);
  timer.unref();
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `ws://127.0.0.1:${port}${stagePath}`,
    callbackUrl: `${origin}${stagePath}`,
    origin,
    port,
    setRoutes: (next) => {
      routes = next;
    },
    enforceLimits,
    connections: () => [...connections.keys()],
    close: async () => {
      clearInterval(timer);
      // A stopping cloud runs no $disconnect: the sandboxes are going too.
      for (const connection of connections.values()) connection.disconnected ??= Promise.resolve();
      connections.clear();
      for (const client of wss.clients) client.close(1001, 'Going away');
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
    },
  };
}

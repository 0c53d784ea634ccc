/**
 * The local WebSocket API (local/websocket.ts) on a free port, with recording stand-ins for the
 * functions: $connect refusals, route selection by `op`, the @connections API through the AWS
 * SDK, and API Gateway's limits on the local clock.
 */
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import WebSocket from 'ws';
import { LocalClock } from '#local/clock';
import type { InvokeOutcome } from '#local/lambda-runtime';
import { startWebSocketApi, type LocalWebSocketApi, type WebSocketTarget } from '#local/websocket';

jest.setTimeout(20_000);

interface ProxyEvent {
  requestContext: Record<string, unknown> & { routeKey: string; eventType: string; connectionId: string };
  body?: string;
  isBase64Encoded?: boolean;
  headers?: Record<string, string>;
  queryStringParameters?: Record<string, string>;
}

/** A route's stand-in function: records its events and answers with `answer(event)`. */
function recorder(
  name: string,
  answer: (event: ProxyEvent) => InvokeOutcome = () => ({ result: { statusCode: 200 } }),
) {
  const events: ProxyEvent[] = [];
  const target: WebSocketTarget = {
    fn: { logicalId: name, name },
    invoke: async (event) => {
      events.push(event as ProxyEvent);
      return answer(event as ProxyEvent);
    },
  };
  return { events, target };
}

const eventually = async (check: () => boolean, timeoutMs = 5000) => {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((done) => setTimeout(done, 10));
  }
};

/** Opens a client; resolves with it and the frames it receives, or rejects with the refusal's status and body. */
function open(url: string): Promise<{ socket: WebSocket; frames: string[]; closed: Promise<{ code: number }> }> {
  return new Promise((done, fail) => {
    const socket = new WebSocket(url);
    const frames: string[] = [];
    const closed = new Promise<{ code: number }>((c) => socket.on('close', (code) => c({ code })));
    socket.on('message', (data) => frames.push(data.toString()));
    socket.on('open', () => done({ socket, frames, closed }));
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () =>
        fail(
          Object.assign(new Error('refused'), {
            status: response.statusCode,
            body,
            type: response.headers['content-type'],
          }),
        ),
      );
    });
    socket.on('error', () => undefined);
  });
}

describe('the local WebSocket API', () => {
  const clock = new LocalClock();
  const connect = recorder('connect', (event) =>
    event.queryStringParameters?.['installation'] === 'unknown'
      ? {
          result: {
            statusCode: 403,
            headers: { 'content-type': 'application/problem+json' },
            body: '{"title":"Forbidden"}',
          },
        }
      : { result: { statusCode: 200 } },
  );
  const disconnect = recorder('disconnect');
  const byDefault = recorder('default');
  const subscribe = recorder('subscribe');
  let api: LocalWebSocketApi;
  let management: ApiGatewayManagementApiClient;

  beforeAll(async () => {
    api = await startWebSocketApi({
      regionKey: 'eu',
      region: 'eu-central-1',
      apiId: 'abc123',
      stage: 'v1',
      routeSelectionExpression: '$request.body.op',
      port: 0,
      now: () => clock.now(),
      // Limits are enforced on clock moves in these tests (the cloud's POST /local/clock does the same).
      checkEveryMs: 60_000,
    });
    api.setRoutes(
      new Map([
        ['$connect', connect.target],
        ['$disconnect', disconnect.target],
        ['$default', byDefault.target],
        ['subscribe', subscribe.target],
      ]),
    );
    management = new ApiGatewayManagementApiClient({
      endpoint: api.callbackUrl,
      region: 'eu-central-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  afterAll(async () => {
    management.destroy();
    await api.close();
  });

  it("refuses the upgrade with $connect's status, body and content type", async () => {
    // Act
    const refusal = await open(`${api.url}?installation=unknown`).catch((error: unknown) => error);

    // Assert
    expect(refusal).toMatchObject({ status: 403, body: '{"title":"Forbidden"}', type: 'application/problem+json' });
    expect(api.connections()).toEqual([]);
  });

  it("hands $connect API Gateway's CONNECT event: headers, query, and the request context", async () => {
    // Act
    const { socket } = await open(`${api.url}?installation=inst-1`);

    // Assert
    const event = connect.events.at(-1)!;
    expect(event.queryStringParameters).toEqual({ installation: 'inst-1' });
    expect(event.headers?.['Sec-WebSocket-Version']).toBe('13');
    expect(event.requestContext).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      stage: 'v1',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-central-1.amazonaws.com',
      messageDirection: 'IN',
      identity: { sourceIp: '127.0.0.1' },
      connectedAt: expect.any(Number),
      requestTimeEpoch: expect.any(Number),
      requestId: expect.any(String),
    });
    expect(event.requestContext.connectionId).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    expect(api.connections()).toContain(event.requestContext.connectionId);
    socket.close();
  });

  it('routes a message by its op, and anything else to $default', async () => {
    // Arrange
    const { socket } = await open(`${api.url}?installation=inst-2`);
    const connectionId = connect.events.at(-1)!.requestContext.connectionId;

    // Act
    socket.send(JSON.stringify({ op: 'subscribe', id: '1', users: ['a@contoso.example'] }));
    socket.send(JSON.stringify({ op: 'ping' }));
    socket.send('not json');
    await eventually(() => subscribe.events.length >= 1 && byDefault.events.length >= 2);

    // Assert
    expect(subscribe.events.at(-1)).toMatchObject({
      body: '{"op":"subscribe","id":"1","users":["a@contoso.example"]}',
      isBase64Encoded: false,
      requestContext: { routeKey: 'subscribe', eventType: 'MESSAGE', connectionId, messageId: expect.any(String) },
    });
    expect(byDefault.events.map((e) => e.body).sort()).toEqual(['not json', '{"op":"ping"}'].sort());
    socket.close();
  });

  it('delivers an @connections POST to the client, describes it on GET, and answers 410 GoneException once closed', async () => {
    // Arrange
    const { socket, frames, closed } = await open(`${api.url}?installation=inst-3`);
    const connectionId = connect.events.at(-1)!.requestContext.connectionId;

    // Act
    await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: '{"op":"pong"}' }));
    await eventually(() => frames.length === 1);
    const described = await management.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    socket.close(1000, 'bye');
    await closed;
    await eventually(() => disconnect.events.some((e) => e.requestContext.connectionId === connectionId));
    const gone = await management
      .send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: '{}' }))
      .catch((error: unknown) => error);

    // Assert
    expect(frames).toEqual(['{"op":"pong"}']);
    expect(described.ConnectedAt).toBeInstanceOf(Date);
    expect(described.Identity?.SourceIp).toBe('127.0.0.1');
    expect(gone).toBeInstanceOf(GoneException);
    expect(disconnect.events.find((e) => e.requestContext.connectionId === connectionId)?.requestContext).toMatchObject(
      { routeKey: '$disconnect', eventType: 'DISCONNECT', disconnectStatusCode: 1000, disconnectReason: 'bye' },
    );
  });

  it('closes a connection on an @connections DELETE and runs $disconnect', async () => {
    // Arrange
    const { closed } = await open(`${api.url}?installation=inst-4`);
    const connectionId = connect.events.at(-1)!.requestContext.connectionId;

    // Act
    await management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));

    // Assert
    await expect(closed).resolves.toEqual({ code: 1000 });
    expect(disconnect.events.some((e) => e.requestContext.connectionId === connectionId)).toBe(true);
    expect(api.connections()).not.toContain(connectionId);
  });

  it('closes a message over 128 KB with 1009 and runs $disconnect', async () => {
    // Arrange
    const { socket, closed } = await open(`${api.url}?installation=inst-5`);
    const connectionId = connect.events.at(-1)!.requestContext.connectionId;

    // Act
    socket.send('x'.repeat(128 * 1024 + 1));

    // Assert
    await expect(closed).resolves.toEqual({ code: 1009 });
    await eventually(() => disconnect.events.some((e) => e.requestContext.connectionId === connectionId));
    expect(
      disconnect.events.find((e) => e.requestContext.connectionId === connectionId)?.requestContext
        .disconnectStatusCode,
    ).toBe(1009);
  });

  it('accepts a message of exactly 128 KB', async () => {
    // Arrange
    const { socket } = await open(`${api.url}?installation=inst-6`);
    const before = byDefault.events.length;

    // Act
    socket.send('y'.repeat(128 * 1024));

    // Assert
    await eventually(() => byDefault.events.length === before + 1);
    expect(byDefault.events.at(-1)?.body).toHaveLength(128 * 1024);
    socket.close();
  });

  it('closes a session idle 10 minutes, and any session after 2 hours, as the clock moves', async () => {
    // Arrange: one session kept busy, one left idle
    const busy = await open(`${api.url}?installation=inst-busy`);
    const busyId = connect.events.at(-1)!.requestContext.connectionId;
    const idle = await open(`${api.url}?installation=inst-idle`);
    const idleId = connect.events.at(-1)!.requestContext.connectionId;

    // Act: 9 minutes on, a ping from the busy one, 1 more minute
    clock.advance(9 * 60);
    busy.socket.send('{"op":"ping"}');
    await eventually(() => byDefault.events.some((e) => e.requestContext.connectionId === busyId));
    clock.advance(60);
    const afterTenMinutes = await api.enforceLimits();

    // Assert: the idle one is gone, the busy one stays
    expect(afterTenMinutes).toEqual([{ connectionId: idleId, reason: 'idle' }]);
    await expect(idle.closed).resolves.toEqual({ code: 1001 });
    expect(api.connections()).toContain(busyId);

    // Act: past 2 hours, though it keeps talking
    for (let minute = 10; minute < 120; minute += 5) {
      clock.advance(5 * 60);
      busy.socket.send('{"op":"ping"}');
    }
    await new Promise((done) => setTimeout(done, 100));
    const afterTwoHours = await api.enforceLimits();

    // Assert
    expect(afterTwoHours).toEqual([{ connectionId: busyId, reason: 'duration' }]);
    await expect(busy.closed).resolves.toEqual({ code: 1001 });
    const disconnected = disconnect.events.find((e) => e.requestContext.connectionId === busyId);
    expect(disconnected?.requestContext).toMatchObject({ disconnectStatusCode: 1001, disconnectReason: 'Going away' });
  });

  it('answers an unknown connection 410 GoneException', async () => {
    const error = await management
      .send(new PostToConnectionCommand({ ConnectionId: 'AAAAAAAAAAAAAAA=', Data: '{}' }))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(GoneException);
  });
});

describe('the local WebSocket API on its own timer', () => {
  it('closes sessions past a limit without being asked, once the clock has moved', async () => {
    // Arrange
    const clock = new LocalClock();
    const disconnect = recorder('disconnect');
    const api = await startWebSocketApi({
      regionKey: 'us',
      region: 'us-east-1',
      apiId: 'def456',
      stage: 'v1',
      routeSelectionExpression: '$request.body.op',
      port: 0,
      now: () => clock.now(),
      checkEveryMs: 20,
    });
    api.setRoutes(new Map([['$disconnect', disconnect.target]]));
    const { closed } = await open(api.url);

    // Act
    clock.advance(2 * 3600);

    // Assert
    await expect(closed).resolves.toEqual({ code: 1001 });
    await eventually(() => disconnect.events.length === 1);
    await api.close();
  });
});

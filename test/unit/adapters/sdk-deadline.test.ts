/**
 * Dependency timeouts, with a local TCP server that accepts and never answers (a fault no emulator
 * produces): the call gives up within the invocation's budget and the route answers 503 with
 * Retry-After, never a Lambda timeout or a bare 500.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Context } from 'aws-lambda';
import { generateIdentityKeys } from '#agent/sdk/signing';
import { signedEvent } from '#test/support/in-process-lambda';
import { ServiceUnavailableError } from '#lambdas/core/errors';
import { KinesisTelemetryStream } from '#lambdas/adapters/kinesis-telemetry-stream';
import { cappedHttpHandler, withDeadline } from '#lambdas/adapters/sdk-deadline';
import { attemptCaps, longestCallMs } from '#lambdas/shared/invocation-deadline';
import { withHouseStack } from '#lambdas/shared/handler-stack';

jest.setTimeout(20_000);

let server: Server;
let endpoint: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  endpoint = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const contextWith = (remainingMs: number) => {
  const deadline = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => deadline - Date.now() } as unknown as Context;
};

describe('a DynamoDB that never answers', () => {
  it('answers the licence poll 503 problem+json with Retry-After within the invocation', async () => {
    Object.assign(process.env, {
      AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      REGION_KEY: 'eu',
      REGION_ENDPOINTS: JSON.stringify({ eu: 'https://eu.example', us: 'https://us.example' }),
      TABLE_NAME: 'licensing',
      SIGNING_KEY_REF: 'arn:aws:kms:eu-central-1:000000000000:key/never-used',
      POWERTOOLS_LOG_LEVEL: 'CRITICAL',
    });
    let handler!: (
      event: unknown,
      context: Context,
    ) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;
    jest.isolateModules(() => {
      handler = require('#lambdas/handlers/get-license').handler;
    });
    const identity = await generateIdentityKeys();
    const event = await signedEvent(
      'GET',
      '/v1/installations/inst_timeout0001/license',
      'GET /v1/installations/{id}/license',
      { id: 'inst_timeout0001' },
      { keyid: 'inst_timeout0001', privateKey: identity.privateKey },
    );

    const started = Date.now();
    const answer = await handler(event, contextWith(2_000));
    const elapsed = Date.now() - started;

    expect(answer.statusCode).toBe(503);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.headers['retry-after']).toBe('2');
    expect(JSON.parse(answer.body)).toMatchObject({ status: 503, type: expect.stringMatching(/unavailable$/) });
    expect(elapsed).toBeLessThan(2_000);
  });
});

/** The ingest's stream put, in the house stack, against a Kinesis at `at`. */
function streamPutAt(at: string) {
  const kinesis = withDeadline(
    new KinesisClient({
      region: 'eu-central-1',
      endpoint: at,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestHandler: cappedHttpHandler(attemptCaps.kinesis),
    }),
    attemptCaps.kinesis,
    'The telemetry stream',
  );
  const stream = new KinesisTelemetryStream('telemetry', kinesis);
  return withHouseStack(async () => stream.put([{ partitionKey: 'inst_x', data: new Uint8Array([1]) }]));
}

describe('a Kinesis that never answers', () => {
  it('gives up within the remaining time, not after three 5 s attempts', async () => {
    const put = streamPutAt(endpoint);

    const started = Date.now();
    const outcome = put({}, contextWith(1_500)).catch((error: unknown) => error);
    const error = await outcome;
    const elapsed = Date.now() - started;

    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).retryAfterSeconds).toBe(2);
    expect(elapsed).toBeLessThan(1_500);
  });
});

describe('a Kinesis that answers 500 to every attempt', () => {
  it('answers the retryable 503 once the SDK has retried, not a bare 500', async () => {
    // Arrange: an HTTP server failing every request as a broken service does (a fault no emulator produces)
    const failing = createHttpServer((_request, response) => {
      response.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ __type: 'InternalFailure', message: 'broken' }));
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const { port } = failing.address() as { port: number };
    const put = streamPutAt(`http://127.0.0.1:${port}`);

    // Act
    const error = await put({}, contextWith(5_000)).catch((e: unknown) => e);
    failing.closeAllConnections();
    await new Promise((resolve) => failing.close(resolve));

    // Assert
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).message).toMatch(/The telemetry stream is unavailable right now/);
  });
});

describe('the options a call is sent with', () => {
  /** a client that answers at once and keeps what each call was sent with */
  const recording = () => {
    const sent: ({ abortSignal?: AbortSignal; requestTimeout?: number } | undefined)[] = [];
    const client = withDeadline(
      { send: async (_command: unknown, options?: (typeof sent)[number]) => void sent.push(options) },
      attemptCaps.dynamodb,
      'The database',
    );
    return { client, sent };
  };

  it('sends a call as it is when no run of attempts at their caps can outlast its budget', async () => {
    const { client, sent } = recording();
    const remaining = longestCallMs(attemptCaps.dynamodb) * 2;

    await withHouseStack(async () => client.send({} as never))({}, contextWith(remaining));

    expect(sent).toEqual([undefined]);
  });

  it("sends a read-only client's call as it is even near the deadline: the race answers on time", async () => {
    const sent: unknown[] = [];
    let release!: () => void;
    const client = withDeadline(
      {
        send: (_command: unknown, options?: unknown) => {
          sent.push(options);
          return new Promise<void>((resolve) => {
            release = resolve;
          });
        },
      },
      attemptCaps.dynamodb,
      'The database',
      'race',
    );

    const started = Date.now();
    const answer = await withHouseStack(async () => client.send({} as never))({}, contextWith(600)).catch(
      (error: unknown) => error,
    );
    release();

    expect(sent).toEqual([undefined]);
    expect(answer).toBeInstanceOf(ServiceUnavailableError);
    expect(Date.now() - started).toBeLessThan(600);
  });

  it('gives a call near the deadline its own abort signal and an attempt timeout within its budget', async () => {
    const { client, sent } = recording();

    await withHouseStack(async () => client.send({} as never))({}, contextWith(5_000));

    expect(sent[0]?.abortSignal).toBeInstanceOf(AbortSignal);
    expect(sent[0]?.requestTimeout).toBe(attemptCaps.dynamodb.attemptMs);
  });
});

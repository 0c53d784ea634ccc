/**
 * WebSocket and SQS served by a whole local cloud (local/main.ts) from a tiny synthesized
 * assembly: a WebSocket API (routes by `op`), an HTTP API, a queue with a DLQ and its mapping,
 * and a presence token key, with two plain functions that reach @connections and the queue
 * through the variables the template gives them. The real Presence handlers are tested elsewhere.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { HttpApi, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import WebSocket from 'ws';
import { type CloudProcess, startCloudProcess } from '#test/support/local-cloud';

jest.setTimeout(180_000);

/** One function for every WebSocket route: `echo` answers through @connections, `fan` goes through the queue. */
const sessionHandler = `
const post = (connectionId, data) =>
  fetch(process.env.PRESENCE_CALLBACK_URL + '/@connections/' + encodeURIComponent(connectionId), {
    method: 'POST',
    body: JSON.stringify(data),
  });
export const handler = async (event) => {
  const { routeKey, connectionId } = event.requestContext;
  if (routeKey === '$connect') {
    return event.queryStringParameters?.deny
      ? { statusCode: 401, headers: { 'content-type': 'application/json' }, body: '{"title":"Unauthorized"}' }
      : { statusCode: 200 };
  }
  if (routeKey === '$disconnect') return { statusCode: 200 };
  const frame = JSON.parse(event.body);
  if (routeKey === 'echo') {
    await post(connectionId, { op: 'echo', env: {
      PRESENCE_CALLBACK_URL: process.env.PRESENCE_CALLBACK_URL,
      QUEUE_URL: process.env.QUEUE_URL,
      PRESENCE_NOTIFICATION_URL: process.env.PRESENCE_NOTIFICATION_URL,
      PRESENCE_TOKEN_KEY: process.env.PRESENCE_TOKEN_KEY,
      PRESENCE_CERTIFICATE_SECRET: process.env.PRESENCE_CERTIFICATE_SECRET,
      MS_AUTHORITY_HOST: process.env.MS_AUTHORITY_HOST,
      MS_IDENTITY_CA_FILE: process.env.MS_IDENTITY_CA_FILE,
      AWS_ENDPOINT_URL_SQS: process.env.AWS_ENDPOINT_URL_SQS,
    } });
  } else if (frame.op === 'fan') {
    const response = await fetch(process.env.AWS_ENDPOINT_URL_SQS, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' },
      body: JSON.stringify({ QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify({ connectionId, text: frame.text, sentAt: Date.now() }) }),
    });
    if (!response.ok) throw new Error('SendMessage: ' + response.status + ' ' + (await response.text()));
  } else {
    await post(connectionId, { op: 'default', body: event.body });
  }
  return { statusCode: 200 };
};
`;

/** The queue's consumer: each message to its session; a 'poison' text fails (and ends in the DLQ). */
const fanOutHandler = `
export const handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records) {
    const { connectionId, text, sentAt } = JSON.parse(record.body);
    if (text === 'poison') { batchItemFailures.push({ itemIdentifier: record.messageId }); continue; }
    await fetch(process.env.PRESENCE_CALLBACK_URL + '/@connections/' + encodeURIComponent(connectionId), {
      method: 'POST',
      body: JSON.stringify({ op: 'fanned', text, sentAt, receiveCount: record.attributes.ApproximateReceiveCount }),
    });
  }
  return { batchItemFailures };
};
`;

function synthesizeFixture(outdir: string): void {
  const code = (name: string, source: string) => {
    const dir = join(outdir, '..', 'src', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.mjs'), source);
    return Code.fromAsset(dir);
  };
  const app = new App({ outdir });
  const stack = new Stack(app, 'fixture-eu', { env: { account: '000000000000', region: 'eu-central-1' } });
  const http = new HttpApi(stack, 'HttpApi');
  const key = new Key(stack, 'PresenceTokenKey');
  const certificate = new Secret(stack, 'PresenceNotificationCertificate');
  const deadLetterQueue = new Queue(stack, 'FanOutDlq');
  const queue = new Queue(stack, 'FanOutQueue', {
    visibilityTimeout: Duration.seconds(60),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 3 },
  });
  const api = new WebSocketApi(stack, 'PresenceApi', { routeSelectionExpression: '$request.body.op' });
  const stage = new WebSocketStage(stack, 'PresenceStage', { webSocketApi: api, stageName: 'v1', autoDeploy: true });
  const session = new LambdaFunction(stack, 'Session', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: code('session', sessionHandler),
    environment: {
      PRESENCE_CALLBACK_URL: stage.callbackUrl,
      QUEUE_URL: queue.queueUrl,
      PRESENCE_NOTIFICATION_URL: `${http.url}v1/presence/notifications`,
      PRESENCE_TOKEN_KEY: key.keyArn,
      PRESENCE_CERTIFICATE_SECRET: certificate.secretArn,
      MS_AUTHORITY_HOST: 'https://login.microsoftonline.com',
    },
  });
  const fanOut = new LambdaFunction(stack, 'FanOut', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    timeout: Duration.seconds(10),
    code: code('fan-out', fanOutHandler),
    environment: { PRESENCE_CALLBACK_URL: stage.callbackUrl },
  });
  fanOut.addEventSource(new SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }));
  for (const routeKey of ['$connect', '$disconnect', '$default', 'echo']) {
    api.addRoute(routeKey, { integration: new WebSocketLambdaIntegration(`${routeKey}Integration`, session) });
  }
  app.synth();
}

interface Client {
  readonly socket: WebSocket;
  readonly frames: Record<string, unknown>[];
  readonly closed: Promise<number>;
  next(op: string): Promise<Record<string, unknown>>;
}

function open(url: string): Promise<Client> {
  return new Promise((done, fail) => {
    const socket = new WebSocket(url);
    const frames: Record<string, unknown>[] = [];
    const closed = new Promise<number>((c) => socket.on('close', (code) => c(code)));
    socket.on('message', (data) => frames.push(JSON.parse(data.toString()) as Record<string, unknown>));
    const next = async (op: string) => {
      const until = Date.now() + 10_000;
      for (;;) {
        const at = frames.findIndex((f) => f['op'] === op);
        if (at >= 0) return frames.splice(at, 1)[0]!;
        if (Date.now() > until) throw new Error(`no ${op} frame; got ${JSON.stringify(frames)}`);
        await new Promise((d) => setTimeout(d, 5));
      }
    };
    socket.on('open', () => done({ socket, frames, closed, next }));
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => fail(Object.assign(new Error('refused'), { status: response.statusCode, body })));
    });
    socket.on('error', () => undefined);
  });
}

describe('WebSocket and SQS in a local cloud started from a synthesized assembly', () => {
  const root = mkdtempSync(join(tmpdir(), 'ucx-ws-fixture-'));
  let cloud: CloudProcess;
  const eu = () => cloud.info.regions.eu;

  beforeAll(async () => {
    synthesizeFixture(join(root, 'cdk.out'));
    cloud = await startCloudProcess({
      dataDir: join(root, 'data'),
      fresh: true,
      assemblyDir: join(root, 'cdk.out'),
      extraArgs: ['--sqs-retry-delay-ms', '20', '--no-schedules'],
    });
  });

  afterAll(async () => {
    await cloud?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it("writes the region's presence URL and the new resources into cloud.json", () => {
    expect(eu().presence).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(eu().endpoints.sqs).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const resource = (prefix: string) =>
      Object.entries(eu().resources).find(([logicalId]) => logicalId.startsWith(prefix))?.[1];
    expect(resource('PresenceTokenKey')).toMatch(/^file:.*\/keys\/eu-presence-token\.json$/);
    expect(resource('FanOutQueue')).toMatch(/^fixture-eu-fanoutqueue/);
    expect(resource('PresenceApi')).toMatch(/^fixture-eu-presenceapi/);
  });

  it('refuses the upgrade when $connect answers 401', async () => {
    const refusal = await open(`${eu().presence}?deny=1`).catch((error: unknown) => error);

    expect(refusal).toMatchObject({ status: 401, body: '{"title":"Unauthorized"}' });
  });

  it('routes by op, and gives the functions local URLs for the stage, the queue and the HTTP API', async () => {
    // Arrange
    const client = await open(eu().presence!);

    // Act
    client.socket.send('{"op":"echo"}');
    const echo = await client.next('echo');
    client.socket.send('{"op":"other"}');
    const fallback = await client.next('default');

    // Assert
    const stagePort = new URL(eu().presence!).port;
    expect(echo['env']).toEqual({
      PRESENCE_CALLBACK_URL: `http://127.0.0.1:${stagePort}/v1`,
      QUEUE_URL: expect.stringMatching(new RegExp(`^${eu().endpoints.sqs}/000000000000/fixture-eu-fanoutqueue`)),
      PRESENCE_NOTIFICATION_URL: `${eu().api}/v1/presence/notifications`,
      PRESENCE_TOKEN_KEY: expect.stringMatching(/^file:.*\/keys\/eu-presence-token\.json$/),
      PRESENCE_CERTIFICATE_SECRET: expect.stringMatching(/^file:.*\/keys\/eu-presence-certificate\.json$/),
      MS_AUTHORITY_HOST: new URL(cloud.info.identity.authority).origin,
      MS_IDENTITY_CA_FILE: expect.stringMatching(/\/keys\/graph-identity-ca\.pem$/),
      AWS_ENDPOINT_URL_SQS: eu().endpoints.sqs,
    });
    const file = (ref: unknown) => JSON.parse(readFileSync(String(ref).replace(/^file:/, ''), 'utf8')) as unknown;
    const env = echo['env'] as Record<string, string>;
    expect(file(env['PRESENCE_TOKEN_KEY'])).toEqual({ kty: 'oct', k: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(file(env['PRESENCE_CERTIFICATE_SECRET'])).toEqual({
      id: expect.any(String),
      certificate: expect.stringContaining('-----BEGIN CERTIFICATE-----'),
      privateKey: expect.stringContaining('PRIVATE KEY-----'),
    });
    expect(readFileSync(env['MS_IDENTITY_CA_FILE']!, 'utf8')).toBe(cloud.info.identity.ca);
    expect(fallback).toEqual({ op: 'default', body: '{"op":"other"}' });
    client.socket.close();
  });

  it('fans a message out through the queue and its mapping to the session, promptly', async () => {
    // Arrange
    const client = await open(eu().presence!);
    client.socket.send('{"op":"fan","text":"warm-up"}');
    await client.next('fanned');

    // Act
    const sentAt = Date.now();
    client.socket.send('{"op":"fan","text":"busy"}');
    const fanned = await client.next('fanned');

    // Assert
    expect(fanned).toMatchObject({ text: 'busy', receiveCount: '1' });
    expect(Date.now() - sentAt).toBeLessThan(250);
    client.socket.close();
  });

  it('retries a failed item and then moves it to the dead-letter queue', async () => {
    // Arrange
    const client = await open(eu().presence!);

    // Act
    client.socket.send('{"op":"fan","text":"poison"}');
    let queues: Record<string, { body: string }[]> = {};
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      queues = ((await (await fetch(`${eu().api}/local/queues`)).json()) as { queues: typeof queues }).queues;
      if (Object.values(queues).some((messages) => messages.some((m) => m.body.includes('poison')))) break;
      await new Promise((d) => setTimeout(d, 50));
    }

    // Assert
    const [dlq] = Object.entries(queues).find(([, messages]) => messages.some((m) => m.body.includes('poison'))) ?? [];
    expect(dlq).toMatch(/^fixture-eu-fanoutdlq/);
    client.socket.close();
  });

  it('closes sessions when POST /local/clock moves past 2 hours, and reports them', async () => {
    // Arrange
    const client = await open(eu().presence!);

    // Act
    const moved = await fetch(`${eu().api}/local/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceSeconds: 2 * 3600 }),
    });

    // Assert
    expect(moved.status).toBe(200);
    const body = (await moved.json()) as { sessionsClosed: { reason: string }[] };
    expect(body.sessionsClosed).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'duration' })]));
    await expect(client.closed).resolves.toBe(1001);
  });
});

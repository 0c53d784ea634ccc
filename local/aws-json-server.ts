/**
 * An HTTP server speaking the AWS JSON 1.1 protocol (POST, `X-Amz-Target`, a JSON body, a JSON
 * answer with a request id): the shared plumbing of the local Athena and EventBridge stand-ins.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AwsJsonRequest {
  readonly method: string | undefined;
  readonly target: string | undefined;
  readonly authorization: string | undefined;
  readonly body: Buffer;
}

export interface AwsJsonAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface AwsJsonServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  stop(): Promise<void>;
}

const readBody = (request: IncomingMessage): Promise<Buffer> =>
  new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => done(Buffer.concat(chunks)));
    request.on('error', fail);
  });

/** Serves `handle` on 127.0.0.1:`port` (0: a free one); a thrown error answers 500 with `internalType`. */
export async function startAwsJsonServer(options: {
  readonly port: number;
  readonly internalType: string;
  readonly handle: (request: AwsJsonRequest) => AwsJsonAnswer | Promise<AwsJsonAnswer>;
}): Promise<AwsJsonServer> {
  const server: Server = createServer((request, response) => {
    void (async () => {
      let answer: AwsJsonAnswer;
      try {
        answer = await options.handle({
          method: request.method,
          target: request.headers['x-amz-target'] as string | undefined,
          authorization: request.headers.authorization,
          body: await readBody(request),
        });
      } catch (error) {
        answer = { status: 500, body: { __type: options.internalType, message: (error as Error).message } };
      }
      const payload = Buffer.from(JSON.stringify(answer.body));
      response.writeHead(answer.status, {
        'content-type': 'application/x-amz-json-1.1',
        'content-length': String(payload.length),
        'x-amzn-requestid': randomUUID(),
      });
      response.end(payload);
    })();
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

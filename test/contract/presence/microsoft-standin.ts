/**
 * The Microsoft adapters against the local Graph and identity platform stand-in, started in
 * process: the adapters' configuration for it, an administrator's connection, a recording proxy in
 * front of Graph (it counts the calls the adapters make), and a notification endpoint.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { microsoftHttp } from '#lambdas/adapters/graph-http';
import { microsoftConfigFromEnv, msIdentityPlatform, type MicrosoftConfig } from '#lambdas/adapters/ms-identity';
import type { TenantGrant } from '#lambdas/core/presence/ports';
import { startGraphStandin, type GraphStandin } from '#local/graph/standin';
import { selfSignedCertificate } from '#local/graph/tls';

export const redirectUri = 'http://127.0.0.1:4100/v1/presence/callback';

export interface GraphCall {
  readonly method: string;
  readonly path: string;
  readonly body: string;
  readonly status: number;
}

export interface MicrosoftFixture {
  readonly standin: GraphStandin;
  readonly config: MicrosoftConfig;
  /** `file:` ref of the notification certificate secret `{ id, certificate, privateKey }` */
  readonly certificateSecretRef: string;
  /** every Graph call that went through the proxy, in order */
  readonly graphCalls: GraphCall[];
  /** the bearer token of the newest Graph call */
  lastBearer(): string | undefined;
  /** the administrator connects the tenant: authorize URL → code → redeemed grant */
  connect(): Promise<TenantGrant>;
  stop(): Promise<void>;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** `standinNow`: Microsoft's clock, to let tokens expire there while the adapter's own clock runs on. */
export async function startMicrosoftFixture(options: { standinNow?: () => Date } = {}): Promise<MicrosoftFixture> {
  const standin = await startGraphStandin(options.standinNow ? { now: options.standinNow } : {});
  const dir = mkdtempSync(join(tmpdir(), 'presence-microsoft-'));
  writeFileSync(join(dir, 'app.json'), JSON.stringify(standin.app));
  writeFileSync(join(dir, 'ca.pem'), standin.ca);
  const notifications = selfSignedCertificate('presence-notifications');
  writeFileSync(
    join(dir, 'certificate.json'),
    JSON.stringify({ id: 'cert-1', certificate: notifications.cert, privateKey: notifications.key }),
  );

  const graphCalls: GraphCall[] = [];
  let bearer: string | undefined;
  const proxy = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? bearer;
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host',
        ),
      );
      const answer = await fetch(`${standin.graph}${req.url}`, {
        method: req.method,
        headers,
        ...(body !== '' && { body }),
      });
      const text = await answer.text();
      graphCalls.push({
        method: req.method ?? '',
        path: decodeURIComponent(req.url ?? ''),
        body,
        status: answer.status,
      });
      const answerHeaders: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (name !== 'content-length' && name !== 'transfer-encoding') answerHeaders[name] = value;
      });
      res.writeHead(answer.status, answerHeaders).end(text);
    })();
  });
  const proxyUrl = await listen(proxy);

  const config = microsoftConfigFromEnv({
    MS_AUTHORITY_HOST: standin.identity,
    MS_GRAPH_URL: proxyUrl,
    PRESENCE_APP_SECRET: `file:${join(dir, 'app.json')}`,
    MS_IDENTITY_CA_FILE: join(dir, 'ca.pem'),
  });
  const identityHttp = microsoftHttp({ extraCaPem: standin.ca });

  return {
    standin,
    config,
    certificateSecretRef: `file:${join(dir, 'certificate.json')}`,
    graphCalls,
    lastBearer: () => bearer,
    async connect() {
      const identity = msIdentityPlatform(config);
      const codeVerifier = randomBytes(32).toString('base64url');
      const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
      const url = await identity.authorizeUrl({
        state: 'state-1',
        codeChallenge,
        redirectUri,
        loginHint: 'admin@contoso.example',
      });
      // the browser's step: the identity platform redirects to the callback with the code
      const redirect = await identityHttp(url, { method: 'GET' });
      const code = new URL(redirect.headers.location ?? 'http://nowhere').searchParams.get('code');
      if (redirect.status !== 302 || !code) throw new Error(`no code: ${redirect.status} ${redirect.headers.location}`);
      return identity.redeemCode({ code, codeVerifier, redirectUri });
    },
    async stop() {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
      await standin.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A notification endpoint that answers Graph's validation handshake and records what is posted. */
export async function startNotificationReceiver(): Promise<{
  url: string;
  validations: () => number;
  received: unknown[];
  stop: () => Promise<void>;
}> {
  let validations = 0;
  const received: unknown[] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const token = new URL(req.url ?? '/', 'http://x').searchParams.get('validationToken');
      if (token !== null) {
        validations += 1;
        res.writeHead(200, { 'content-type': 'text/plain' }).end(token);
        return;
      }
      received.push(JSON.parse(body));
      res.writeHead(202).end();
    });
  });
  const url = await listen(server);
  return {
    url,
    validations: () => validations,
    received,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

import { findUser } from '#local/graph/directory';
import {
  constants,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  privateDecrypt,
  timingSafeEqual,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfidentialClientApplication,
  CryptoProvider,
  type INetworkModule,
  type NetworkResponse,
} from '@azure/msal-node';
import { startGraphStandin, type GraphStandin } from '#local/graph/standin';

/** MSAL's network module over node:https trusting the stand-in's certificate (fetch takes no CA). */
function trustingNetworkClient(ca: string): INetworkModule {
  const send = <T>(url: string, method: string, body?: string, headers?: Record<string, string>) =>
    new Promise<NetworkResponse<T>>((resolve, reject) => {
      const req = httpsRequest(url, { method, ca, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)])),
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as T,
          }),
        );
      });
      req.on('error', reject);
      req.end(body);
    });
  return {
    sendGetRequestAsync: (url, options) => send(url, 'GET', undefined, options?.headers),
    sendPostRequestAsync: (url, options) => send(url, 'POST', options?.body, options?.headers),
  };
}

/** An RSA certificate (base64 DER) and its private key, as the Presence Service would hold. */
function encryptionCertificate(): { der: string; privateKey: KeyObject } {
  const dir = mkdtempSync(join(tmpdir(), 'graph-test-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=presence-test',
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
      ],
      { stdio: 'ignore' },
    );
    const cert = new X509Certificate(readFileSync(join(dir, 'c.pem')));
    return { der: cert.raw.toString('base64'), privateKey: createPrivateKey(readFileSync(join(dir, 'k.pem'))) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Microsoft's documented algorithm: verify the HMAC over the data bytes first, then decrypt. */
function decryptResourceData(
  content: { data: string; dataSignature: string; dataKey: string },
  privateKey: KeyObject,
): unknown {
  const key = privateDecrypt(
    { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    Buffer.from(content.dataKey, 'base64'),
  );
  const data = Buffer.from(content.data, 'base64');
  const expected = createHmac('sha256', key).update(data).digest();
  const actual = Buffer.from(content.dataSignature, 'base64');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
    throw new Error('dataSignature mismatch');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  return JSON.parse(Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8'));
}

/** A tiny notification receiver: echoes validation tokens, records notifications. */
async function startReceiver(): Promise<{ url: string; received: unknown[]; validations: number; server: Server }> {
  const state = { received: [] as unknown[], validations: 0 };
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const token = new URL(req.url ?? '/', 'http://x').searchParams.get('validationToken');
      if (token !== null) {
        state.validations += 1;
        res.writeHead(200, { 'content-type': 'text/plain' }).end(token);
        return;
      }
      state.received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    received: state.received,
    get validations() {
      return state.validations;
    },
  };
}

let now = new Date('2026-12-04T10:00:00Z');
let standin: GraphStandin;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  standin = await startGraphStandin({ now: () => now });
  receiver = await startReceiver();
});

afterAll(async () => {
  await standin.stop();
  await new Promise((r) => receiver.server.close(r));
});

const redirectUri = 'http://127.0.0.1:4100/v1/presence/callback';
const scopes = ['Presence.Read.All', 'User.ReadBasic.All'];

function msal(): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: {
      clientId: standin.app.clientId,
      clientSecret: standin.app.clientSecret,
      authority: standin.authority,
      knownAuthorities: [new URL(standin.authority).host],
    },
    system: { networkClient: trustingNetworkClient(standin.ca) },
  });
}

/** The identity platform's answer to GET, without following redirects. */
function identityGet(url: string): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    httpsRequest(url, { ca: standin.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          location: res.headers.location,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    })
      .on('error', reject)
      .end();
  });
}

async function signIn() {
  const app = msal();
  const pkce = await new CryptoProvider().generatePkceCodes();
  const authorizeUrl = await app.getAuthCodeUrl({
    scopes,
    redirectUri,
    codeChallenge: pkce.challenge,
    codeChallengeMethod: 'S256',
    state: 'state-1',
    loginHint: 'admin@contoso.example',
  });
  const redirect = await identityGet(authorizeUrl);
  const code = new URL(redirect.location ?? 'http://x').searchParams.get('code') ?? '';
  const result = await app.acquireTokenByCode({ code, scopes, redirectUri, codeVerifier: pkce.verifier });
  return { app, pkce, authorizeUrl, redirect, result };
}

interface GraphBody {
  id?: string;
  value?: unknown[];
  error?: { code: string };
  [key: string]: unknown;
}

interface ChangeNotification {
  value: {
    encryptedContent: { data: string; dataSignature: string; dataKey: string; encryptionCertificateThumbprint: string };
  }[];
  validationTokens: string[];
}

async function graph(path: string, token: string | undefined, init: RequestInit = {}) {
  const response = await fetch(`${standin.graph}/v1.0${path}`, {
    ...init,
    headers: { ...(token && { authorization: `Bearer ${token}` }), 'content-type': 'application/json' },
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json().catch(() => ({}))) as GraphBody,
  };
}

describe('the identity platform stand-in with @azure/msal-node', () => {
  it('completes authorization code + PKCE, then a refresh, for the seeded administrator', async () => {
    const { app, redirect, authorizeUrl, result } = await signIn();

    expect(new URL(authorizeUrl).searchParams.get('code_challenge_method')).toBe('S256');
    expect(redirect.status).toBe(302);
    expect(new URL(redirect.location as string).searchParams.get('state')).toBe('state-1');
    expect(result.tenantId).toBe(standin.tenantId);
    expect(result.account?.username).toBe('admin@contoso.example');
    expect(result.idTokenClaims).toMatchObject({ tid: standin.tenantId, preferred_username: 'admin@contoso.example' });
    expect(result.scopes).toEqual(expect.arrayContaining(scopes));

    const refreshToken = JSON.parse(app.getTokenCache().serialize()) as {
      RefreshToken: Record<string, { secret: string }>;
    };
    const secret = Object.values(refreshToken.RefreshToken)[0]?.secret as string;
    const refreshed = await app.acquireTokenByRefreshToken({ refreshToken: secret, scopes, forceCache: false });
    expect(refreshed?.accessToken).toMatch(/^ey/);
    expect((await graph('/users/user7@contoso.example', refreshed?.accessToken)).status).toBe(200);
  });

  it('refuses a wrong code_verifier with an AADSTS error body', async () => {
    const app = msal();
    const pkce = await new CryptoProvider().generatePkceCodes();
    const url = await app.getAuthCodeUrl({
      scopes,
      redirectUri,
      codeChallenge: pkce.challenge,
      codeChallengeMethod: 'S256',
      loginHint: 'admin@contoso.example',
    });
    const code = new URL((await identityGet(url)).location as string).searchParams.get('code') as string;

    await expect(
      app.acquireTokenByCode({
        code,
        scopes,
        redirectUri,
        codeVerifier: (await new CryptoProvider().generatePkceCodes()).verifier,
      }),
    ).rejects.toMatchObject({ errorCode: 'invalid_grant', errorMessage: expect.stringContaining('AADSTS501481') });
  });

  it('redirects with an error for a user other than the administrator, and shows a page for an unknown client', async () => {
    const url = await msal().getAuthCodeUrl({ scopes, redirectUri, state: 's', loginHint: 'user1@contoso.example' });

    const redirect = new URL((await identityGet(url)).location as string);
    expect(redirect.searchParams.get('error')).toBe('login_required');
    expect(redirect.searchParams.get('state')).toBe('s');
    const page = await identityGet(url.replace(/client_id=[^&]+/, 'client_id=nobody'));
    expect(page.status).toBe(400);
    expect(page.body).toContain('AADSTS700016');
  });

  it('stops honouring a refresh token once the user’s sign-in sessions are revoked', async () => {
    const { app, result } = await signIn();
    const cache = JSON.parse(app.getTokenCache().serialize()) as { RefreshToken: Record<string, { secret: string }> };
    const secret = Object.values(cache.RefreshToken)[0]?.secret as string;

    const revoked = await graph('/me/revokeSignInSessions', result.accessToken, { method: 'POST' });

    expect(revoked.body).toMatchObject({ value: true });
    await expect(msal().acquireTokenByRefreshToken({ refreshToken: secret, scopes })).rejects.toMatchObject({
      errorCode: 'invalid_grant',
      errorMessage: expect.stringContaining('AADSTS50173'),
    });
  });
});

describe('the Graph stand-in', () => {
  let token: string;
  beforeAll(async () => {
    token = (await signIn()).result.accessToken;
  });

  it('answers users and presences, and 401 in Graph’s error shape without a valid token', async () => {
    const user = await graph('/users/user3@contoso.example', token);
    const presences = await graph('/communications/getPresencesByUserId', token, {
      method: 'POST',
      body: JSON.stringify({ ids: [user.body.id] }),
    });
    const missing = await graph('/users/user3@contoso.example', undefined);
    const forged = await graph('/users/user3@contoso.example', `${token.slice(0, -4)}AAAA`);

    expect(user.body).toMatchObject({ userPrincipalName: 'user3@contoso.example', displayName: 'User 3' });
    expect(presences.body.value).toEqual([{ id: user.body.id, availability: 'Offline', activity: 'Offline' }]);
    expect(missing.status).toBe(401);
    expect(forged.status).toBe(401);
    expect(forged.body.error).toMatchObject({
      code: 'InvalidAuthenticationToken',
      innerError: { 'request-id': expect.any(String) },
    });
  });

  it('answers 429 with Retry-After when throttling is injected', async () => {
    standin.throttle(1, 7);

    const throttled = await graph('/users/user3@contoso.example', token);
    const next = await graph('/users/user3@contoso.example', token);

    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('7');
    expect(throttled.body.error?.code).toBe('TooManyRequests');
    expect(next.status).toBe(200);
  });

  it('validates, delivers encrypted presence changes and lifecycle events, renews and expires subscriptions', async () => {
    const { der, privateKey } = encryptionCertificate();
    const ids = [
      (await graph('/users/user1@contoso.example', token)).body.id,
      (await graph('/users/user2@contoso.example', token)).body.id,
    ];
    const tooLong = await graph('/subscriptions', token, {
      method: 'POST',
      body: JSON.stringify({
        changeType: 'updated',
        resource: `communications/presences?$filter=id in ('${ids[0]}')`,
        notificationUrl: `${receiver.url}/n`,
        expirationDateTime: new Date(now.getTime() + 61 * 60_000).toISOString(),
      }),
    });
    expect(tooLong.status).toBe(400);

    const created = await graph('/subscriptions', token, {
      method: 'POST',
      body: JSON.stringify({
        changeType: 'updated',
        resource: `communications/presences?$filter=id in (${ids.map((id) => `'${id}'`).join(',')})`,
        notificationUrl: `${receiver.url}/notifications`,
        lifecycleNotificationUrl: `${receiver.url}/lifecycle`,
        expirationDateTime: new Date(now.getTime() + 60 * 60_000).toISOString(),
        clientState: 'secret-state',
        includeResourceData: true,
        encryptionCertificate: der,
        encryptionCertificateId: 'cert-1',
      }),
    });
    expect(created.status).toBe(201);
    expect(receiver.validations).toBe(2);
    const subscriptionId = created.body.id as string;

    const change = await standin.setPresence('user2@contoso.example', 'Busy', 'InACall');

    expect(change.notified).toEqual([subscriptionId]);
    const notification = receiver.received.at(-1) as ChangeNotification;
    const item = notification.value[0] as ChangeNotification['value'][number];
    expect(item).toMatchObject({
      subscriptionId,
      clientState: 'secret-state',
      changeType: 'updated',
      tenantId: standin.tenantId,
      resourceData: { id: ids[1] },
    });
    expect(item.encryptedContent.encryptionCertificateThumbprint).toBe(
      new X509Certificate(Buffer.from(der, 'base64')).fingerprint.replaceAll(':', ''),
    );
    expect(decryptResourceData(item.encryptedContent, privateKey)).toMatchObject({
      id: ids[1],
      availability: 'Busy',
      activity: 'InACall',
    });
    const tampered = { ...item.encryptedContent, dataSignature: Buffer.alloc(32).toString('base64') };
    expect(() => decryptResourceData(tampered, privateKey)).toThrow('dataSignature mismatch');
    expect(notification.validationTokens).toHaveLength(1);

    const lifecycle = await fetch(`${standin.graph}/local/lifecycle`, {
      method: 'POST',
      body: JSON.stringify({ event: 'missed' }),
    });
    expect(await lifecycle.json()).toEqual({ notified: [subscriptionId] });
    expect(receiver.received.at(-1)).toEqual({
      value: [
        expect.objectContaining({
          subscriptionId,
          lifecycleEvent: 'missed',
          clientState: 'secret-state',
          organizationId: standin.tenantId,
        }),
      ],
    });

    now = new Date(now.getTime() + 50 * 60_000);
    const renewed = await graph(`/subscriptions/${subscriptionId}`, token, {
      method: 'PATCH',
      body: JSON.stringify({ expirationDateTime: new Date(now.getTime() + 60 * 60_000).toISOString() }),
    });
    expect(renewed.status).toBe(200);
    now = new Date(now.getTime() + 61 * 60_000);
    // the access token expired with the subscription: an hour each
    token = (await signIn()).result.accessToken;
    expect((await graph('/subscriptions', token)).body.value).toEqual([]);
    expect((await standin.setPresence('user2@contoso.example', 'Away', 'Away')).notified).toEqual([]);
  });

  it('refuses a subscription whose endpoint does not echo the validation token', async () => {
    const { der } = encryptionCertificate();
    const id = (await graph('/users/user1@contoso.example', token)).body.id;
    const refused = await graph('/subscriptions', token, {
      method: 'POST',
      body: JSON.stringify({
        changeType: 'updated',
        resource: `communications/presences?$filter=id in ('${id}')`,
        notificationUrl: `${standin.graph}/local/nowhere`,
        expirationDateTime: new Date(now.getTime() + 30 * 60_000).toISOString(),
        includeResourceData: true,
        encryptionCertificate: der,
        encryptionCertificateId: 'c',
      }),
    });

    expect(refused.status).toBe(400);
    expect(refused.body.error?.code).toBe('ValidationError');
  });
  it('answers the control routes with problem+json for bad input, and refuses more than 650 ids', async () => {
    const control = (path: string, body: string) => fetch(`${standin.graph}/local/${path}`, { method: 'POST', body });

    const malformed = await control('presence', '{');
    const unknownUser = await control(
      'presence',
      JSON.stringify({ user: 'nobody@contoso.example', availability: 'Busy', activity: 'Busy' }),
    );
    const badEvent = await control('lifecycle', JSON.stringify({ event: 'deleted' }));
    const changed = await control(
      'presence',
      JSON.stringify({ user: 'user9@contoso.example', availability: 'Away', activity: 'Away' }),
    );
    const tooMany = await graph('/communications/getPresencesByUserId', token, {
      method: 'POST',
      body: JSON.stringify({
        ids: Array.from({ length: 651 }, (_, i) => `a0000000-0000-4000-8000-${String(i).padStart(12, '0')}`),
      }),
    });

    expect([malformed.status, unknownUser.status, badEvent.status]).toEqual([400, 404, 400]);
    expect(malformed.headers.get('content-type')).toBe('application/problem+json');
    expect(await changed.json()).toMatchObject({ availability: 'Away', activity: 'Away', notified: [] });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error?.code).toBe('BadRequest');
  });
  it('reauthorizes a subscription, and deletes them all on subscriptionRemoved after telling the lifecycle URL', async () => {
    const id = (await graph('/users/user4@contoso.example', token)).body.id;
    const created = await graph('/subscriptions', token, {
      method: 'POST',
      body: JSON.stringify({
        changeType: 'updated',
        resource: `/communications/presences/${id}`,
        notificationUrl: `${receiver.url}/notifications`,
        lifecycleNotificationUrl: `${receiver.url}/lifecycle`,
        expirationDateTime: new Date(now.getTime() + 10 * 60_000).toISOString(),
        clientState: 'other-state',
      }),
    });
    const subscriptionId = created.body.id as string;

    const reauthorized = await graph(`/subscriptions/${subscriptionId}/reauthorize`, token, { method: 'POST' });
    const removed = await standin.lifecycle('subscriptionRemoved');

    expect(created.status).toBe(201);
    expect(reauthorized.status).toBe(204);
    expect(removed.notified).toEqual([subscriptionId]);
    expect(receiver.received.at(-1)).toEqual({
      value: [
        expect.objectContaining({ subscriptionId, lifecycleEvent: 'subscriptionRemoved', clientState: 'other-state' }),
      ],
    });
    expect((await graph(`/subscriptions/${subscriptionId}`, token)).status).toBe(404);
  });
});

describe('a bigger directory', () => {
  it('knows user10000 by UPN and by id in a directory of 10,000, and nobody past it', () => {
    // Act
    const byUpn = findUser('USER10000@contoso.example', 10_000);
    const byId = findUser('a0000000-0000-4000-8000-000000010000', 10_000);
    const past = findUser('user10001@contoso.example', 10_000);
    const seeded = findUser('user51@contoso.example');
    const leadingZero = findUser('user01@contoso.example', 10_000);

    // Assert
    expect(byUpn?.id).toBe('a0000000-0000-4000-8000-000000010000');
    expect(byId?.userPrincipalName).toBe('user10000@contoso.example');
    expect(past).toBeUndefined();
    expect(seeded).toBeUndefined();
    expect(leadingZero).toBeUndefined();
  });
});

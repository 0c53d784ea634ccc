/**
 * A signing-key rotation from key A to key B on a local cloud of its own (rotating the run's
 * shared cloud would change keys under the other tests): agents activated under A learn B only
 * through the JWKS a pinned key signed, verify B's licences once B is promoted, unpin A once it
 * is dropped, and refuse a JWKS a man in the middle rewrote. The agents talk through a small HTTP
 * proxy in this test that forwards to the cloud until it is told to forge.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, CompactSign, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { UcxAgent } from '#agent/sdk/agent';
import { identityOf } from '#agent/sdk/identity';
import { kidsOf, signingKeyOf } from '#agent/sdk/key-continuity';
import { generateIdentityKeys } from '#agent/sdk/signing';
import { MemorySpool } from '#agent/sdk/spool';
import { MemoryStateStore } from '#agent/sdk/state';
import { cloud, startCloudProcess, type CloudProcess } from '#test/support/local-cloud';

jest.setTimeout(300_000);

const dataDir = mkdtempSync(join(tmpdir(), 'ucx-key-rotation-'));
let running: CloudProcess;
let proxy: ForgingProxy;

beforeAll(async () => {
  running = await startCloudProcess({ dataDir, fresh: true, assemblyDir: cloud().assemblyDir });
  proxy = await ForgingProxy.start(running.info.regions.eu.api);
});
afterAll(async () => {
  await proxy?.close();
  await running?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

type Forge = (path: string) => Promise<{ status: number; contentType: string; body: string } | undefined>;

/** Forwards every request to the cloud, unless `forge` answers it instead. */
class ForgingProxy {
  forge: Forge | undefined;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(upstream: string): Promise<ForgingProxy> {
    let self: ForgingProxy | undefined;
    const server = createServer((req, res) => {
      void (async () => {
        const forged = await self?.forge?.(req.url ?? '/');
        if (forged) {
          res.writeHead(forged.status, { 'content-type': forged.contentType }).end(forged.body);
          return;
        }
        const body = await bytesOf(req);
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter(
            (e): e is [string, string] => typeof e[1] === 'string' && !['host', 'connection'].includes(e[0]),
          ),
        );
        const answer = await fetch(`${upstream}${req.url}`, {
          method: req.method,
          headers,
          ...(body.length > 0 && { body: new Uint8Array(body) }),
        });
        const relayed: Record<string, string> = {};
        for (const name of ['content-type', 'etag', 'cache-control', 'retry-after']) {
          const value = answer.headers.get(name);
          if (value) relayed[name] = value;
        }
        res.writeHead(answer.status, relayed).end(Buffer.from(await answer.arrayBuffer()));
      })().catch((error: Error) => res.writeHead(502).end(error.message));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    self = new ForgingProxy(server, `http://127.0.0.1:${(server.address() as { port: number }).port}`);
    return self;
  }

  close(): Promise<void> {
    return new Promise((done) => this.server.close(() => done()));
  }
}

async function bytesOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const eu = () => running.info.regions.eu.api;

// biome-ignore lint/suspicious/noExplicitAny: the body of whichever route the test called; its expect() asserts the shape
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${eu()}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${running.info.tokens.ops}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** One rotation step through the local cloud's dev route, and the EU kids of the set after it. */
async function rotate(step: 'introduce' | 'promote' | 'drop') {
  const { status, json } = await call('POST', '/local/signing-keys/rotate', { step });
  expect({ step, status }).toEqual({ step, status: 200 });
  return json as { after: { slot: string; kids: { eu: string; us: string } }[]; restarted: string[] };
}
const kidsInSlot = (rotation: Awaited<ReturnType<typeof rotate>>, slot: string) =>
  rotation.after.filter((k) => k.slot === slot).flatMap((k) => [k.kids.eu, k.kids.us]);

async function activatedAgent(accountId: string, jwksCheckSeconds?: number) {
  const key = await call('POST', `/v1/accounts/${accountId}/activation-keys`, {
    allocation: { 'attendant-console': 1 },
  });
  expect(key.status).toBe(201);
  const state = new MemoryStateStore();
  const agent = new UcxAgent({
    identity: await identityOf((await generateIdentityKeys()).privateKey),
    state,
    spool: new MemorySpool(),
    endpoints: { home: proxy.url, fallback: null },
    transport: { proxy: null, timeoutMs: 10_000 },
    ...(jwksCheckSeconds !== undefined && { jwksCheckSeconds }),
  });
  await agent.activate(key.json.activationKey, { suiteVersion: '2025.2.1', nodes: ['ucx-a'] });
  return { agent, state };
}

/** A licence with `payload` signed by `key` (a compact JWS like the cloud's, another signer). */
async function signedBy(payload: string, key: { privateKey: CryptoKey; kid: string }): Promise<string> {
  return new CompactSign(Buffer.from(payload.split('.')[1]!, 'base64url'))
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'ucx-license+jwt' })
    .sign(key.privateKey);
}

describe('a signing-key rotation from A to B', () => {
  it('keeps every agent verifying licences, and a JWKS signed by no pinned key is refused', async () => {
    // Arrange: an account and two agents under key A; one checks the signed JWKS on every poll,
    // the other once a day (so it misses B while B is only next)
    const order = await call('PUT', `/v1/ops/orders/rotation-${randomUUID()}`, {
      account: { create: { name: 'Key Rotation Customer', region: 'eu' } },
      lines: [{ product: 'attendant-console', quantity: 4, kind: 'perpetual' }],
    });
    expect(order.status).toBe(201);
    const accountId = order.json.accountId as string;
    const watchful = await activatedAgent(accountId, 0);
    const daily = await activatedAgent(accountId);
    const keysA = ((await call('GET', '/local/signing-keys')).json.keys as { kids: { eu: string; us: string } }[])[0]!;

    // Act 1: B is introduced as next; the watchful agent polls
    const introduced = await rotate('introduce');
    const keysB = kidsInSlot(introduced, 'next');
    const whileNext = await watchful.agent.poll();
    const licenceWhileNext = watchful.state.read().license!;
    const pinnedWhileNext = kidsOf(watchful.state.read().jwks);

    // Act 2: B is promoted; a telemetry switch makes the account's licences change, so the next
    // poll brings a licence B signed
    const promoted = await rotate('promote');
    expect((await call('PATCH', `/v1/accounts/${accountId}/telemetry`, { enabled: false })).status).toBe(200);
    const watchfulAfter = await watchful.agent.poll();
    const dailyAfter = await daily.agent.poll();

    // Assert 1, 2: A signed until the promotion, B after; both agents verify B's licence
    expect(introduced.restarted.length).toBeGreaterThan(0);
    expect(whileNext).toMatchObject({ outcome: 'updated' });
    expect(signingKeyOf(licenceWhileNext)).toBe(keysA.kids.eu);
    expect(pinnedWhileNext).toEqual(expect.arrayContaining([keysA.kids.eu, keysA.kids.us, ...keysB]));
    expect(kidsInSlot(promoted, 'current')).toEqual(keysB);
    expect(watchfulAfter).toMatchObject({ outcome: 'updated', claims: { telemetry: { enabled: false } } });
    expect(dailyAfter).toMatchObject({ outcome: 'updated', claims: { telemetry: { enabled: false } } });
    expect(signingKeyOf(watchful.state.read().license!)).toBe(keysB[0]);
    expect(signingKeyOf(daily.state.read().license!)).toBe(keysB[0]);
    expect(kidsOf(daily.state.read().jwks)).toEqual(expect.arrayContaining([...keysB, keysA.kids.eu]));

    // Act 3: a man in the middle serves a JWKS with a key of its own, signed by that key, and a
    // licence that key signed
    const attackerKey = (await generateKeyPair('ES256', { extractable: true })).privateKey;
    const attackerPublic = await exportJWK(attackerKey);
    const { kty, crv, x, y } = attackerPublic;
    const attackerKid = await calculateJwkThumbprint({ kty, crv, x, y });
    const genuine = await (await fetch(`${eu()}/.well-known/jwks.json`)).text();
    const forgedJwks = JSON.stringify({
      keys: [...JSON.parse(genuine).keys, { kty, crv, x, y, kid: attackerKid, alg: 'ES256', use: 'sig' }],
    });
    const forgedSignature = (
      await new CompactSign(Buffer.from(forgedJwks))
        .setProtectedHeader({
          alg: 'ES256',
          kid: attackerKid,
          cty: 'jwk-set+json',
          iat: Math.floor(Date.now() / 1000) + 3600,
        })
        .sign(attackerKey)
    ).replace(/\.[^.]+\./, '..');
    const forgedLicence = await signedBy(watchful.state.read().license!, { privateKey: attackerKey, kid: attackerKid });
    const pinnedBeforeAttack = watchful.state.read().jwks;
    proxy.forge = async (path) => {
      if (path === '/.well-known/jwks.json') return { status: 200, contentType: 'application/json', body: forgedJwks };
      if (path.startsWith('/.well-known/jwks.json.jws'))
        return { status: 200, contentType: 'application/jose', body: forgedSignature };
      if (path.endsWith('/license'))
        return {
          status: 200,
          contentType: 'application/json',
          body: JSON.stringify({ license: forgedLicence, nextPollSeconds: 900 }),
        };
      return undefined;
    };
    const attacked = await watchful.agent.poll();
    const statusAttacked = await watchful.agent.status();
    // …and the genuine signature over a JWKS rewritten with the attacker's key
    proxy.forge = async (path) =>
      path === '/.well-known/jwks.json'
        ? { status: 200, contentType: 'application/json', body: forgedJwks }
        : undefined;
    const rewritten = await watchful.agent.checkSigningKeys();
    proxy.forge = undefined;

    // Assert 3: refused, the pinned keys and the last good licence kept, status says why
    expect(attacked).toMatchObject({ outcome: 'refused', error: { reason: 'unknown-key' } });
    expect(rewritten).toMatchObject({ outcome: 'refused', error: { reason: 'bad-signature' } });
    expect(watchful.state.read().jwks).toEqual(pinnedBeforeAttack);
    expect(signingKeyOf(watchful.state.read().license!)).toBe(keysB[0]);
    expect(statusAttacked.licence).toMatchObject({ valid: true });
    expect(statusAttacked.signingKeys?.lastCheck).toMatchObject({
      ok: false,
      outcome: expect.stringContaining(`signed by key "${attackerKid}", which this installation has not pinned`),
    });

    // Act 4, Assert 4: A is dropped; the watchful agent unpins it at its next check
    await rotate('drop');
    await watchful.agent.poll();
    expect(kidsOf(watchful.state.read().jwks).sort()).toEqual([...keysB].sort());
  });
});

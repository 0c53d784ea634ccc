/**
 * Key continuity: the agent pins a new licence-signing key only from a JWKS a pinned key signed
 * (detached JWS), unpins what a verified JWKS drops, and keeps its pinned keys when the JWKS is
 * rewritten, signed by a stranger, replayed, or not signed at all. The cloud is a fake reached
 * through the SDK's `connect` seam; its keys rotate as the real one's do.
 */
import { calculateJwkThumbprint, CompactSign, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { UcxAgent } from '#agent/sdk/agent';
import { identityOf } from '#agent/sdk/identity';
import { JwksRefusedError, kidsOf, signingKeyOf, verifySignedJwks } from '#agent/sdk/key-continuity';
import { generateIdentityKeys } from '#agent/sdk/signing';
import { MemorySpool } from '#agent/sdk/spool';
import { MemoryStateStore } from '#agent/sdk/state';
import type { Connect, Response } from '#agent/sdk/transport';

const ENDPOINT = 'https://eu.api.test';
const INSTALLATION_ID = 'inst_rotation0001';
const NOW = new Date('2026-03-02T09:00:00Z');
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

interface SigningKey {
  privateKey: CryptoKey;
  publicJwk: Record<string, unknown> & { kid: string };
}

async function newKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const { kty, crv, x, y } = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint({ kty, crv, x, y });
  return { privateKey, publicJwk: { kty, crv, x, y, kid, alg: 'ES256', use: 'sig' } };
}

const serialize = (keys: readonly SigningKey[]) => JSON.stringify({ keys: keys.map((k) => k.publicJwk) });

async function detached(body: string, key: SigningKey, iat: number): Promise<string> {
  const compact = await new CompactSign(new TextEncoder().encode(body))
    .setProtectedHeader({ alg: 'ES256', kid: key.publicJwk.kid, cty: 'jwk-set+json', iat })
    .sign(key.privateKey);
  const [header, , signature] = compact.split('.');
  return `${header}..${signature}`;
}

function answer(status: number, text: string, headers: Record<string, string> = {}): Response {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, headers: new Headers(headers), json, text, latencyMs: 1 };
}

/** A one-region cloud whose key set rotates; `tamper` stands for a proxy that rewrites answers. */
class RotatingCloud {
  current!: SigningKey;
  next: SigningKey | undefined;
  retiring: SigningKey[] = [];
  /** the cloud's clock: each rotation step deploys new functions, which sign the JWKS later */
  signedAt = seconds(NOW);
  /** false: an old cloud without /.well-known/jwks.json.jws */
  signsJwks = true;
  version = 1;
  tamper: ((path: string, response: Response) => Promise<Response>) | undefined;
  readonly paths: string[] = [];

  static async create(): Promise<RotatingCloud> {
    const cloud = new RotatingCloud();
    cloud.current = await newKey();
    return cloud;
  }

  get keys(): SigningKey[] {
    return [this.current, ...(this.next ? [this.next] : []), ...this.retiring];
  }

  async introduce(): Promise<SigningKey> {
    this.next = await newKey();
    this.signedAt += 60;
    return this.next;
  }

  promote(): void {
    this.retiring = [this.current, ...this.retiring];
    this.current = this.next!;
    this.next = undefined;
    this.signedAt += 60;
    this.version += 1; // licences are re-signed with the new key: a new ETag
  }

  drop(): void {
    this.retiring = [];
    this.signedAt += 60;
  }

  licence(signer: SigningKey = this.current): Promise<string> {
    const iat = seconds(NOW);
    return new SignJWT({
      sub: INSTALLATION_ID,
      acc: 'acc_rotation01',
      ver: this.version,
      products: [{ product: 'ivr', capacity: 4, kind: 'perpetual' }],
      telemetry: { enabled: true },
      nextPollSeconds: 900,
    })
      .setProtectedHeader({ alg: 'ES256', kid: signer.publicJwk.kid, typ: 'ucx-license+jwt' })
      .setIssuer('ucx-cloud')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 30 * 86_400)
      .sign(signer.privateKey);
  }

  readonly connect: Connect = (endpoint) => ({
    endpoint,
    request: async (method, path, options = {}) => {
      this.paths.push(path);
      const response = await this.route(method, path, options.headers ?? {});
      return this.tamper ? this.tamper(path, response) : response;
    },
    close: async () => {},
  });

  private async route(method: string, path: string, headers: Record<string, string>): Promise<Response> {
    const url = new URL(path, ENDPOINT);
    const notFound = answer(404, JSON.stringify({ message: 'Not Found' }));
    if (method === 'GET' && url.pathname === '/.well-known/jwks.json') return answer(200, serialize(this.keys));
    if (method === 'GET' && url.pathname === '/.well-known/jwks.json.jws') {
      if (!this.signsJwks) return notFound;
      const kid = url.searchParams.get('kid');
      const signer = kid ? this.keys.find((k) => k.publicJwk.kid === kid) : this.current;
      if (!signer) return answer(404, JSON.stringify({ status: 404, title: 'Not found' }));
      return answer(200, await detached(serialize(this.keys), signer, this.signedAt));
    }
    if (method === 'POST' && url.pathname === '/v1/activations')
      return answer(
        201,
        JSON.stringify({
          installationId: INSTALLATION_ID,
          accountId: 'acc_rotation01',
          region: 'eu',
          license: await this.licence(),
          nextPollSeconds: 900,
          telemetry: { enabled: true },
        }),
      );
    if (method === 'GET' && url.pathname === `/v1/installations/${INSTALLATION_ID}/license`) {
      const etag = `"v${this.version}"`;
      if (headers['if-none-match'] === etag) return answer(304, '', { etag });
      return answer(200, JSON.stringify({ license: await this.licence(), nextPollSeconds: 900 }), { etag });
    }
    return notFound;
  }
}

async function activatedAgent(cloud: RotatingCloud, options: { jwksCheckSeconds?: number; now?: () => Date } = {}) {
  const { privateKey } = await generateIdentityKeys();
  const state = new MemoryStateStore();
  const log: string[] = [];
  const agent = new UcxAgent({
    identity: await identityOf(privateKey),
    state,
    spool: new MemorySpool(),
    endpoint: ENDPOINT,
    connect: cloud.connect,
    now: options.now ?? (() => NOW),
    log: (line) => log.push(line),
    ...(options.jwksCheckSeconds !== undefined && { jwksCheckSeconds: options.jwksCheckSeconds }),
  });
  await agent.activate('UCX-ROTATION-KEY', { suiteVersion: '2025.2.1', nodes: ['ucx-a'] });
  cloud.paths.length = 0;
  return { agent, state, log };
}

const kidOf = (key: SigningKey) => key.publicJwk.kid;

describe('verifySignedJwks', () => {
  it('pins the set a pinned key signed: new keys added, keys it no longer lists dropped', async () => {
    // Arrange
    const [a, b, c] = await Promise.all([newKey(), newKey(), newKey()]);
    const pinned = { keys: [a.publicJwk, c.publicJwk] };
    const body = serialize([a, b]);

    // Act
    const verified = await verifySignedJwks(body, await detached(body, a, 100), pinned);

    // Assert
    expect(verified).toMatchObject({ signedBy: kidOf(a), issuedAt: 100, added: [kidOf(b)], dropped: [kidOf(c)] });
    expect(kidsOf(verified.jwks)).toEqual([kidOf(a), kidOf(b)]);
  });

  it('refuses a JWKS with one more key under the signature of the JWKS as served (a rewriting proxy)', async () => {
    // Arrange
    const [a, attacker] = await Promise.all([newKey(), newKey()]);
    const signature = await detached(serialize([a]), a, 100);

    // Act
    const refused = verifySignedJwks(serialize([a, attacker]), signature, { keys: [a.publicJwk] });

    // Assert
    await expect(refused).rejects.toMatchObject({ reason: 'bad-signature', signedBy: kidOf(a) });
  });

  it('refuses a JWKS signed by a key not pinned, however well formed', async () => {
    // Arrange
    const [a, attacker] = await Promise.all([newKey(), newKey()]);
    const body = serialize([a, attacker]);

    // Act
    const refused = verifySignedJwks(body, await detached(body, attacker, 100), { keys: [a.publicJwk] });

    // Assert
    await expect(refused).rejects.toThrow(JwksRefusedError);
    await expect(refused).rejects.toMatchObject({ reason: 'unknown-signer', signedBy: kidOf(attacker) });
  });

  it('refuses a key not named by its thumbprint, and a signature that is no detached JWKS signature', async () => {
    // Arrange
    const [a, b] = await Promise.all([newKey(), newKey()]);
    const renamed = JSON.stringify({ keys: [a.publicJwk, { ...b.publicJwk, kid: kidOf(a) }] });
    const licenceLike = await new CompactSign(new TextEncoder().encode(serialize([a])))
      .setProtectedHeader({ alg: 'ES256', kid: kidOf(a), typ: 'ucx-license+jwt' })
      .sign(a.privateKey);

    // Act, Assert
    await expect(
      verifySignedJwks(renamed, await detached(renamed, a, 100), { keys: [a.publicJwk] }),
    ).rejects.toMatchObject({ reason: 'malformed' });
    await expect(verifySignedJwks(serialize([a]), licenceLike, { keys: [a.publicJwk] })).rejects.toMatchObject({
      reason: 'malformed',
    });
  });

  it('refuses another key set signed before the one pinned (a replay), and takes the same set at any time', async () => {
    // Arrange
    const [a, dropped] = await Promise.all([newKey(), newKey()]);
    const old = serialize([a, dropped]);
    const same = serialize([a]);

    // Act
    const replayed = await verifySignedJwks(
      old,
      await detached(old, a, 100),
      { keys: [a.publicJwk] },
      { pinnedIssuedAt: 200 },
    ).catch((error: unknown) => error);
    const sameSet = await verifySignedJwks(
      same,
      await detached(same, a, 150),
      { keys: [a.publicJwk] },
      { pinnedIssuedAt: 200 },
    );

    // Assert
    expect(replayed).toMatchObject({ reason: 'stale' });
    expect(sameSet).toMatchObject({ issuedAt: 200, added: [], dropped: [] });
  });
});

describe('the agent through a key rotation', () => {
  it('learns the next key from the JWKS the current key signed, then verifies the licences it signs', async () => {
    // Arrange
    const cloud = await RotatingCloud.create();
    const a = cloud.current;
    const { agent, state } = await activatedAgent(cloud, { jwksCheckSeconds: 0 });

    // Act: next is published; the licence is still A's
    const b = await cloud.introduce();
    const whileNext = await agent.poll();
    const pinnedWhileNext = kidsOf(state.read().jwks);
    const licenceWhileNext = state.read().license!;
    cloud.promote();
    const afterPromotion = await agent.poll();
    cloud.drop();
    await agent.poll();

    // Assert
    expect(whileNext).toMatchObject({ outcome: 'updated', claims: { ver: 1 } });
    expect(signingKeyOf(licenceWhileNext)).toBe(kidOf(a));
    expect(pinnedWhileNext).toEqual([kidOf(a), kidOf(b)]);
    expect(afterPromotion).toMatchObject({ outcome: 'updated', claims: { ver: 2 } });
    expect(kidsOf(state.read().jwks)).toEqual([kidOf(b)]);
    expect(state.read().jwksCheck).toMatchObject({ ok: true, outcome: expect.stringContaining(`dropped ${kidOf(a)}`) });
  });

  it('learns a key first seen in a licence through a signature of a key it pinned (?kid=), having missed next', async () => {
    // Arrange: the agent checks the JWKS daily; the whole rotation happens within its day
    const cloud = await RotatingCloud.create();
    const a = cloud.current;
    const { agent, state } = await activatedAgent(cloud);
    const b = await cloud.introduce();
    cloud.promote();

    // Act
    const polled = await agent.poll();

    // Assert
    expect(polled).toMatchObject({ outcome: 'updated', claims: { ver: 2 } });
    expect(kidsOf(state.read().jwks)).toEqual([kidOf(b), kidOf(a)]);
    expect(cloud.paths).toEqual(
      expect.arrayContaining([
        '/.well-known/jwks.json.jws',
        `/.well-known/jwks.json.jws?kid=${encodeURIComponent(kidOf(a))}`,
      ]),
    );
  });

  it('refuses a JWKS a proxy rewrote with its own key, and the licence that key signed; status says so', async () => {
    // Arrange
    const cloud = await RotatingCloud.create();
    const { agent, state } = await activatedAgent(cloud);
    const pinnedBefore = state.read().jwks;
    const attacker = await newKey();
    const forged = serialize([cloud.current, attacker]);
    cloud.tamper = async (path, response) => {
      if (path === '/.well-known/jwks.json') return answer(200, forged);
      if (path.startsWith('/.well-known/jwks.json.jws')) return answer(200, await detached(forged, attacker, 10 ** 10));
      if (path.endsWith('/license'))
        return answer(200, JSON.stringify({ license: await cloud.licence(attacker), nextPollSeconds: 900 }));
      return response;
    };

    // Act
    const polled = await agent.poll();
    const status = await agent.status();

    // Assert
    expect(polled).toMatchObject({ outcome: 'refused', error: { reason: 'unknown-key' } });
    expect(state.read().jwks).toEqual(pinnedBefore);
    expect((await agent.currentLicense()).ver).toBe(1);
    expect(status.signingKeys).toMatchObject({
      pinned: [kidOf(cloud.current)],
      lastCheck: {
        ok: false,
        outcome: expect.stringMatching(/^JWKS refused, the pinned keys are kept: .*has not pinned/),
      },
    });
  });

  it('refuses a JWKS rewritten under the genuine signature of a pinned key', async () => {
    // Arrange
    const cloud = await RotatingCloud.create();
    const { agent, state } = await activatedAgent(cloud);
    const pinnedBefore = state.read().jwks;
    const attacker = await newKey();
    cloud.tamper = async (path, response) =>
      path === '/.well-known/jwks.json' ? answer(200, serialize([cloud.current, attacker])) : response;

    // Act
    const check = await agent.checkSigningKeys();

    // Assert
    expect(check).toMatchObject({ outcome: 'refused', error: { reason: 'bad-signature' } });
    expect(state.read().jwks).toEqual(pinnedBefore);
  });

  it('keeps working with its pinned keys against a cloud that does not sign its JWKS', async () => {
    // Arrange
    const cloud = await RotatingCloud.create();
    cloud.signsJwks = false;
    const { agent, state } = await activatedAgent(cloud, { jwksCheckSeconds: 0 });
    const pinnedBefore = state.read().jwks;
    cloud.version = 2;

    // Act
    const polled = await agent.poll();

    // Assert
    expect(polled).toMatchObject({ outcome: 'updated', claims: { ver: 2 } });
    expect(state.read().jwks).toEqual(pinnedBefore);
    expect(state.read().jwksCheck).toMatchObject({
      ok: false,
      outcome: expect.stringMatching(/does not sign its JWKS/),
    });
  });

  it('checks the signed JWKS at most once a day unless a licence names a key it has not pinned', async () => {
    // Arrange
    const cloud = await RotatingCloud.create();
    let now = NOW;
    const { agent } = await activatedAgent(cloud, { now: () => now });

    // Act
    await agent.poll();
    const withinTheDay = cloud.paths.filter((p) => p.startsWith('/.well-known/'));
    now = new Date(NOW.getTime() + 86_400_000);
    await agent.poll();

    // Assert
    expect(withinTheDay).toEqual([]);
    expect(cloud.paths.filter((p) => p.startsWith('/.well-known/'))).toEqual([
      '/.well-known/jwks.json',
      '/.well-known/jwks.json.jws',
    ]);
  });
});

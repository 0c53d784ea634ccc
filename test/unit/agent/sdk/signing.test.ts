import { createPublicKey, generateKeyPairSync, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { verifyAgentRequest } from '#lambdas/shared/agent-signature';
import { UnauthorizedError } from '#lambdas/core/errors';
import {
  contentDigest,
  generateIdentityKeys,
  jwkThumbprint,
  signRequest,
  type Ed25519PublicJwk,
  type SigningIdentity,
} from '#agent/sdk/signing';

const CREATED = new Date('2025-06-01T12:00:00.750Z');
const CREATED_SECONDS = 1748779200;
const KEYID = 'inst-0f8e2c1a';
const EMPTY_DIGEST = 'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:';

let identity: SigningIdentity;
let publicJwk: Ed25519PublicJwk;

beforeAll(async () => {
  const keys = await generateIdentityKeys();
  identity = { keyid: KEYID, privateKey: keys.privateKey };
  publicJwk = keys.publicJwk;
});

/** The signature base of RFC 9421 §2.5, written out by hand, for the v1 components. */
function expectedBase(method: string, path: string, digest: string, keyid = KEYID): string {
  return [
    `"@method": ${method}`,
    `"@path": ${path}`,
    `"content-digest": ${digest}`,
    `"@signature-params": ("@method" "@path" "content-digest");created=${CREATED_SECONDS};keyid="${keyid}";alg="ed25519"`,
  ].join('\n');
}

function signatureBytes(header: string): Buffer {
  const match = /^sig=:([A-Za-z0-9+/=]+):$/.exec(header);
  if (!match) throw new Error(`unexpected Signature header ${header}`);
  return Buffer.from(match[1]!, 'base64');
}

function publicKeyOf(jwk: Ed25519PublicJwk): KeyObject {
  return createPublicKey({ key: jwk, format: 'jwk' });
}

describe('contentDigest', () => {
  it('is the RFC 9530 sha-256 of the empty body', () => {
    // Arrange
    const body = new Uint8Array(0);
    // Act
    const digest = contentDigest(body);
    // Assert
    expect(digest).toBe(EMPTY_DIGEST);
  });

  it('is the RFC 9530 sha-256 of the bytes given', () => {
    // Arrange
    const body = new TextEncoder().encode('hello');
    // Act
    const digest = contentDigest(body);
    // Assert
    expect(digest).toBe('sha-256=:LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=:');
  });
});

describe('signRequest', () => {
  it('produces the v1 headers: content-digest, signature-input and signature', async () => {
    // Arrange
    const body = new TextEncoder().encode('{"beats":[]}');
    // Act
    const headers = await signRequest(
      {
        method: 'POST',
        url: `https://api.example.test/v1/installations/${KEYID}/telemetry`,
        headers: { 'Content-Type': 'application/json' },
        body,
      },
      identity,
      { created: CREATED },
    );
    // Assert
    expect(headers).toEqual({
      'Content-Type': 'application/json',
      'content-digest': contentDigest(body),
      'signature-input': `sig=("@method" "@path" "content-digest");created=${CREATED_SECONDS};keyid="${KEYID}";alg="ed25519"`,
      signature: expect.stringMatching(/^sig=:[A-Za-z0-9+/]{86}==:$/),
    });
  });

  it('signs exactly the RFC 9421 signature base of method, path and digest', async () => {
    // Arrange
    const path = `/v1/installations/${KEYID}/telemetry`;
    const body = new TextEncoder().encode('{"beats":[]}');
    // Act
    const headers = await signRequest(
      { method: 'POST', url: `https://api.example.test${path}`, headers: {}, body },
      identity,
      { created: CREATED },
    );
    // Assert
    const base = expectedBase('POST', path, contentDigest(body));
    expect(cryptoVerify(null, Buffer.from(base), publicKeyOf(publicJwk), signatureBytes(headers['signature']!))).toBe(
      true,
    );
  });

  it('signs the path without the query string, and the digest of the empty body when there is no body', async () => {
    // Arrange
    const url = `https://api.example.test/v1/installations/${KEYID}/license?debug=1`;
    // Act
    const headers = await signRequest({ method: 'get', url, headers: {} }, identity, { created: CREATED });
    // Assert
    expect(headers['content-digest']).toBe(EMPTY_DIGEST);
    const base = expectedBase('GET', `/v1/installations/${KEYID}/license`, EMPTY_DIGEST);
    expect(cryptoVerify(null, Buffer.from(base), publicKeyOf(publicJwk), signatureBytes(headers['signature']!))).toBe(
      true,
    );
  });

  it('replaces signature headers the caller passed in, whatever their case', async () => {
    // Arrange
    const stale = {
      Signature: 'sig=:AAAA:',
      'Signature-Input': 'sig=();created=1',
      'Content-Digest': 'sha-256=:AAAA:',
      'If-None-Match': '"v1"',
    };
    // Act
    const headers = await signRequest(
      { method: 'GET', url: 'https://api.example.test/v1/x', headers: stale },
      identity,
      { created: CREATED },
    );
    // Assert
    expect(Object.keys(headers).sort()).toEqual(['If-None-Match', 'content-digest', 'signature', 'signature-input']);
    expect(headers['content-digest']).toBe(EMPTY_DIGEST);
  });

  it('is accepted by the server (round trip through verifyAgentRequest)', async () => {
    // Arrange
    const path = `/v1/installations/${KEYID}/telemetry`;
    const body = new TextEncoder().encode('{"beats":[]}');
    const headers = await signRequest(
      { method: 'POST', url: `https://api.example.test${path}`, headers: {}, body },
      identity,
    );
    // Act
    const result = await verifyAgentRequest({ method: 'POST', path, headers, body }, async (k) =>
      k === KEYID ? publicJwk : null,
    );
    // Assert
    expect(result.keyid).toBe(KEYID);
  });

  it('is refused by the server when the body is tampered with', async () => {
    // Arrange
    const path = `/v1/installations/${KEYID}/telemetry`;
    const body = new TextEncoder().encode('{"beats":[]}');
    const headers = await signRequest(
      { method: 'POST', url: `https://api.example.test${path}`, headers: {}, body },
      identity,
    );
    // Act
    const outcome = verifyAgentRequest(
      { method: 'POST', path, headers, body: new TextEncoder().encode('{"beats":[{}]}') },
      async () => publicJwk,
    );
    // Assert
    await expect(outcome).rejects.toThrow(UnauthorizedError);
  });

  it('refuses a key that is not Ed25519', async () => {
    // Arrange
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    // Act
    const outcome = signRequest(
      { method: 'GET', url: 'https://api.example.test/v1/x', headers: {} },
      { keyid: KEYID, privateKey },
    );
    // Assert
    await expect(outcome).rejects.toThrow(/Ed25519 private key/);
  });

  it('refuses a relative URL (the path must be the one sent)', async () => {
    // Arrange
    const url = '/v1/x';
    // Act
    const outcome = signRequest({ method: 'GET', url, headers: {} }, identity);
    // Assert
    await expect(outcome).rejects.toThrow(/url must be an absolute URL/);
  });
});

describe('generateIdentityKeys and jwkThumbprint', () => {
  it('generates an Ed25519 key, its public JWK and the thumbprint of that JWK', async () => {
    // Arrange / Act
    const keys = await generateIdentityKeys();
    // Assert
    expect(keys.privateKey.asymmetricKeyType).toBe('ed25519');
    expect(keys.publicJwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(keys.thumbprint).toBe(await jwkThumbprint(keys.publicJwk));
    expect(createPublicKey(keys.privateKey).export({ format: 'jwk' }).x).toBe(keys.publicJwk.x);
  });

  it('computes the RFC 7638 thumbprint of the RFC 8037 Appendix A.3 key', async () => {
    // Arrange
    const jwk: Ed25519PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
    // Act
    const thumbprint = await jwkThumbprint(jwk);
    // Assert
    expect(thumbprint).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  it('lets a fresh identity sign its own activation (keyid = thumbprint)', async () => {
    // Arrange
    const keys = await generateIdentityKeys();
    const body = new TextEncoder().encode(JSON.stringify({ activationKey: 'K', publicKey: keys.publicJwk }));
    const headers = await signRequest(
      { method: 'POST', url: 'https://api.example.test/v1/activations', headers: {}, body },
      { keyid: keys.thumbprint, privateKey: keys.privateKey },
    );
    // Act
    const result = await verifyAgentRequest({ method: 'POST', path: '/v1/activations', headers, body }, async (kid) =>
      kid === (await jwkThumbprint(keys.publicJwk)) ? keys.publicJwk : null,
    );
    // Assert
    expect(result.keyid).toBe(keys.thumbprint);
  });
});

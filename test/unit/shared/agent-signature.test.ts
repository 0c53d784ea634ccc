import { generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { httpbis } from 'http-message-signatures';
import { UnauthorizedError, ValidationError } from '#lambdas/core/errors';
import { BAD_SIGNATURE_DETAIL } from '#lambdas/core/licensing/signature-check';
import {
  installationSignatureCheck,
  isEd25519PublicJwk,
  jwkThumbprint,
  verifyAgentRequest,
  type AgentRequest,
  type Ed25519PublicJwk,
} from '#lambdas/shared/agent-signature';
import { contentDigest, generateIdentityKeys, signRequest } from '#agent/sdk/signing';

const BASE_URL = 'https://api.eu.example.test';
const NOW = new Date('2025-06-01T12:00:00.500Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const INSTALLATION_ID = 'inst-0f8e2c1a';
const PATH = `/v1/installations/${INSTALLATION_ID}/telemetry`;
const BODY = new TextEncoder().encode('{"beats":[]}');

let privateKey: KeyObject;
let publicJwk: Ed25519PublicJwk;

beforeAll(async () => {
  ({ privateKey, publicJwk } = await generateIdentityKeys());
});

const lookup = async (keyid: string) => (keyid === INSTALLATION_ID ? publicJwk : null);
const verify = (req: AgentRequest, opts?: { now?: Date; maxSkewSeconds?: number }) =>
  verifyAgentRequest(req, lookup, { now: NOW, ...opts });

/** A request signed with the agent SDK, as the HTTP edge would hand it over. */
async function signed(
  method: string,
  path: string,
  body?: Uint8Array,
  opts: { created?: Date; key?: KeyObject; keyid?: string } = {},
): Promise<AgentRequest> {
  const headers = await signRequest(
    { method, url: BASE_URL + path, headers: { 'content-type': 'application/json' }, body },
    { keyid: opts.keyid ?? INSTALLATION_ID, privateKey: opts.key ?? privateKey },
    { created: opts.created ?? NOW },
  );
  return { method, path, headers, body: body ?? new Uint8Array(0) };
}

/** A request signed by the library with any fields and parameters (to build non-conforming ones). */
async function signedWith(config: {
  fields: string[];
  params: string[];
  alg?: string;
  expires?: Date;
}): Promise<AgentRequest> {
  const digest = contentDigest(BODY);
  const msg = await httpbis.signMessage(
    {
      key: {
        id: INSTALLATION_ID,
        alg: config.alg ?? 'ed25519',
        sign: async (data: Buffer) => cryptoSign(null, data, privateKey),
      },
      fields: config.fields,
      params: config.params,
      paramValues: { created: NOW, expires: config.expires },
    },
    {
      method: 'POST',
      url: BASE_URL + PATH,
      headers: { 'content-digest': digest, 'content-type': 'application/json' } as Record<string, string | string[]>,
    },
  );
  return {
    method: 'POST',
    path: PATH,
    headers: {
      'content-digest': digest,
      'content-type': 'application/json',
      'signature-input': String(msg.headers['Signature-Input']),
      signature: String(msg.headers['Signature']),
    },
    body: BODY,
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => null,
    (e: unknown) => e as Error,
  );
  if (outcome === null) throw new Error('expected the request to be refused, but it was accepted');
  return outcome;
}

async function expectUnauthorized(promise: Promise<unknown>, detail: RegExp): Promise<void> {
  const err = await rejection(promise);
  expect(err).toBeInstanceOf(UnauthorizedError);
  expect(err.message).toMatch(detail);
}

describe('verifyAgentRequest: accepted requests', () => {
  it('accepts a POST signed by the agent SDK and returns keyid and created', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY);
    // Act
    const result = await verify(req);
    // Assert
    expect(result).toEqual({ keyid: INSTALLATION_ID, created: new Date(NOW_SECONDS * 1000) });
  });

  it('accepts a GET with the digest of the empty body', async () => {
    // Arrange
    const req = await signed('GET', `/v1/installations/${INSTALLATION_ID}/license`);
    // Act
    const result = await verify(req);
    // Assert
    expect(req.headers['content-digest']).toBe('sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:');
    expect(result.keyid).toBe(INSTALLATION_ID);
  });

  it('accepts a request whose signature base was built by hand, independently of the library (RFC 9421 §2.5)', async () => {
    // Arrange
    const digest = contentDigest(BODY);
    const params = `("@method" "@path" "content-digest");created=${NOW_SECONDS};keyid="${INSTALLATION_ID}";alg="ed25519"`;
    const base = `"@method": POST\n"@path": ${PATH}\n"content-digest": ${digest}\n"@signature-params": ${params}`;
    const signature = cryptoSign(null, Buffer.from(base), privateKey).toString('base64');
    const req: AgentRequest = {
      method: 'POST',
      path: PATH,
      headers: { 'content-digest': digest, 'signature-input': `agent=${params}`, signature: `agent=:${signature}:` },
      body: BODY,
    };
    // Act
    const result = await verify(req);
    // Assert
    expect(result.keyid).toBe(INSTALLATION_ID);
  });

  it('accepts created 299 s in the past and 299 s in the future', async () => {
    // Arrange
    const old = await signed('POST', PATH, BODY, { created: new Date(NOW.getTime() - 299_000) });
    const ahead = await signed('POST', PATH, BODY, { created: new Date(NOW.getTime() + 299_000) });
    // Act
    const results = await Promise.all([verify(old), verify(ahead)]);
    // Assert
    expect(results.map((r) => r.keyid)).toEqual([INSTALLATION_ID, INSTALLATION_ID]);
  });

  it('uses the key lookup returns now when the key for a keyid changes (cache is keyed by keyid and x)', async () => {
    // Arrange
    const rotated = await generateIdentityKeys();
    let current = publicJwk;
    const rotatingLookup = async () => current;
    const before = await signed('POST', PATH, BODY);
    const after = await signed('POST', PATH, BODY, { key: rotated.privateKey });
    await verifyAgentRequest(before, rotatingLookup, { now: NOW });
    // Act
    current = rotated.publicJwk;
    const accepted = await verifyAgentRequest(after, rotatingLookup, { now: NOW });
    const stale = verifyAgentRequest(before, rotatingLookup, { now: NOW });
    // Assert
    expect(accepted.keyid).toBe(INSTALLATION_ID);
    await expectUnauthorized(stale, /^Bad signature/);
  });
});

describe('verifyAgentRequest: tampering', () => {
  it('refuses a tampered body (Content-Digest no longer matches)', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY);
    req.body = new TextEncoder().encode('{"beats":[1]}');
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /Content-Digest does not match the body \(sha-256 of the 13 bytes received\)/);
  });

  it('refuses a tampered body sent with a recomputed Content-Digest (the signature covers the digest)', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY);
    req.body = new TextEncoder().encode('{"beats":[1]}');
    req.headers['content-digest'] = contentDigest(req.body);
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /^Bad signature/);
  });

  it('refuses a tampered path', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY);
    req.path = '/v1/installations/inst-other/telemetry';
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /^Bad signature/);
  });

  it('refuses the wrong method', async () => {
    // Arrange
    const req = await signed('DELETE', `/v1/installations/${INSTALLATION_ID}`);
    req.method = 'GET';
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /^Bad signature/);
  });

  it('refuses a signature made by another key', async () => {
    // Arrange
    const { privateKey: otherKey } = generateKeyPairSync('ed25519');
    const req = await signed('POST', PATH, BODY, { key: otherKey });
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, new RegExp(`^${literal(BAD_SIGNATURE_DETAIL)}$`));
  });

  it('refuses a Signature that is not 64 bytes', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY);
    req.headers['signature'] = 'sig=:AAAA:';
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /byte sequence of 64 bytes/);
  });
});

describe('verifyAgentRequest: Content-Digest', () => {
  it('refuses a request without Content-Digest', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY);
    delete req.headers['content-digest'];
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /Content-Digest header is missing/);
  });

  it('refuses a Content-Digest that does not match the body', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY);
    req.headers['content-digest'] = contentDigest(new TextEncoder().encode('something else'));
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /Content-Digest does not match the body/);
  });

  it('refuses a Content-Digest without a sha-256 member', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY);
    req.headers['content-digest'] = `sha-512=:${Buffer.alloc(64).toString('base64')}:`;
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /no sha-256 member/);
  });

  it('refuses a malformed Content-Digest', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY);
    req.headers['content-digest'] = 'sha-256=abc def';
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /Content-Digest header is malformed/);
  });
});

describe('verifyAgentRequest: signature headers', () => {
  it('refuses an unsigned request', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY);
    delete req.headers['signature'];
    delete req.headers['signature-input'];
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /not signed: the Signature-Input and Signature headers are missing/);
  });

  it('refuses a request without Signature', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY);
    delete req.headers['signature'];
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /^The Signature header is missing/);
  });

  it('refuses a request without Signature-Input', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY);
    delete req.headers['signature-input'];
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /^The Signature-Input header is missing/);
  });

  it('refuses a malformed Signature-Input', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY);
    req.headers['signature-input'] = 'sig=("@method" "@path" "content-digest";created=1';
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /Signature-Input header is malformed/);
  });

  it('refuses a Signature-Input member that is not an inner list', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY);
    req.headers['signature-input'] = 'sig="@method";created=1';
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /member "sig" is malformed/);
  });

  it('refuses two signatures', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY);
    const input = req.headers['signature-input']!;
    req.headers['signature-input'] = `${input}, other=${input.slice('sig='.length)}`;
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /exactly one signature; it holds 2/);
  });

  it('refuses a Signature labelled differently from Signature-Input', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY);
    req.headers['signature'] = req.headers['signature']!.replace(/^sig=/, 'sig2=');
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /labelled "sig" as in Signature-Input/);
  });

  it('refuses over-long signature headers before parsing them', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY);
    req.headers['signature-input'] = `${req.headers['signature-input']};tag="${'x'.repeat(3000)}"`;
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /longer than 2048 characters/);
  });
});

describe('verifyAgentRequest: covered components and parameters', () => {
  it.each([
    [['@method', '@path'], /covers \("@method" "@path"\)/],
    [
      ['@method', '@path', 'content-digest', 'content-type'],
      /covers \("@method" "@path" "content-digest" "content-type"\)/,
    ],
    [['@path', '@method', 'content-digest'], /covers \("@path" "@method" "content-digest"\)/],
    [['@method', '@target-uri', 'content-digest'], /covers \("@method" "@target-uri" "content-digest"\)/],
    [['@method', '@path', 'content-digest;sf'], /covers \("@method" "@path" "content-digest";sf\)/],
  ])('refuses covered components %j', async (fields, detail) => {
    // Arrange
    const req = await signedWith({ fields, params: ['created', 'keyid', 'alg'] });
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /must cover exactly \("@method" "@path" "content-digest"\)/);
    await expectUnauthorized(verify(req), detail);
  });

  it('refuses an alg other than ed25519', async () => {
    // Arrange
    const req = await signedWith({
      fields: ['@method', '@path', 'content-digest'],
      params: ['created', 'keyid', 'alg'],
      alg: 'rsa-pss-sha512',
    });
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /Unsupported signature alg "rsa-pss-sha512"; only "ed25519" is accepted/);
  });

  it('refuses alg given as a token instead of a string', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY);
    req.headers['signature-input'] = req.headers['signature-input']!.replace('alg="ed25519"', 'alg=ed25519');
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /Unsupported signature alg of type object/);
  });

  it.each(['created', 'keyid', 'alg'])('refuses a signature without the %s parameter', async (missing) => {
    // Arrange
    const params = ['created', 'keyid', 'alg'].filter((p) => p !== missing);
    const req = await signedWith({ fields: ['@method', '@path', 'content-digest'], params });
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, new RegExp(`missing the "${missing}" parameter`));
  });

  it('refuses parameters beyond created, keyid and alg', async () => {
    // Arrange
    const req = await signedWith({
      fields: ['@method', '@path', 'content-digest'],
      params: ['created', 'keyid', 'alg', 'expires'],
      expires: new Date(NOW.getTime() + 60_000),
    });
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /unsupported parameter\(s\) "expires"/);
  });

  it('refuses a non-integer created', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY);
    req.headers['signature-input'] = req.headers['signature-input']!.replace(/created=\d+/, `created=${NOW_SECONDS}.5`);
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /created parameter must be an integer/);
  });
});

describe('verifyAgentRequest: clock', () => {
  it('refuses created 301 s old', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY, { created: new Date(NOW.getTime() - 301_000) });
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /too old: created 301 s ago, at most 300 s/);
  });

  it('refuses created 301 s in the future', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY, { created: new Date(NOW.getTime() + 301_000) });
    // Act
    const outcome = verify(req);
    // Assert
    await expectUnauthorized(outcome, /in the future: 301 s ahead of the server clock, at most 300 s/);
  });

  it('honours maxSkewSeconds', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY, { created: new Date(NOW.getTime() - 61_000) });
    // Act
    const outcome = verify(req, { maxSkewSeconds: 60 });
    // Assert
    await expectUnauthorized(outcome, /created 61 s ago, at most 60 s/);
  });

  it('does not look the key up for a stale request', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY, { created: new Date(NOW.getTime() - 3600_000) });
    const spy = jest.fn(lookup);
    // Act
    const outcome = verifyAgentRequest(req, spy, { now: NOW });
    // Assert
    await expectUnauthorized(outcome, /too old/);
    expect(spy).not.toHaveBeenCalled();
  });
});

describe('verifyAgentRequest: keys', () => {
  it('refuses an unknown keyid exactly as a bad signature (nothing tells which keys exist)', async () => {
    // Arrange
    const unknown = await signed('POST', PATH, BODY, { keyid: 'inst-unknown' });
    const { privateKey: otherKey } = generateKeyPairSync('ed25519');
    const forged = await signed('POST', PATH, BODY, { key: otherKey });
    // Act
    const [unknownError, forgedError] = [await rejection(verify(unknown)), await rejection(verify(forged))];
    // Assert
    expect(unknownError).toBeInstanceOf(UnauthorizedError);
    expect(unknownError.message).toBe(forgedError.message);
  });

  it('refuses when the registered key is not an Ed25519 public JWK', async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY);
    const badLookup = async () => ({ kty: 'OKP', crv: 'Ed25519', x: 'short' }) as Ed25519PublicJwk;
    // Act
    const outcome = verifyAgentRequest(req, badLookup, { now: NOW });
    // Assert
    await expectUnauthorized(outcome, /not an Ed25519 public key/);
  });

  it("passes errors of the key lookup through (they are not the client's fault)", async () => {
    // Arrange
    const req = await signed('POST', PATH, BODY);
    const failure = new Error('ProvisionedThroughputExceededException');
    // Act
    const err = await rejection(
      verifyAgentRequest(
        req,
        async () => {
          throw failure;
        },
        { now: NOW },
      ),
    );
    // Assert
    expect(err).toBe(failure);
  });
});

describe('jwkThumbprint', () => {
  it('matches RFC 7638 for the RFC 8037 Appendix A.3 key', async () => {
    // Arrange
    const jwk: Ed25519PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
    // Act
    const thumbprint = await jwkThumbprint(jwk);
    // Assert
    expect(thumbprint).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  it('ignores extra members such as kid', async () => {
    // Arrange
    const jwk = {
      kty: 'OKP',
      crv: 'Ed25519',
      x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
      kid: 'x',
    } as Ed25519PublicJwk;
    // Act
    const thumbprint = await jwkThumbprint(jwk);
    // Assert
    expect(thumbprint).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  it('refuses a JWK that is not an Ed25519 public key', async () => {
    // Arrange
    const jwk = { kty: 'EC', crv: 'P-256', x: 'abc' } as unknown as Ed25519PublicJwk;
    // Act
    const err = await rejection(jwkThumbprint(jwk));
    // Assert
    expect(err).toBeInstanceOf(ValidationError);
  });

  it('isEd25519PublicJwk tells public Ed25519 JWKs from anything else', () => {
    // Arrange
    const x = '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo';
    // Act / Assert
    expect(isEd25519PublicJwk({ kty: 'OKP', crv: 'Ed25519', x })).toBe(true);
    expect(isEd25519PublicJwk({ kty: 'OKP', crv: 'Ed25519', x, d: x })).toBe(false);
    expect(isEd25519PublicJwk({ kty: 'OKP', crv: 'X25519', x })).toBe(false);
    expect(isEd25519PublicJwk({ kty: 'OKP', crv: 'Ed25519', x: `${x}A` })).toBe(false);
    expect(isEd25519PublicJwk(null)).toBe(false);
  });
});

describe('installationSignatureCheck: everything that needs no key, before the installation is read', () => {
  it.each([
    ['an unsigned request', async () => ({ method: 'GET', path: PATH, headers: {}, body: new Uint8Array(0) })],
    ['a stale signature', () => signed('POST', PATH, BODY, { created: new Date(NOW.getTime() - 301_000) })],
    [
      'a body that does not match its Content-Digest',
      async () => ({ ...(await signed('POST', PATH, BODY)), body: new TextEncoder().encode('{}') }),
    ],
    ["another installation's keyid", () => signed('POST', PATH, BODY, { keyid: 'inst-another' })],
  ])('refuses %s at once, synchronously', async (_case, request) => {
    // Arrange
    const req = await request();
    // Act
    const check = () => installationSignatureCheck(req, INSTALLATION_ID, { now: NOW });
    // Assert
    expect(check).toThrow(UnauthorizedError);
  });

  it("verifies against the installation's key, and refuses no key (unknown) with the bad signature's detail", async () => {
    // Arrange
    const check = installationSignatureCheck(await signed('POST', PATH, BODY), INSTALLATION_ID, { now: NOW });
    // Act
    const unknown = check(null);
    // Assert
    await expect(check(publicJwk)).resolves.toBeUndefined();
    await expectUnauthorized(unknown, new RegExp(`^${literal(BAD_SIGNATURE_DETAIL)}$`));
  });
});

/** `text` as a regular expression that matches it literally. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

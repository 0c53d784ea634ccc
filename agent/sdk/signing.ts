/**
 * # Agent request signing: the v1 contract in code
 *
 * Every agent request to the UCX cloud (from `POST /v1/activations` on) is signed with the
 * installation's own Ed25519 key using HTTP Message Signatures (RFC 9421). This module is the
 * reference implementation; an agent written in another language must produce byte-for-byte the
 * same headers.
 *
 * ## What is sent
 *
 * ```http
 * POST /v1/installations/0f8e…/telemetry HTTP/1.1
 * Content-Type: application/json
 * Content-Digest: sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:
 * Signature-Input: sig=("@method" "@path" "content-digest");created=1735689600;keyid="0f8e…";alg="ed25519"
 * Signature: sig=:<base64 of the 64-byte Ed25519 signature>:
 *
 * {"beats":[…]}
 * ```
 *
 * - `Content-Digest` (RFC 9530): `sha-256=:<base64 of SHA-256(body)>:` over the body bytes exactly
 *   as sent, i.e. after gzip when `Content-Encoding: gzip` is used. A request without a body (GET,
 *   DELETE) still sends it, over the empty body:
 *   `sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:`.
 * - Covered components, exactly these three in this order, without component parameters:
 *   `("@method" "@path" "content-digest")`. `@method` is the upper-case method, `@path` the URL path
 *   as sent (percent-encoded, no query string; `/` when empty). The query string is not covered.
 * - Signature parameters, exactly these three and no others (no `expires`, `nonce`, `tag`):
 *   `created` (integer Unix seconds; the server refuses anything more than 300 s from its clock, so
 *   keep the clock in sync and sign each attempt afresh), `keyid` (a string, see below),
 *   `alg="ed25519"`.
 * - One signature per request, under any label (this SDK uses `sig`).
 * - `keyid`: for `POST /v1/activations`, the RFC 7638 JWK thumbprint of the public key sent in the
 *   body ({@link jwkThumbprint}); after activation, the `installationId` the activation returned.
 *
 * ## The signature base (RFC 9421 §2.5)
 *
 * The Ed25519 signature (RFC 8032, pure Ed25519, no pre-hash) is over the UTF-8 bytes of these four
 * lines joined by `\n`, with no trailing newline; the last line repeats the `Signature-Input`
 * member value verbatim:
 *
 * ```text
 * "@method": POST
 * "@path": /v1/installations/0f8e…/telemetry
 * "content-digest": sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:
 * "@signature-params": ("@method" "@path" "content-digest");created=1735689600;keyid="0f8e…";alg="ed25519"
 * ```
 *
 * ## Replays
 *
 * Every signed operation is idempotent, so a replay inside the 300 s window has no further effect;
 * there is no nonce. A refused signature is answered `401` with an `application/problem+json` body
 * whose `detail` says what was wrong (clock skew, digest mismatch, unknown key, ...).
 */
import { createHash, generateKeyPair, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { httpbis } from 'http-message-signatures';
import type { Ed25519PublicJwk } from './types';

export type { Ed25519PublicJwk } from './types';

/** Who signs: the key id the server knows the key by, and the Ed25519 private key. */
export interface SigningIdentity {
  /** JWK thumbprint of the public key before activation; the installation id after it. */
  keyid: string;
  /** An Ed25519 private key (`KeyObject` with `asymmetricKeyType === 'ed25519'`). */
  privateKey: KeyObject;
}

/** The covered components, in order. */
export const COVERED_COMPONENTS = ['@method', '@path', 'content-digest'] as const;
/** The signature parameters, in order. */
export const SIGNATURE_PARAMS = ['created', 'keyid', 'alg'] as const;
export const SIGNATURE_ALG = 'ed25519';
/** The server's tolerance for `created`, each way, in seconds. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * The RFC 9530 `Content-Digest` value for `body`: `sha-256=:<base64>:`.
 * Pass the bytes exactly as they go on the wire (compressed, if you compress).
 */
export function contentDigest(body: Uint8Array): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}

/**
 * Signs a request. Returns the headers to send: the caller's `headers` (any `Content-Digest`,
 * `Signature-Input` or `Signature` among them replaced) plus lower-case `content-digest`,
 * `signature-input` and `signature`.
 *
 * @param req.method the HTTP method; send it in upper case (fetch does not upper-case `patch`).
 * @param req.url the absolute URL the request goes to; only its path is signed.
 * @param req.body the body bytes exactly as they will be sent; omit (or empty) for no body.
 * @param opts.created the signing time, default now (tests use it to simulate clock skew).
 */
export async function signRequest(
  req: { method: string; url: string; headers: Record<string, string>; body?: Uint8Array },
  id: SigningIdentity,
  opts?: { created?: Date },
): Promise<Record<string, string>> {
  if (id.privateKey.type !== 'private' || id.privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError('signRequest: the identity key must be an Ed25519 private key');
  }
  let url: URL;
  try {
    url = new URL(req.url); // @path is taken from the URL as sent, so it must be absolute
  } catch {
    throw new TypeError(`signRequest: url must be an absolute URL, got ${JSON.stringify(req.url)}`);
  }
  const digest = contentDigest(req.body ?? new Uint8Array(0));
  const signed = await httpbis.signMessage(
    {
      key: { id: id.keyid, alg: SIGNATURE_ALG, sign: async (data: Buffer) => cryptoSign(null, data, id.privateKey) },
      name: 'sig',
      fields: [...COVERED_COMPONENTS],
      params: [...SIGNATURE_PARAMS],
      paramValues: { created: opts?.created ?? new Date(), keyid: id.keyid, alg: SIGNATURE_ALG },
    },
    {
      method: req.method.toUpperCase(),
      url,
      headers: { 'content-digest': digest } as Record<string, string | string[]>,
    },
  );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    const lc = name.toLowerCase();
    if (lc !== 'content-digest' && lc !== 'signature-input' && lc !== 'signature') out[name] = value;
  }
  out['content-digest'] = digest;
  out['signature-input'] = String(signed.headers['Signature-Input']);
  out['signature'] = String(signed.headers['Signature']);
  return out;
}

/**
 * RFC 7638 thumbprint (SHA-256, base64url) of an Ed25519 public JWK: the hash of
 * `{"crv":"Ed25519","kty":"OKP","x":"<x>"}`, members in that order, no white space.
 */
export async function jwkThumbprint(jwk: Ed25519PublicJwk): Promise<string> {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw new TypeError('jwkThumbprint: not an Ed25519 public JWK');
  }
  return createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x }))
    .digest('base64url');
}

/**
 * A fresh installation identity: the Ed25519 private key to keep (store it protected; it is the
 * installation's credential), the public JWK to send in `POST /v1/activations`, and its thumbprint,
 * the `keyid` to sign that activation request with.
 */
export async function generateIdentityKeys(): Promise<{
  privateKey: KeyObject;
  publicJwk: Ed25519PublicJwk;
  thumbprint: string;
}> {
  const { privateKey, publicKey } = await generateKeyPairAsync('ed25519');
  const { x } = publicKey.export({ format: 'jwk' });
  const publicJwk: Ed25519PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: x as string };
  return { privateKey, publicJwk, thumbprint: await jwkThumbprint(publicJwk) };
}

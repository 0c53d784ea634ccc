/**
 * Server side of the agent request-signing contract (DESIGN.md, "The agent-facing contract (v1)",
 * "Request signing"): HTTP Message Signatures (RFC 9421) with Ed25519 over exactly
 * `("@method" "@path" "content-digest")`, parameters `created`, `keyid`, `alg="ed25519"`, and a
 * `Content-Digest: sha-256=:…:` (RFC 9530) of the body bytes as sent.
 *
 * The client side (what an agent does) is `agent/sdk/signing.ts`; the two must stay in step.
 *
 * Parsing of the structured fields and the building of the signature base go through
 * `http-message-signatures` (and its `structured-headers` parser); the Ed25519 check itself is a
 * direct `crypto.verify` on that base, because the library's `verifyMessage` re-parses every header
 * and cannot give the precise reasons a 401 has to carry (and reads its clock from `Date.now()`).
 *
 * Every refusal caused by the request is an `UnauthorizedError` (401) with a human detail. Errors
 * thrown by `lookupKey` (e.g. a throttled GetItem) are passed through untouched. Everything that
 * needs no key is checked first (`checkAgentRequest`), so junk costs no database read; an unknown
 * key is refused exactly as a bad signature (docs/security.md).
 */
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  timingSafeEqual,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import { httpbis, type Request as HttpbisRequest } from 'http-message-signatures';
import {
  isInnerList,
  parseDictionary,
  serializeItem,
  serializeList,
  type InnerList,
  type Item,
} from 'structured-headers';
import { UnauthorizedError, ValidationError } from '../core/errors';
import { setBounded } from '../core/bounded-map';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { BAD_SIGNATURE_DETAIL, type SignatureCheck } from '../core/licensing/signature-check';

/** A request as the HTTP edge saw it. Header names lowercased (API Gateway payload v2). */
export interface AgentRequest {
  /** HTTP method, e.g. `GET` */
  method: string;
  /** The path as received, without the query string and still percent-encoded (`event.rawPath`). */
  path: string;
  headers: Record<string, string | undefined>;
  /** The body bytes exactly as sent (still gzip-compressed if `Content-Encoding: gzip`); empty for a GET. */
  body: Uint8Array;
}

/** An Ed25519 public key as a JWK (RFC 8037). */
export type Ed25519PublicJwk = { kty: 'OKP'; crv: 'Ed25519'; x: string };

/** The covered components, in this order and without component parameters. */
export const COVERED_COMPONENTS = ['@method', '@path', 'content-digest'] as const;
export const SIGNATURE_ALG = 'ed25519';
const DEFAULT_MAX_SKEW_SECONDS = 300;

/** Caps that bound the work an unauthenticated caller can make us do before the key lookup. */
const MAX_SIGNATURE_HEADER_CHARS = 2048;
const MAX_KEYID_CHARS = 256;
const ED25519_SIGNATURE_BYTES = 64;
const SHA256_BYTES = 32;
/** 32 bytes, base64url without padding: 43 characters, the last carrying 4 bits + 2 zero bits. */
const ED25519_X = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;
const EXPECTED_COMPONENTS_TEXT = '("@method" "@path" "content-digest")';
const REQUIRED_PARAMS = ['created', 'keyid', 'alg'] as const;

/** Imported public keys, by x + keyid (x has a fixed length, so the concatenation is unambiguous). */
const KEY_CACHE_MAX = 1024;
const keyCache = new Map<string, KeyObject>();

/** True when `v` is a well-formed Ed25519 public JWK (extra members such as `kid` or `use` are allowed). */
export function isEd25519PublicJwk(v: unknown): v is Ed25519PublicJwk {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return o.kty === 'OKP' && o.crv === 'Ed25519' && typeof o.x === 'string' && ED25519_X.test(o.x) && o.d === undefined;
}

/**
 * RFC 7638 JWK thumbprint (SHA-256, base64url) of an Ed25519 public key: the hash of
 * `{"crv":"Ed25519","kty":"OKP","x":"…"}`. The same value as jose's `calculateJwkThumbprint`.
 * Throws `ValidationError` (path `publicKey`) when `jwk` is not an Ed25519 public JWK.
 */
export async function jwkThumbprint(jwk: Ed25519PublicJwk): Promise<string> {
  if (!isEd25519PublicJwk(jwk)) {
    throw new ValidationError([
      {
        path: 'publicKey',
        message: 'must be an Ed25519 public JWK: { kty: "OKP", crv: "Ed25519", x: <32 bytes base64url> }',
      },
    ]);
  }
  return createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${jwk.x}"}`).digest('base64url');
}

/**
 * Verifies an agent request's signature and returns who signed it and when.
 *
 * @param lookupKey returns the public key registered for `keyid`, or null when there is none. It
 *   is only called once the request is otherwise acceptable (parameters, clock, digest), so junk
 *   costs no database read. For an activation (`keyid` = thumbprint of the key in the body) it
 *   must return the body's key only if `keyid === await jwkThumbprint(body.publicKey)`.
 * @throws UnauthorizedError for every defect of the request, with a precise `detail`.
 */
export async function verifyAgentRequest(
  req: AgentRequest,
  lookupKey: (keyid: string) => Promise<Ed25519PublicJwk | null>,
  opts?: CheckOptions,
): Promise<{ keyid: string; created: Date }> {
  const checked = checkAgentRequest(req, opts);
  return verifyCheckedRequest(checked, await lookupKey(checked.keyid));
}

/**
 * The check of an installation route (`/v1/installations/{id}/…`), run at once: everything that
 * needs no key, and `keyid` = the installation in the path. Throws `UnauthorizedError` before any
 * read; the returned check verifies against the installation's key, or refuses `null` (unknown).
 */
export function installationSignatureCheck(
  req: AgentRequest,
  installationId: string,
  opts?: CheckOptions,
): SignatureCheck {
  const checked = checkAgentRequest(req, opts);
  if (checked.keyid !== installationId) {
    throw new UnauthorizedError(
      `The signature's keyid ${JSON.stringify(checked.keyid)} is not the installation in the path; an installation signs with its own id.`,
    );
  }
  return async (publicKey) => {
    await verifyCheckedRequest(checked, publicKey);
  };
}

type CheckOptions = { now?: Date; maxSkewSeconds?: number };

/** A request whose signature headers, clock and digest are acceptable: only the key is left to check. */
export interface CheckedAgentRequest {
  readonly keyid: string;
  readonly created: Date;
  readonly req: AgentRequest;
  readonly input: InnerList;
  readonly signatureValue: ArrayBuffer;
  readonly digestHeader: string;
}

/** Steps 1–6 of the verification: everything that needs no key, so no database read. */
export function checkAgentRequest(req: AgentRequest, opts?: CheckOptions): CheckedAgentRequest {
  const { headers } = req;

  // 1. Both headers, exactly one signature, labelled alike.
  const inputHeader = headers['signature-input'];
  const signatureHeader = headers['signature'];
  if (inputHeader === undefined && signatureHeader === undefined) {
    throw new UnauthorizedError('The request is not signed: the Signature-Input and Signature headers are missing.');
  }
  if (inputHeader === undefined) throw new UnauthorizedError('The Signature-Input header is missing.');
  if (signatureHeader === undefined) throw new UnauthorizedError('The Signature header is missing.');
  if (inputHeader.length > MAX_SIGNATURE_HEADER_CHARS || signatureHeader.length > MAX_SIGNATURE_HEADER_CHARS) {
    throw new UnauthorizedError(
      `The Signature-Input or Signature header is longer than ${MAX_SIGNATURE_HEADER_CHARS} characters.`,
    );
  }
  const inputs = parseField(inputHeader, 'Signature-Input');
  if (inputs.size !== 1) {
    throw new UnauthorizedError(`The Signature-Input header must hold exactly one signature; it holds ${inputs.size}.`);
  }
  const [label, input] = inputs.entries().next().value as [string, InnerList | unknown];
  if (!Array.isArray(input) || !isInnerList(input as InnerList)) {
    throw new UnauthorizedError(
      `The Signature-Input member "${label}" is malformed: it must be an inner list of components with parameters.`,
    );
  }
  const [components, params] = input as InnerList;

  // 2. Covered components: exactly ("@method" "@path" "content-digest").
  if (
    components.length !== COVERED_COMPONENTS.length ||
    components.some(([name, p], i) => name !== COVERED_COMPONENTS[i] || p.size !== 0)
  ) {
    throw new UnauthorizedError(
      `The signature must cover exactly ${EXPECTED_COMPONENTS_TEXT}; it covers (${components.map((c) => safeSerialize(c)).join(' ')}).`,
    );
  }

  // 3. Parameters: exactly created, keyid, alg="ed25519".
  for (const name of REQUIRED_PARAMS) {
    if (!params.has(name)) throw new UnauthorizedError(`The Signature-Input is missing the "${name}" parameter.`);
  }
  if (params.size !== REQUIRED_PARAMS.length) {
    const extra = [...params.keys()].filter((k) => !(REQUIRED_PARAMS as readonly string[]).includes(k));
    throw new UnauthorizedError(
      `The Signature-Input has unsupported parameter(s) ${extra.map((k) => `"${k}"`).join(', ')}; only created, keyid and alg are allowed.`,
    );
  }
  const alg = params.get('alg');
  if (alg !== SIGNATURE_ALG) {
    throw new UnauthorizedError(`Unsupported signature alg ${describe(alg)}; only "ed25519" is accepted.`);
  }
  const keyid = params.get('keyid');
  if (typeof keyid !== 'string' || keyid.length === 0 || keyid.length > MAX_KEYID_CHARS) {
    throw new UnauthorizedError(
      `The keyid parameter must be a non-empty string of at most ${MAX_KEYID_CHARS} characters.`,
    );
  }
  const created = params.get('created');
  if (typeof created !== 'number' || !Number.isSafeInteger(created)) {
    throw new UnauthorizedError('The created parameter must be an integer (seconds since the Unix epoch).');
  }

  // 4. Clock: created within ±maxSkewSeconds.
  const maxSkew = opts?.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS;
  const nowSeconds = Math.floor((opts?.now?.getTime() ?? Date.now()) / 1000);
  const skew = created - nowSeconds;
  if (skew < -maxSkew) {
    throw new UnauthorizedError(`The signature is too old: created ${-skew} s ago, at most ${maxSkew} s is allowed.`);
  }
  if (skew > maxSkew) {
    throw new UnauthorizedError(
      `The signature is created in the future: ${skew} s ahead of the server clock, at most ${maxSkew} s is allowed.`,
    );
  }

  // 5. The signature value under the same label.
  const signatures = parseField(signatureHeader, 'Signature');
  if (signatures.size !== 1 || !signatures.has(label)) {
    throw new UnauthorizedError(
      `The Signature header must hold exactly one signature, labelled "${label}" as in Signature-Input.`,
    );
  }
  const signatureValue = (signatures.get(label) as [unknown, unknown])[0];
  if (!(signatureValue instanceof ArrayBuffer) || signatureValue.byteLength !== ED25519_SIGNATURE_BYTES) {
    throw new UnauthorizedError(
      `The Signature value must be a byte sequence of ${ED25519_SIGNATURE_BYTES} bytes (Ed25519).`,
    );
  }

  // 6. Content-Digest: sha-256 of the body as sent.
  const digestHeader = headers['content-digest'];
  if (digestHeader === undefined) {
    throw new UnauthorizedError('The Content-Digest header is missing; it is required and covered by the signature.');
  }
  const digests = parseField(digestHeader, 'Content-Digest');
  const sha256 = digests.get('sha-256');
  if (sha256 === undefined) throw new UnauthorizedError('The Content-Digest header has no sha-256 member.');
  const claimed = (sha256 as [unknown, unknown])[0];
  if (!(claimed instanceof ArrayBuffer) || claimed.byteLength !== SHA256_BYTES) {
    throw new UnauthorizedError('The Content-Digest sha-256 member must be a byte sequence of 32 bytes.');
  }
  const actual = createHash('sha256').update(req.body).digest();
  if (!timingSafeEqual(actual, new Uint8Array(claimed))) {
    throw new UnauthorizedError(
      `The Content-Digest does not match the body (sha-256 of the ${req.body.byteLength} bytes received).`,
    );
  }

  return {
    keyid,
    created: new Date(created * 1000),
    req,
    input: input as InnerList,
    signatureValue,
    digestHeader,
  };
}

/**
 * Steps 7–8: the signature against `jwk`, the key registered for the keyid. `null` (no such key)
 * is verified against a key nobody holds and refused with the bad signature's very answer.
 */
export async function verifyCheckedRequest(
  checked: CheckedAgentRequest,
  jwk: Ed25519PublicJwk | null,
): Promise<{ keyid: string; created: Date }> {
  const { keyid, req, input, signatureValue, digestHeader } = checked;
  const key = jwk === null ? nobodysKey() : publicKeyFor(keyid, jwk);

  // The signature base (RFC 9421 §2.5), built by the library, verified directly.
  let base: string;
  try {
    const signed = httpbis.createSignatureBase(
      {
        fields: COVERED_COMPONENTS as unknown as string[],
        componentParser: (name) => componentValue(name, req, digestHeader),
      },
      { method: req.method, url: '', headers: {} } satisfies HttpbisRequest,
    );
    signed.push(['"@signature-params"', [serializeList([input])]]);
    base = httpbis.formatSignatureBase(signed);
  } catch (e) {
    throw new UnauthorizedError(`The signature base cannot be built: ${(e as Error).message}.`);
  }
  const verified = cryptoVerify(null, Buffer.from(base), key, new Uint8Array(signatureValue));
  if (!verified || jwk === null) throw new UnauthorizedError(BAD_SIGNATURE_DETAIL);
  return { keyid, created: checked.created };
}

let unknownKeyStandIn: KeyObject | undefined;
/** A key whose private half is thrown away: an unknown keyid costs the same verification as a known one. */
function nobodysKey(): KeyObject {
  unknownKeyStandIn ??= generateKeyPairSync('ed25519').publicKey;
  return unknownKeyStandIn;
}

/** Component values for the signature base. `@method` as the library derives it (upper case). */
function componentValue(name: string, req: AgentRequest, digestHeader: string): string[] | null {
  switch (name) {
    case '@method':
      return [req.method.toUpperCase()];
    case '@path':
      return [req.path === '' ? '/' : req.path];
    case 'content-digest':
      // RFC 9421 §2.1: trimmed, obs-fold replaced by a space (the library does the same).
      return [digestHeader.trim().replace(/\n\s*/g, ' ')];
    default:
      return null;
  }
}

function publicKeyFor(keyid: string, jwk: Ed25519PublicJwk): KeyObject {
  if (!isEd25519PublicJwk(jwk))
    throw new UnauthorizedError(`The key registered for ${JSON.stringify(keyid)} is not an Ed25519 public key.`);
  const cacheKey = jwk.x + keyid;
  let key = keyCache.get(cacheKey);
  if (key === undefined) {
    try {
      key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
    } catch {
      throw new UnauthorizedError(`The key registered for ${JSON.stringify(keyid)} is not a valid Ed25519 public key.`);
    }
    setBounded(keyCache, cacheKey, key, KEY_CACHE_MAX);
  }
  return key;
}

function parseField(value: string, name: string) {
  try {
    return parseDictionary(value);
  } catch (e) {
    throw new UnauthorizedError(
      `The ${name} header is malformed (not an RFC 8941 dictionary): ${(e as Error).message}.`,
    );
  }
}

function safeSerialize(item: Item): string {
  try {
    return serializeItem(item);
  } catch {
    return '?';
  }
}

function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : v === undefined ? 'missing' : `of type ${typeof v} (${String(v)})`;
}

/** For tests: forget imported keys. */
export function clearKeyCacheForTests(): void {
  keyCache.clear();
}

type SignedRequest = { event: APIGatewayProxyEventV2; rawBody: Buffer };

export function agentRequestOf({ event, rawBody }: SignedRequest): AgentRequest {
  return { method: event.requestContext.http.method, path: event.rawPath, headers: event.headers ?? {}, body: rawBody };
}

/**
 * The signature check of an installation route, for use cases that look the key up themselves.
 * Checks at once everything that needs no key (and that `keyid` is the installation's id), so a
 * junk request is refused here, before the use case reads anything.
 */
export function signedBy(request: SignedRequest, installationId: string): SignatureCheck {
  return installationSignatureCheck(agentRequestOf(request), installationId);
}

/**
 * Key continuity: the agent learns a licence-signing key it has not pinned only from a JWKS whose
 * detached signature (`GET /.well-known/jwks.json.jws`, RFC 7515 Appendix F) verifies with a key
 * it has pinned; keys that verified JWKS no longer lists are unpinned. Anything else leaves the
 * pinned set as it was: a proxy that rewrites the JWKS cannot add a key.
 */
import { calculateJwkThumbprint, errors, flattenedVerify, importJWK, type JWK } from 'jose';
import type { Jwks } from './types';

/**
 * How often a polling agent checks the signed JWKS for keys to come: a rotation publishes a new
 * key (`next`) for longer than this before it signs anything (docs/licensing.md, "Key rotation").
 */
export const JWKS_CHECK_SECONDS = 86_400;

/** The signature header's `cty`: the payload is a JWK Set, never a licence. */
export const JWKS_CONTENT_TYPE = 'jwk-set+json';

export type JwksRefusal =
  /** not a detached JWS over a JWK Set of P-256 keys named by their thumbprints */
  | 'malformed'
  /** signed by a key this agent has not pinned */
  | 'unknown-signer'
  /** signed by a pinned key, but not over the JWKS as received */
  | 'bad-signature'
  /** a different key set signed before the one pinned: an old document replayed */
  | 'stale';

/** A JWKS the agent will not pin; `reason` is for tests and logs, the message for people. */
export class JwksRefusedError extends Error {
  constructor(
    readonly reason: JwksRefusal,
    message: string,
    /** the key the signature names, when it names one */
    readonly signedBy?: string,
  ) {
    super(message);
    this.name = 'JwksRefusedError';
  }
}

/** A JWKS that verified: what to pin, and how it differs from what was pinned. */
export interface VerifiedJwks {
  jwks: Jwks;
  /** when the cloud signed it (the header's `iat`, seconds) */
  issuedAt: number;
  signedBy: string;
  added: string[];
  dropped: string[];
}

/** The kids of a key set, in its order. */
export function kidsOf(jwks: Jwks | undefined): string[] {
  return (jwks?.keys ?? []).map((k) => k['kid']).filter((kid): kid is string => typeof kid === 'string');
}

/** The `kid` a compact JWS's header names; undefined when it is not one. */
export function signingKeyOf(jws: string): string | undefined {
  try {
    const header: unknown = JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8'));
    const kid = (header as { kid?: unknown } | null)?.kid;
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}

/** The detached signature's protected header, or undefined when it is not one of a JWKS. */
function headerOf(signature: string): { kid: string; iat: number; encoded: string; signature: string } | undefined {
  const match = /^([A-Za-z0-9_-]+)\.\.([A-Za-z0-9_-]+)$/.exec(signature.trim());
  if (!match) return undefined;
  try {
    const header = JSON.parse(Buffer.from(match[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (header['alg'] !== 'ES256' || header['cty'] !== JWKS_CONTENT_TYPE) return undefined;
    if (typeof header['kid'] !== 'string' || typeof header['iat'] !== 'number') return undefined;
    return { kid: header['kid'], iat: header['iat'], encoded: match[1]!, signature: match[2]! };
  } catch {
    return undefined;
  }
}

/** The public P-256 keys of `body`, each named by its RFC 7638 thumbprint; throws `malformed`. */
async function keysOf(body: string): Promise<Record<string, unknown>[]> {
  const refuse = (why: string) => new JwksRefusedError('malformed', `The JWKS is not usable: ${why}.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw refuse('it is not JSON');
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw refuse('it lists no key');
  const publicKeys: Record<string, unknown>[] = [];
  for (const key of keys as Record<string, unknown>[]) {
    const { kty, crv, x, y, kid } = key ?? {};
    if (kty !== 'EC' || crv !== 'P-256' || typeof x !== 'string' || typeof y !== 'string')
      throw refuse('a key is not a P-256 public key');
    // A kid bound to its key material: no document can give a pinned kid another key.
    if (kid !== (await calculateJwkThumbprint({ kty, crv, x, y } as JWK)))
      throw refuse(`key ${String(kid)} is not named by its thumbprint`);
    if (publicKeys.some((k) => k['kid'] === kid)) throw refuse(`key ${kid} is listed twice`);
    publicKeys.push({ kty, crv, x, y, kid, alg: 'ES256', use: 'sig' });
  }
  return publicKeys;
}

/**
 * Verifies `signature` (detached, over `body` exactly as received) with a key of `pinned`, and
 * returns the key set to pin. Throws `JwksRefusedError` naming why the pinned set stays.
 */
export async function verifySignedJwks(
  body: string,
  signature: string,
  pinned: Jwks,
  options: { pinnedIssuedAt?: number } = {},
): Promise<VerifiedJwks> {
  const header = headerOf(signature);
  if (!header)
    throw new JwksRefusedError('malformed', 'The JWKS signature is not a detached ES256 JWS over a JWK Set.');
  const signer = pinned.keys.find((k) => k['kid'] === header.kid);
  if (!signer)
    throw new JwksRefusedError(
      'unknown-signer',
      `The JWKS is signed by key "${header.kid}", which this installation has not pinned: it does not come from the UCX cloud this installation trusts.`,
      header.kid,
    );
  try {
    await flattenedVerify(
      { protected: header.encoded, payload: Buffer.from(body).toString('base64url'), signature: header.signature },
      await importJWK(signer as JWK, 'ES256'),
      { algorithms: ['ES256'] },
    );
  } catch (error) {
    if (!(error instanceof errors.JWSSignatureVerificationFailed)) throw error;
    throw new JwksRefusedError(
      'bad-signature',
      `The JWKS signature by pinned key "${header.kid}" does not verify over the JWKS received: it was altered on its way (a proxy rewriting it?), or the cloud changed its keys between the two reads.`,
      header.kid,
    );
  }
  const keys = await keysOf(body);
  const before = kidsOf(pinned);
  const after = keys.map((k) => k['kid'] as string);
  const sameSet = before.length === after.length && after.every((kid) => before.includes(kid));
  if (options.pinnedIssuedAt !== undefined && header.iat < options.pinnedIssuedAt && !sameSet)
    throw new JwksRefusedError(
      'stale',
      `The JWKS was signed at ${new Date(header.iat * 1000).toISOString()}, before the one pinned (${new Date(options.pinnedIssuedAt * 1000).toISOString()}), and lists other keys: an old document, replayed.`,
      header.kid,
    );
  return {
    jwks: { keys },
    issuedAt: Math.max(header.iat, options.pinnedIssuedAt ?? 0),
    signedBy: header.kid,
    added: after.filter((kid) => !before.includes(kid)),
    dropped: before.filter((kid) => !after.includes(kid)),
  };
}

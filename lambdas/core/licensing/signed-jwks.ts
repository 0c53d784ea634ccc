/**
 * The JWKS as one serialized document and its detached signature (RFC 7515 Appendix F): how an
 * agent learns a key it has not pinned, from a key it has (DESIGN.md "Signing-key rotation").
 */
import * as z from 'zod/mini';
import { withMeta } from '../schema-meta';
import { NotFoundError } from '../errors';
import type { Signer } from '../ports';

/** The protected header's `cty`: the payload is a JWK Set (RFC 7517 §8.5), never a licence. */
export const JWKS_CONTENT_TYPE = 'jwk-set+json';

/** `?kid=`: a signature by this key of the region's set instead of the current one. */
export const signedJwksQuerySchema = z.object({
  kid: withMeta(
    z.optional(
      z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/, 'an RFC 7638 JWK thumbprint (43 base64url characters)')),
    ),
    { description: 'a key of this region’s set (current, next or retiring) to sign with; default current' },
  ),
});

/** The JWKS body exactly as served: one serialization, so the signature covers the bytes sent. */
export function serializeJwks(keys: readonly Record<string, unknown>[]): string {
  return JSON.stringify({ keys });
}

/**
 * `header..signature` over `body`'s bytes. The header names the signing key (`kid`) and when it
 * signed (`iat`, seconds): an agent refuses a different key set signed earlier than the one it
 * pinned, so a replayed old document cannot bring back a key that was dropped.
 */
export async function signJwksDetached(body: string, signer: Signer, now: Date): Promise<string> {
  const header = { kid: await signer.keyId(), cty: JWKS_CONTENT_TYPE, iat: Math.floor(now.getTime() / 1000) };
  const compact = await signer.signJws(JSON.parse(body) as Record<string, unknown>, header);
  const [protectedHeader, payload, signature] = compact.split('.');
  // The signer serializes the payload itself; the signature is only worth serving over these bytes.
  if (payload !== Buffer.from(body).toString('base64url')) {
    throw new Error('the signer serialized the JWKS differently from the body served');
  }
  return `${protectedHeader}..${signature}`;
}

/** The signer among the region's keys for `kid` (default: the first, the current key). */
export async function jwksSignerFor(signers: readonly Signer[], kid: string | undefined): Promise<Signer> {
  if (kid === undefined && signers[0]) return signers[0];
  for (const signer of signers) if ((await signer.keyId()) === kid) return signer;
  throw new NotFoundError(`No key ${kid ?? '(current)'} of this region's key set signs the JWKS.`);
}

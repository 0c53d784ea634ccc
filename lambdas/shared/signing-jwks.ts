/**
 * Every region's licence-signing public key (VERIFY_KEY_REFS) as JWKs: what the JWKS route serves
 * and what an offline activation response pins. Read once per container; a failed read is not
 * kept, so the next request tries again.
 */
import { publicJwkFromRef, type PublicSigningJwk } from '../adapters/licence-signers';
import { required } from './env';

let keys: Promise<PublicSigningJwk[]> | undefined;

export function signingJwks(): Promise<PublicSigningJwk[]> {
  keys ??= Promise.all(required('VERIFY_KEY_REFS').map(publicJwkFromRef)).catch((error: unknown) => {
    keys = undefined;
    throw error;
  });
  return keys;
}

/** The port through which the agent routes' use cases have a request's signature checked against an installation's key. */
import { UnauthorizedError } from '../errors';
import type { Ed25519Jwk } from './model';

/**
 * Checks the request's signature against the installation's public key, or against none (`null`:
 * no installation has the id), which must be refused exactly as a bad signature.
 */
export type SignatureCheck = (publicKey: Ed25519Jwk | null) => Promise<void>;

/** The one refusal of a signature that does not verify, whether its installation exists or not. */
export const BAD_SIGNATURE_DETAIL = 'Bad signature: it does not verify with the key registered for its keyid.';

/** The installation read, once its key verified the request; an unknown one goes through the same check and fails it. */
export async function verifiedAgainst<T extends { publicKey: Ed25519Jwk }>(
  read: T | null,
  verify: SignatureCheck,
): Promise<T> {
  await verify(read?.publicKey ?? null);
  if (!read) throw new UnauthorizedError(BAD_SIGNATURE_DETAIL);
  return read;
}

/**
 * The licence-signing JWKS of this container: every key of both regions' key sets
 * (VERIFY_KEY_REFS) as JWKs and as the one body the JWKS route serves, and that body's detached
 * signature by a key of this region's set (the current SIGNING_KEY_REF, or one of the next and
 * retiring SIGNING_KEY_REFS). Keys are read once per container (a rotation deploys new
 * containers); a failed read is not kept, so the next request tries again.
 */
import { publicJwkFromRef, signerFromRef, type PublicSigningJwk } from '../adapters/licence-signers';
import { serializeJwks, signJwksDetached, jwksSignerFor } from '../core/licensing/signed-jwks';
import { systemClock, type Signer } from '../core/ports';
import { env, required } from './env';

export interface JwksDocument {
  readonly keys: PublicSigningJwk[];
  /** the exact body of GET /.well-known/jwks.json, and the payload its signature covers */
  readonly body: string;
}

let document: Promise<JwksDocument> | undefined;
let signers: Signer[] | undefined;
const signatures = new Map<string, Promise<string>>();

/** Forgets a failed promise so that the next call tries again. */
function retrying<T>(promise: Promise<T>, forget: () => void): Promise<T> {
  return promise.catch((error: unknown) => {
    forget();
    throw error;
  });
}

export function jwksDocument(): Promise<JwksDocument> {
  document ??= retrying(
    Promise.all(required('VERIFY_KEY_REFS').map(publicJwkFromRef)).then((keys) => ({
      keys,
      body: serializeJwks(keys),
    })),
    () => {
      document = undefined;
    },
  );
  return document;
}

export async function signingJwks(): Promise<PublicSigningJwk[]> {
  return (await jwksDocument()).keys;
}

/** The detached JWS over the JWKS body, by `kid` (a key of this region's set) or the current key. */
export function signedJwksDocument(kid?: string): Promise<string> {
  const cacheKey = kid ?? '';
  let signature = signatures.get(cacheKey);
  if (!signature) {
    signers ??= [required('SIGNING_KEY_REF'), ...(env().SIGNING_KEY_REFS ?? [])].map(signerFromRef);
    const all = signers;
    signature = retrying(
      Promise.all([jwksDocument(), jwksSignerFor(all, kid)]).then(([{ body }, signer]) =>
        signJwksDetached(body, signer, systemClock.now()),
      ),
      () => signatures.delete(cacheKey),
    );
    signatures.set(cacheKey, signature);
  }
  return signature;
}

/** GET /.well-known/jwks.json: every region's licence-signing public key, so a licence from either verifies. */
import { publicJwkFromRef } from '../adapters/licence-signers';
import { required } from '../shared/env';
import { httpRoute } from '../shared/http';

let keys: Promise<unknown[]> | undefined;

export const handler = httpRoute({}, async () => {
  keys ??= Promise.all(required('VERIFY_KEY_REFS').map(publicJwkFromRef)).catch((error: unknown) => {
    keys = undefined;
    throw error;
  });
  return { status: 200, headers: { 'cache-control': 'public, max-age=300' }, body: { keys: await keys } };
});

/** GET /.well-known/jwks.json: every region's licence-signing public key, so a licence from either verifies. */
import { httpRoute } from '../shared/http';
import { signingJwks } from '../shared/signing-jwks';

export const handler = httpRoute({}, async () => ({
  status: 200,
  headers: { 'cache-control': 'public, max-age=300' },
  body: { keys: await signingJwks() },
}));

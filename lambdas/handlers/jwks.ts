/** GET /.well-known/jwks.json: every key of both regions' key sets, so a licence from either verifies. */
import { httpRoute } from '../shared/http';
import { jwksDocument } from '../shared/signing-jwks';

export const handler = httpRoute({}, async () => ({
  status: 200,
  // The body as serialized once: GET /.well-known/jwks.json.jws signs these very bytes.
  headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
  text: (await jwksDocument()).body,
}));

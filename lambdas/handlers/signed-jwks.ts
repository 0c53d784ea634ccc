/**
 * GET /.well-known/jwks.json.jws[?kid=]: the detached JWS (`header..signature`) over the exact body
 * of GET /.well-known/jwks.json, by the current key or by the key `kid` names.
 */
import { signedJwksQuerySchema } from '../core/licensing/signed-jwks';
import { httpRoute, parseWith } from '../shared/http';
import { signedJwksDocument } from '../shared/signing-jwks';

export const handler = httpRoute({}, async (request) => {
  const { kid } = parseWith(signedJwksQuerySchema, request.event.queryStringParameters ?? {}, ['query']);
  return {
    status: 200,
    headers: { 'content-type': 'application/jose', 'cache-control': 'public, max-age=300' },
    text: await signedJwksDocument(kid),
  };
});

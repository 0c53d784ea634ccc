/** POST /v1/resellers (a signed-in person without an account): applies as a reseller, pending the back office's approval. */
import { applyAsReseller, applyBodySchema } from '../core/accounts/resellers';
import { resellerDeps } from '../shared/accounts-deps';
import { httpRoute, personOf } from '../shared/http';

export const handler = httpRoute({ body: applyBodySchema, maxBodyBytes: 4 * 1024 }, async (request) => {
  const { created, application } = await applyAsReseller(resellerDeps(), personOf(request), request.body);
  return { status: created ? 201 : 200, body: application };
});

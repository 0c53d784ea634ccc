/** GET /v1/terms: the published terms versions, the one in force and the upcoming ones; any signed-in user. */
import { listTerms } from '../core/accounts/terms';
import { httpRoute, principalOf } from '../shared/http';
import { termsDeps } from '../shared/terms-deps';

export const handler = httpRoute({}, async (request) => {
  principalOf(request);
  return { status: 200, body: await listTerms(termsDeps()) };
});

/**
 * GET /v1/terms: the published terms versions, the one in force and the upcoming ones; any signed-in
 * person, also one without an account yet (sign-up shows the terms it accepts).
 */
import { listTerms } from '../core/accounts/terms';
import { httpRoute, personOf } from '../shared/http';
import { termsDeps } from '../shared/terms-deps';

export const handler = httpRoute({}, async (request) => {
  personOf(request);
  return { status: 200, body: await listTerms(termsDeps()) };
});

/** POST /v1/ops/terms: the back office publishes the next terms version (notices go out with the terms job). */
import { publishTerms } from '../core/accounts/terms';
import { publishTermsBodySchema } from '../core/accounts/terms-model';
import { httpRoute, principalOf } from '../shared/http';
import { termsDeps } from '../shared/terms-deps';

export const handler = httpRoute({ body: publishTermsBodySchema, maxBodyBytes: 512 * 1024 }, async (request) => ({
  status: 201,
  body: await publishTerms(termsDeps(), principalOf(request), request.body),
}));

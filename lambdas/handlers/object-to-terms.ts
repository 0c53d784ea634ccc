/** POST /v1/accounts/{accountId}/terms/{version}/objection: an administrator of the account objects, with a reason. */
import { objectToTerms } from '../core/accounts/terms';
import { objectionBodySchema } from '../core/accounts/terms-model';
import { httpRoute, principalOf } from '../shared/http';
import { accountTermsParams } from '../shared/params';
import { emailClaimOf, termsDeps } from '../shared/terms-deps';

export const handler = httpRoute({ params: accountTermsParams, body: objectionBodySchema }, async (request) => ({
  status: 200,
  body: await objectToTerms(
    termsDeps(),
    { principal: principalOf(request), email: emailClaimOf(request.event) },
    request.params.accountId,
    request.params.version,
    request.body.reason,
  ),
}));

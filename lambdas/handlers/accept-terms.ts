/** POST /v1/accounts/{accountId}/terms/{version}/acceptance: an administrator of the account accepts the version. */
import { acceptTerms } from '../core/accounts/terms';
import { httpRoute, principalOf } from '../shared/http';
import { accountTermsParams } from '../shared/params';
import { emailClaimOf, termsDeps } from '../shared/terms-deps';

export const handler = httpRoute({ params: accountTermsParams }, async (request) => ({
  status: 200,
  body: await acceptTerms(
    termsDeps(),
    { principal: principalOf(request), email: emailClaimOf(request.event) },
    request.params.accountId,
    request.params.version,
  ),
}));

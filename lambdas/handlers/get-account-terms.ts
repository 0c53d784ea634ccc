/** GET /v1/accounts/{accountId}/terms: the account's standing on each terms version and the notice to show. */
import { accountTerms } from '../core/accounts/terms';
import { httpRoute, principalOf } from '../shared/http';
import { accountParams } from '../shared/params';
import { termsDeps } from '../shared/terms-deps';

export const handler = httpRoute({ params: accountParams }, async (request) => ({
  status: 200,
  body: await accountTerms(termsDeps(), principalOf(request), request.params.accountId),
}));

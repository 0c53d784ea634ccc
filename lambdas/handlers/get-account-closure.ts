/** GET /v1/accounts/{accountId}/closure: whether the account is closed, and when its data is erased. */
import { getClosure } from '../core/accounts/closure';
import { closureDeps } from '../shared/closure-deps';
import { httpRoute, principalOf } from '../shared/http';
import { accountParams } from '../shared/params';

export const handler = httpRoute({ params: accountParams }, async (request) => ({
  status: 200,
  body: await getClosure(closureDeps(), principalOf(request), request.params.accountId),
}));

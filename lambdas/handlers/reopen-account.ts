/** DELETE /v1/accounts/{accountId}/closure: the back office reopens an account within its retention period. */
import { reopenAccount } from '../core/accounts/closure';
import { closureDeps } from '../shared/closure-deps';
import { httpRoute, principalOf } from '../shared/http';
import { accountParams } from '../shared/params';

export const handler = httpRoute({ params: accountParams }, async (request) => ({
  status: 200,
  body: await reopenAccount(closureDeps(), principalOf(request), request.params.accountId),
}));

/** POST /v1/accounts/{accountId}/closure: the account's administrator or the back office closes it. */
import { closeAccount, closureBodySchema } from '../core/accounts/closure';
import { closeAccountDeps } from '../shared/close-account-deps';
import { httpRoute, principalOf } from '../shared/http';
import { accountParams } from '../shared/params';

export const handler = httpRoute({ params: accountParams, body: closureBodySchema }, async (request) => ({
  status: 200,
  body: await closeAccount(closeAccountDeps(), principalOf(request), request.params.accountId, request.body),
}));

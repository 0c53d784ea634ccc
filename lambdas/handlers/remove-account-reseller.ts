/** DELETE /v1/accounts/{accountId}/reseller (the account's administrator, back office): its reseller stops acting for it. */
import { accountResellerParamsSchema, removeAccountReseller } from '../core/accounts/resellers';
import { resellerDeps } from '../shared/accounts-deps';
import { httpRoute, principalOf } from '../shared/http';

export const handler = httpRoute({ params: accountResellerParamsSchema }, async (request) => {
  await removeAccountReseller(resellerDeps(), principalOf(request), request.params.accountId);
  return { status: 204 };
});

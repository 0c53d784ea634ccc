/** GET /v1/resellers/{resellerId}/accounts: the reseller's customers (the reseller itself, back office). */
import { listResellerAccounts, resellerParamsSchema } from '../core/licensing/list-reseller-accounts';
import { httpRoute, principalOf } from '../shared/http';
import { resellerAccountsReader } from '../shared/licensing-deps';

export const handler = httpRoute({ params: resellerParamsSchema }, async (request) => {
  const { resellerId } = request.params;
  return { status: 200, body: await listResellerAccounts(resellerAccountsReader(), principalOf(request), resellerId) };
});

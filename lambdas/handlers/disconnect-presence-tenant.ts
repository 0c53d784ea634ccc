/** DELETE /v1/accounts/{accountId}/presence/connections: disconnects the tenant and erases what Presence kept. */
import { disconnectTenant } from '../core/presence/account';
import { httpRoute, principalOf } from '../shared/http';
import { accountParams } from '../shared/params';
import { presenceGraphDeps } from '../shared/presence-graph-deps';

export const handler = httpRoute({ params: accountParams }, async (request) => {
  await disconnectTenant(presenceGraphDeps(), principalOf(request), request.params.accountId);
  return { status: 204 };
});

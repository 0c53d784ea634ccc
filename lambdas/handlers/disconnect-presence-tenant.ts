/** DELETE /v1/accounts/{accountId}/presence/connections: disconnects the tenant and erases what Presence kept. */
import { disconnectTenant } from '../core/presence/account';
import { httpRoute, principalOf } from '../shared/http';
import { accountParams } from '../shared/params';
import { auditedPresenceGraphDeps } from '../shared/presence-audit-deps';

export const handler = httpRoute({ params: accountParams }, async (request) => {
  await disconnectTenant(auditedPresenceGraphDeps(), principalOf(request), request.params.accountId);
  return { status: 204 };
});

/** POST /v1/accounts/{accountId}/presence/connections: starts "Connect Microsoft 365" (code flow with PKCE). */
import { connectBodySchema, startTenantConnection } from '../core/presence/account';
import { httpRoute, principalOf } from '../shared/http';
import { accountParams } from '../shared/params';
import { presenceGraphDeps } from '../shared/presence-graph-deps';

export const handler = httpRoute({ params: accountParams, body: connectBodySchema }, async (request) => ({
  status: 201,
  body: await startTenantConnection(presenceGraphDeps(), principalOf(request), request.params.accountId, request.body),
}));

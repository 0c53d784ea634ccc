/** GET /v1/ops/resellers?status=pending (back office): reseller applications by status, oldest first. */
import { listResellerApplications, resellerStatusQuerySchema } from '../core/accounts/resellers';
import { resellerStore } from '../shared/accounts-deps';
import { httpRoute, parseWith, principalOf } from '../shared/http';

export const handler = httpRoute({}, async (request) => {
  const query = parseWith(resellerStatusQuerySchema, request.event.queryStringParameters ?? {}, ['query']);
  return {
    status: 200,
    body: await listResellerApplications({ resellers: resellerStore() }, principalOf(request), query.status),
  };
});

/** GET /v1/ops/orders?since= (back office): orders deposited since a date, newest first, paged. */
import { listRecentOrders, orderListQuerySchema } from '../core/licensing/back-office-search';
import { backOfficeSearchDeps } from '../shared/back-office-deps';
import { httpRoute, parseWith, principalOf } from '../shared/http';

export const handler = httpRoute({}, async (request) => {
  const query = parseWith(orderListQuerySchema, request.event.queryStringParameters ?? {}, ['query']);
  return { status: 200, body: await listRecentOrders(backOfficeSearchDeps(), principalOf(request), query) };
});

/** PUT /v1/ops/orders/{orderId} (back office): deposits an order's licence lines, once per order id. */
import * as z from 'zod/mini';
import { depositOrder, orderBodySchema, orderIdSchema } from '../core/licensing/deposit-order';
import { orderChecks } from '../shared/back-office-deps';
import { httpRoute, principalOf } from '../shared/http';
import { env } from '../shared/env';
import { licensingDeps } from '../shared/licensing-deps';
import { userDirectory } from '../shared/user-directory';

export const handler = httpRoute(
  {
    metric: 'ordersDeposited',
    params: z.object({ orderId: orderIdSchema }),
    body: orderBodySchema,
    maxBodyBytes: 256 * 1024,
  },
  async (request) => {
    const principal = principalOf(request);
    const directoryRef = env().USER_DIRECTORY;
    const { created, result } = await depositOrder(
      licensingDeps(),
      principal,
      request.params.orderId,
      request.body,
      directoryRef ? userDirectory(directoryRef) : undefined,
      orderChecks(),
    );
    return { status: created ? 201 : 200, body: result };
  },
);

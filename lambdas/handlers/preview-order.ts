/** POST /v1/ops/orders/{orderId}/preview (back office): what the account will hold after the order, nothing written. */
import * as z from 'zod/mini';
import { orderBodySchema, orderIdSchema } from '../core/licensing/deposit-order';
import { previewOrder } from '../core/licensing/preview-order';
import { orderChecks } from '../shared/back-office-deps';
import { env } from '../shared/env';
import { httpRoute, principalOf } from '../shared/http';
import { licensingDeps } from '../shared/licensing-deps';

export const handler = httpRoute(
  { params: z.object({ orderId: orderIdSchema }), body: orderBodySchema, maxBodyBytes: 256 * 1024 },
  async (request) => ({
    status: 200,
    body: await previewOrder(
      licensingDeps(),
      principalOf(request),
      request.params.orderId,
      request.body,
      orderChecks(),
      {
        shortfallGraceDays: env().SHORTFALL_GRACE_DAYS,
      },
    ),
  }),
);

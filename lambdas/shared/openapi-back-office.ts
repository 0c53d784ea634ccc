/** The OpenAPI operations of the back office's searches and order preview (docs/back-office.md), spread into openapi.ts's table. */
import type { ZodOpenApiResponseObject } from 'zod-openapi';
import * as z from 'zod/mini';
import { accountSearchQuerySchema, orderListQuerySchema } from '../core/licensing/back-office-search';
import {
  accountSearchResultSchema,
  orderPreviewSchema,
  recentOrdersSchema,
} from '../core/licensing/back-office-responses';
import { orderBodySchema, orderIdSchema } from '../core/licensing/deposit-order';

const json = (schema: z.ZodMiniType, description: string): ZodOpenApiResponseObject => ({
  description,
  content: { 'application/json': { schema } },
});

export const backOfficeOperations = {
  previewOrder: {
    tag: 'Licensing',
    summary: 'Preview an order: what the account will hold after it',
    description:
      'Back office. The body of PUT /v1/ops/orders/{orderId}, checked the same way; answers each product’s capacity, Care and terms after the deposit and how they change over time. Nothing is written.',
    params: z.object({ orderId: orderIdSchema }),
    body: orderBodySchema,
    responses: { '200': json(orderPreviewSchema, 'The account after the deposit') },
    errors: {
      404: 'Unknown account',
      409: 'The order id was deposited with another body',
      421: 'The account is homed in the other region: send the request to `homeEndpoint`',
    },
  },
  listRecentOrders: {
    tag: 'Licensing',
    summary: 'Orders deposited since a date',
    description: 'Back office. Newest first, paged by `cursor`.',
    query: orderListQuerySchema,
    responses: { '200': json(recentOrdersSchema, 'A page of orders') },
  },
  searchAccounts: {
    tag: 'Licensing',
    summary: 'Find Smart Accounts',
    description:
      'Back office. Exactly one of: `q` (a name, by prefix then contains; an account or installation id; an e-mail; a reseller id), `email` (an administrator’s), `resellerId`, `installationId`, `createdSince` (sign-ups and orders alike, newest first, paged by `cursor`).',
    query: accountSearchQuerySchema,
    responses: { '200': json(accountSearchResultSchema, 'The accounts found') },
  },
} as const;

/** The OpenAPI operations of an account's activation-key list and revocation (docs/licensing.md), spread into openapi.ts's table. */
import type { ZodOpenApiResponseObject } from 'zod-openapi';
import type * as z from 'zod/mini';
import { activationKeyParamsSchema } from '../core/licensing/activation-keys';
import { activationKeyListSchema } from '../core/licensing/responses';
import { accountParams } from './params';

const json = (schema: z.core.$ZodType, description: string): ZodOpenApiResponseObject => ({
  description,
  content: { 'application/json': { schema } },
});

export const activationKeyOperations = {
  listActivationKeys: {
    tag: 'Licensing',
    summary: 'The account’s activation keys',
    description:
      'Open, used, revoked and expired keys with who created each, expiry and allocation (customer, its reseller, support, back office). The key itself is never stored: each is named by its id and last four characters.',
    params: accountParams,
    responses: { '200': json(activationKeyListSchema, 'Newest first') },
    errors: { 404: 'Unknown account' },
  },
  revokeActivationKey: {
    tag: 'Licensing',
    summary: 'Revoke an open activation key',
    description:
      'Activation with it is refused from now on (403). Again, or a key id the account does not have: 204. Audited (`activation-key.revoked`).',
    params: activationKeyParamsSchema,
    responses: { '204': { description: 'Revoked' } },
    errors: {
      404: 'Unknown account',
      409: 'The key was used: deactivate its installation instead',
      421: 'The account is homed in the other region: send the request to `homeEndpoint`',
    },
  },
} as const;

/** The OpenAPI operations of the vendor's machine clients (docs/back-office.md), spread into openapi.ts's table. */
import type { ZodOpenApiResponseObject } from 'zod-openapi';
import type * as z from 'zod/mini';
import { withMeta } from '../core/schema-meta';
import {
  createdMachineClientSchema,
  createMachineClientSchema,
  machineClientParamsSchema,
  machineClientsSchema,
} from '../core/accounts/machine-clients';

const json = (schema: z.core.$ZodType, description: string): ZodOpenApiResponseObject => ({
  description,
  content: { 'application/json': { schema } },
});

export const machineClientOperations = {
  createMachineClient: {
    tag: 'Users',
    summary: 'Create a machine client for the vendor’s ERP',
    description:
      'Back office (a person, never a machine). Client credentials with the scopes given (`orders:write`, `accounts:read`); the secret is in this answer only. Audited (`client.created`).',
    body: withMeta(createMachineClientSchema, { id: 'MachineClientRequest' }),
    responses: { '201': json(withMeta(createdMachineClientSchema, { id: 'CreatedMachineClient' }), 'Created') },
  },
  listMachineClients: {
    tag: 'Users',
    summary: 'The machine clients, live and revoked',
    description: 'Back office. No secrets.',
    responses: { '200': json(withMeta(machineClientsSchema, { id: 'MachineClients' }), 'Newest first') },
  },
  revokeMachineClient: {
    tag: 'Users',
    summary: 'Revoke a machine client',
    description:
      'Back office. It gets no new token at once; a token it holds is refused within the authorizer’s 60-second cache. Again: 204. Audited (`client.revoked`).',
    params: machineClientParamsSchema,
    responses: { '204': { description: 'Revoked' } },
  },
} as const;

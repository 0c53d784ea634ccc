/** POST /v1/ops/clients (back office): a machine client for the vendor's ERP; its secret is in this answer only. */
import { createMachineClient, createMachineClientSchema } from '../core/accounts/machine-clients';
import { httpRoute, principalOf } from '../shared/http';
import { machineClientDeps } from '../shared/machine-clients-deps';

export const handler = httpRoute({ body: createMachineClientSchema, maxBodyBytes: 4 * 1024 }, async (request) => ({
  status: 201,
  body: await createMachineClient(machineClientDeps(), principalOf(request), request.body),
}));

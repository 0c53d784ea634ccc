/** GET /v1/ops/clients (back office): the machine clients, live and revoked, without secrets. */
import { listMachineClients } from '../core/accounts/machine-clients';
import { httpRoute, principalOf } from '../shared/http';
import { machineClientRecords } from '../shared/machine-clients-deps';

export const handler = httpRoute({}, async (request) => ({
  status: 200,
  body: await listMachineClients({ clients: machineClientRecords() }, principalOf(request)),
}));

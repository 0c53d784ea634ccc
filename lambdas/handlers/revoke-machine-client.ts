/** DELETE /v1/ops/clients/{clientId} (back office): no new tokens at once, existing ones refused within the window. */
import { machineClientParamsSchema, revokeMachineClient } from '../core/accounts/machine-clients';
import { httpRoute, principalOf } from '../shared/http';
import { machineClientDeps } from '../shared/machine-clients-deps';

export const handler = httpRoute({ params: machineClientParamsSchema }, async (request) => {
  await revokeMachineClient(machineClientDeps(), principalOf(request), request.params.clientId);
  return { status: 204 };
});

/** PATCH /v1/accounts/{accountId}/installations/{installationId}: the installation's new full allocation, within free capacity. */
import { allocationChangeBodySchema, changeAllocation } from '../core/licensing/change-allocation';
import { httpRoute, principalOf } from '../shared/http';
import { licensingDeps } from '../shared/licensing-deps';
import { accountInstallationParams } from '../shared/params';

export const handler = httpRoute(
  { params: accountInstallationParams, body: allocationChangeBodySchema },
  async (request) => ({
    status: 200,
    body: await changeAllocation(
      licensingDeps(),
      principalOf(request),
      request.params.accountId,
      request.params.installationId,
      request.body,
    ),
  }),
);

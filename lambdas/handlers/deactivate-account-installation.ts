/** DELETE /v1/accounts/{accountId}/installations/{installationId}: deactivation from the portal; 204, and 204 again. */
import { deactivateAccountInstallation } from '../core/licensing/deactivate-installation';
import { httpRoute, principalOf } from '../shared/http';
import { licensingDeps } from '../shared/licensing-deps';
import { accountInstallationParams } from '../shared/params';

export const handler = httpRoute({ params: accountInstallationParams }, async (request) => {
  const { accountId, installationId } = request.params;
  await deactivateAccountInstallation(licensingDeps(), principalOf(request), accountId, installationId);
  return { status: 204 };
});

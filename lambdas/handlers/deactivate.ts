/** DELETE /v1/installations/{id}: the installation gives its licences back; 204, and 204 again. */
import { deactivateInstallation } from '../core/licensing/deactivate-installation';
import { httpRoute } from '../shared/http';
import { signedBy } from '../shared/agent-signature';
import { licensingDeps } from '../shared/licensing-deps';
import { installationParams } from '../shared/params';

export const handler = httpRoute({ params: installationParams }, async (request) => {
  await deactivateInstallation(licensingDeps(), request.params.id, signedBy(request, request.params.id));
  return { status: 204 };
});

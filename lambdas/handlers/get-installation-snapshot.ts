/** GET /v1/installations/{id}/snapshot: the newest beat of each type (support, back office). */
import { getInstallationSnapshot } from '../core/support/get-installation-snapshot';
import { httpRoute, principalOf } from '../shared/http';
import { installationParams } from '../shared/params';
import { supportDeps } from '../shared/support-deps';

export const handler = httpRoute({ params: installationParams }, async (request) => ({
  status: 200,
  body: await getInstallationSnapshot(supportDeps(), principalOf(request), request.params.id),
}));

/** GET /v1/accounts/{accountId}/installations/health: each installation's last beat, Care and open findings. */
import { listAccountInstallations } from '../core/support/list-account-installations';
import { httpRoute, principalOf } from '../shared/http';
import { accountParams } from '../shared/params';
import { supportDeps } from '../shared/support-deps';

export const handler = httpRoute({ params: accountParams }, async (request) => ({
  status: 200,
  body: await listAccountInstallations(supportDeps(), principalOf(request), request.params.accountId),
}));

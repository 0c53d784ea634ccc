/** GET /v1/accounts/{accountId}/presence: the switch, the connected tenant and the sessions open now. */
import { getPresenceSettings } from '../core/presence/account';
import { httpRoute, principalOf } from '../shared/http';
import { accountParams } from '../shared/params';
import { presenceDeps } from '../shared/presence-deps';

export const handler = httpRoute({ params: accountParams }, async (request) => ({
  status: 200,
  body: await getPresenceSettings(presenceDeps(), principalOf(request), request.params.accountId),
}));

/** PATCH /v1/accounts/{accountId}/presence: the Presence switch; off closes the suite's sessions. */
import { presenceSwitchBodySchema, setPresence } from '../core/presence/account';
import { httpRoute, principalOf } from '../shared/http';
import { accountParams } from '../shared/params';
import { presenceDeps } from '../shared/presence-deps';

export const handler = httpRoute({ params: accountParams, body: presenceSwitchBodySchema }, async (request) => ({
  status: 200,
  body: await setPresence(presenceDeps(), principalOf(request), request.params.accountId, request.body),
}));

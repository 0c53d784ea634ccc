/** PATCH /v1/accounts/{accountId}/presence: the Presence switch; off closes the suite's sessions. */
import { presenceSwitchBodySchema, setPresence } from '../core/presence/account';
import { httpRoute, principalOf } from '../shared/http';
import { accountParams } from '../shared/params';
import { auditedPresenceDeps } from '../shared/presence-audit-deps';

export const handler = httpRoute({ params: accountParams, body: presenceSwitchBodySchema }, async (request) => ({
  status: 200,
  body: await setPresence(auditedPresenceDeps(), principalOf(request), request.params.accountId, request.body),
}));

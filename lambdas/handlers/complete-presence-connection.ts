/** GET /v1/presence/callback: Microsoft's redirect after consent; the browser goes on to the portal. */
import { callbackQuerySchema, completeTenantConnection } from '../core/presence/account';
import { httpRoute, parseWith } from '../shared/http';
import { auditedPresenceGraphDeps } from '../shared/presence-audit-deps';

export const handler = httpRoute({}, async (request) => {
  const query = parseWith(callbackQuerySchema, request.event.queryStringParameters ?? {}, ['query']);
  const { location } = await completeTenantConnection(auditedPresenceGraphDeps(), query);
  return {
    status: 303,
    headers: {
      location,
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    },
    text: `See ${location}`,
  };
});

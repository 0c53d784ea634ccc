/** GET /v1/support/installations?severity=&care=&silentHours=&stale=&limit=&cursor=: installations across accounts (support, back office). */
import { listSupportInstallations, supportInstallationsQuerySchema } from '../core/support/list-support-installations';
import { env } from '../shared/env';
import { httpRoute, parseWith, principalOf } from '../shared/http';
import { supportDeps } from '../shared/support-deps';

export const handler = httpRoute({}, async (request) => {
  const query = parseWith(supportInstallationsQuerySchema, request.event.queryStringParameters ?? {}, ['query']);
  return {
    status: 200,
    body: await listSupportInstallations(supportDeps(), principalOf(request), query, {
      staleAfterDays: env().STALE_AFTER_DAYS,
    }),
  };
});

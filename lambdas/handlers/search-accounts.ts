/** GET /v1/ops/accounts (back office): accounts by name, administrator e-mail, reseller, installation, or created since. */
import { accountSearchQuerySchema, searchAccounts } from '../core/licensing/back-office-search';
import { backOfficeSearchDeps } from '../shared/back-office-deps';
import { httpRoute, parseWith, principalOf } from '../shared/http';

export const handler = httpRoute({}, async (request) => {
  const query = parseWith(accountSearchQuerySchema, request.event.queryStringParameters ?? {}, ['query']);
  return { status: 200, body: await searchAccounts(backOfficeSearchDeps(), principalOf(request), query) };
});

/** GET /v1/accounts/{accountId}/findings?status=open|resolved|all: the account's findings (default open). */
import { findingsQuerySchema } from '../core/support/findings-view';
import { listAccountFindings } from '../core/support/list-account-findings';
import { httpRoute, parseWith, principalOf } from '../shared/http';
import { accountParams } from '../shared/params';
import { supportDeps } from '../shared/support-deps';

export const handler = httpRoute({ params: accountParams }, async (request) => {
  const query = parseWith(findingsQuerySchema, request.event.queryStringParameters ?? {}, ['query']);
  return {
    status: 200,
    body: await listAccountFindings(supportDeps(), principalOf(request), request.params.accountId, query),
  };
});

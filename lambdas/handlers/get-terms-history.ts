/** GET /v1/accounts/{accountId}/terms/history?at=: which terms version applied to the account at that instant. */
import { termsHistory } from '../core/accounts/terms';
import { termsHistoryQuerySchema } from '../core/accounts/terms-model';
import { httpRoute, parseWith, principalOf } from '../shared/http';
import { accountParams } from '../shared/params';
import { termsDeps } from '../shared/terms-deps';

export const handler = httpRoute({ params: accountParams }, async (request) => {
  const query = parseWith(termsHistoryQuerySchema, request.event.queryStringParameters ?? {}, ['query']);
  const at = new Date(query.at ?? termsDeps().clock.now()).toISOString();
  return { status: 200, body: await termsHistory(termsDeps(), principalOf(request), request.params.accountId, at) };
});

/** GET /v1/accounts/{accountId}/export: everything the cloud holds about the account, as a JSON download. */
import { exportAccount } from '../core/accounts/export';
import { exportDeps } from '../shared/closure-deps';
import { httpRoute, principalOf } from '../shared/http';
import { accountParams } from '../shared/params';

export const handler = httpRoute({ params: accountParams }, async (request) => {
  const { accountId } = request.params;
  const exported = await exportAccount(exportDeps(), principalOf(request), accountId);
  return {
    status: 200,
    text: JSON.stringify(exported, null, 2),
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="account-${accountId}.json"`,
    },
  };
});

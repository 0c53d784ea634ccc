/** GET /v1/resellers/{resellerId}/accounts: the reseller's customers with what needs attention (the reseller itself, back office). */
import { listResellerAccounts, resellerParamsSchema } from '../core/licensing/list-reseller-accounts';
import { httpRoute, principalOf } from '../shared/http';
import { licensingDeps, resellerAccountsReader } from '../shared/licensing-deps';
import { servingRegion } from '../shared/serving-region';
import { supportDeps } from '../shared/support-deps';

export const handler = httpRoute({ params: resellerParamsSchema }, async (request) => {
  const { resellerId } = request.params;
  const { repo, clock } = licensingDeps();
  const { store } = supportDeps();
  const summaries = {
    accounts: repo,
    openFindings: async (accountId: string) => (await store.findingsOfAccount(accountId, { status: 'open' })).length,
    clock,
    here: servingRegion().region,
  };
  return {
    status: 200,
    body: await listResellerAccounts(resellerAccountsReader(), principalOf(request), resellerId, summaries),
  };
});

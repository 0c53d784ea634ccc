/** GET /v1/accounts/{accountId}: the Smart Account at a glance (customer, its reseller, support, back office). */
import { getAccount } from '../core/licensing/get-account';
import { env } from '../shared/env';
import { httpRoute, principalOf } from '../shared/http';
import { licensingDeps, staleReleaseStore } from '../shared/licensing-deps';
import { accountParams } from '../shared/params';

export const handler = httpRoute({ params: accountParams }, async (request) => ({
  status: 200,
  body: await getAccount(licensingDeps(), principalOf(request), request.params.accountId, {
    shortfallGraceDays: env().SHORTFALL_GRACE_DAYS,
    staleAfterDays: env().STALE_AFTER_DAYS,
    staleRelease: staleReleaseStore(),
  }),
}));

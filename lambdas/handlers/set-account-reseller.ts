/** PUT /v1/accounts/{accountId}/reseller (the account's administrator, back office): an approved reseller acts for the account. */
import { accountResellerBodySchema, accountResellerParamsSchema, setAccountReseller } from '../core/accounts/resellers';
import { resellerDeps } from '../shared/accounts-deps';
import { httpRoute, principalOf } from '../shared/http';

export const handler = httpRoute(
  { params: accountResellerParamsSchema, body: accountResellerBodySchema, maxBodyBytes: 1024 },
  async (request) => ({
    status: 200,
    body: await setAccountReseller(
      resellerDeps(),
      principalOf(request),
      request.params.accountId,
      request.body.resellerId,
    ),
  }),
);

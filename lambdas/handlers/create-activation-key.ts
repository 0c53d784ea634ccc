/** POST /v1/accounts/{accountId}/activation-keys: a single-use key carrying an allocation. */
import { activationKeyBodySchema, createActivationKey } from '../core/licensing/create-activation-key';
import { httpRoute, principalOf } from '../shared/http';
import { licensingDeps } from '../shared/licensing-deps';
import { accountParams } from '../shared/params';

export const handler = httpRoute({ params: accountParams, body: activationKeyBodySchema }, async (request) => ({
  status: 201,
  body: await createActivationKey(licensingDeps(), principalOf(request), request.params.accountId, request.body),
}));

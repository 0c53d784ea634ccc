/** GET /v1/accounts/{accountId}/activation-keys: the account's keys, used, revoked and expired ones too. */
import { listActivationKeys } from '../core/licensing/activation-keys';
import { httpRoute, principalOf } from '../shared/http';
import { accountPeople, activationKeyStore, licensingDeps } from '../shared/licensing-deps';
import { accountParams } from '../shared/params';

export const handler = httpRoute({ params: accountParams }, async (request) => ({
  status: 200,
  body: await listActivationKeys(
    { ...licensingDeps(), keys: activationKeyStore(), people: accountPeople() },
    principalOf(request),
    request.params.accountId,
  ),
}));

/** DELETE /v1/accounts/{accountId}/activation-keys/{keyId}: revokes an open key (idempotent, audited). */
import { activationKeyParamsSchema, revokeActivationKey } from '../core/licensing/activation-keys';
import { httpRoute, principalOf } from '../shared/http';
import { activationKeyStore, licensingDeps } from '../shared/licensing-deps';

export const handler = httpRoute({ params: activationKeyParamsSchema }, async (request) => {
  await revokeActivationKey(
    { ...licensingDeps(), keys: activationKeyStore() },
    principalOf(request),
    request.params.accountId,
    request.params.keyId,
  );
  return { status: 204 };
});

/** POST /v1/accounts/{accountId}/offline-activations: an air-gapped agent's signed request file in, its response file out. */
import { publicJwkFromRef } from '../adapters/licence-signers';
import { offlineActivation, offlineActivationBodySchema } from '../core/licensing/offline-activation';
import { jwkThumbprint } from '../shared/agent-signature';
import { required } from '../shared/env';
import { httpRoute, principalOf } from '../shared/http';
import { licenseSettings, licensingDeps } from '../shared/licensing-deps';
import { accountParams } from '../shared/params';

let keys: Promise<unknown[]> | undefined;
const jwks = () =>
  (keys ??= Promise.all(required('VERIFY_KEY_REFS').map(publicJwkFromRef)).catch((error: unknown) => {
    keys = undefined;
    throw error;
  }));

export const handler = httpRoute({ params: accountParams, body: offlineActivationBodySchema }, async (request) => {
  const { created, result } = await offlineActivation(
    licensingDeps(),
    licenseSettings(),
    { thumbprint: jwkThumbprint, jwks },
    principalOf(request),
    request.params.accountId,
    request.body,
  );
  return { status: created ? 201 : 200, body: result };
});

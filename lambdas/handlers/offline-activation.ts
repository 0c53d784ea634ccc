/** POST /v1/accounts/{accountId}/offline-activations: an air-gapped agent's signed request file in, its response file out. */
import { offlineActivation, offlineActivationBodySchema } from '../core/licensing/offline-activation';
import { jwkThumbprint } from '../shared/agent-signature';
import { httpRoute, principalOf } from '../shared/http';
import { licenseSettings } from '../shared/license-settings';
import { licensingDeps } from '../shared/licensing-deps';
import { accountParams } from '../shared/params';
import { signingJwks } from '../shared/signing-jwks';

export const handler = httpRoute({ params: accountParams, body: offlineActivationBodySchema }, async (request) => {
  const { created, result } = await offlineActivation(
    licensingDeps(),
    licenseSettings(),
    { thumbprint: jwkThumbprint, jwks: signingJwks },
    principalOf(request),
    request.params.accountId,
    request.body,
  );
  return { status: created ? 201 : 200, body: result };
});

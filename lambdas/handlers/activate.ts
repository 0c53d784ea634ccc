/** POST /v1/activations: an installation activates with an activation key and its new Ed25519 key. */
import { activateInstallation, activationBodySchema } from '../core/licensing/activate-installation';
import { agentRequestOf, jwkThumbprint, verifyAgentRequest } from '../shared/agent-signature';
import { httpRoute } from '../shared/http';
import { licenseSettings } from '../shared/license-settings';
import { licensingDeps } from '../shared/licensing-deps';

export const handler = httpRoute({ metric: 'activations', body: activationBodySchema }, async (request) => {
  const thumbprint = await jwkThumbprint(request.body.publicKey);
  await verifyAgentRequest(agentRequestOf(request), async (keyid) =>
    keyid === thumbprint ? request.body.publicKey : null,
  );
  const { created, result } = await activateInstallation(licensingDeps(), licenseSettings(), request.body, thumbprint);
  return { status: created ? 201 : 200, body: result };
});

/** POST /v1/installations/{id}/presence/snapshot (signed): presence without a WebSocket. */
import { snapshot } from '../core/presence/session';
import { httpRoute, parseJsonBody } from '../shared/http';
import { signedBy } from '../shared/agent-signature';
import { installationParams } from '../shared/params';
import { presenceGraphDeps } from '../shared/presence-graph-deps';

// The body is judged after the signature (core/presence/session.ts): an unsigned request is a 401 whatever it carries.
export const handler = httpRoute({ params: installationParams }, async (request) => ({
  status: 200,
  body: await snapshot(presenceGraphDeps(), {
    installationId: request.params.id,
    verify: signedBy(request, request.params.id),
    body: () => parseJsonBody(request.rawBody, request.header),
  }),
}));

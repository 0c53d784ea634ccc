/** POST /v1/installations/{id}/presence/snapshot (signed): presence without a WebSocket. */
import { snapshotRequestSchema } from '../core/presence/frames';
import { snapshot } from '../core/presence/session';
import { httpRoute } from '../shared/http';
import { signedBy } from '../shared/licensing-deps';
import { installationParams } from '../shared/params';
import { presenceDeps } from '../shared/presence-deps';

export const handler = httpRoute({ params: installationParams, body: snapshotRequestSchema }, async (request) => ({
  status: 200,
  body: await snapshot(presenceDeps(), {
    installationId: request.params.id,
    verify: signedBy(request, request.params.id),
    users: request.body.users,
  }),
}));

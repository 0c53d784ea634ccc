/** POST /v1/installations/{id}/findings/{findingId}/acknowledgements: support's note on a finding. */
import { acknowledgeFinding, acknowledgementBodySchema, findingIdSchema } from '../core/support/acknowledge-finding';
import * as z from 'zod/mini';
import { httpRoute, principalOf } from '../shared/http';
import { installationParams } from '../shared/params';
import { supportDeps } from '../shared/support-deps';

const params = z.extend(installationParams, { findingId: findingIdSchema });

export const handler = httpRoute({ params, body: acknowledgementBodySchema }, async (request) => ({
  status: 201,
  body: await acknowledgeFinding(
    supportDeps(),
    principalOf(request),
    request.params.id,
    request.params.findingId,
    request.body,
  ),
}));

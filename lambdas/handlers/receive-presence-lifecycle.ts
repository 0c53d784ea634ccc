/** POST /v1/presence/lifecycle: Graph's lifecycle notifications (reauthorize, removed, missed). */
import { notificationsBodySchema, receiveLifecycle, validationQuerySchema } from '../core/presence/notifications';
import { httpRoute, parseJsonBody, parseWith } from '../shared/http';
import { presenceGraphDeps } from '../shared/presence-graph-deps';
import { validationEcho } from '../shared/presence-validation';

export const handler = httpRoute({ maxBodyBytes: 1024 * 1024 }, async (request) => {
  const validation = validationQuerySchema.safeParse(request.event.queryStringParameters ?? {});
  if (validation.success) return validationEcho(validation.data.validationToken);
  const body = parseWith(notificationsBodySchema, parseJsonBody(request.rawBody, request.header));
  return { status: 202, body: await receiveLifecycle(presenceGraphDeps(), body) };
});

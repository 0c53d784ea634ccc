/** WebSocket `$connect`: a signed upgrade from an installation allowed to use Presence opens its session. */
import * as z from 'zod/mini';
import { ValidationError } from '../core/errors';
import { openSession } from '../core/presence/session';
import { installationSignatureCheck } from '../shared/agent-signature';
import { emitCount } from '../shared/business-metrics';
import { installationParams } from '../shared/params';
import { presenceDeps } from '../shared/presence-deps';
import { webSocketRoute } from '../shared/websocket';

const connectQuery = z.object({ installation: installationParams.shape.id });

export const handler = webSocketRoute(async (event) => {
  const query = connectQuery.safeParse(event.queryStringParameters ?? {});
  if (!query.success)
    throw new ValidationError([{ path: 'query.installation', message: 'an installation id is required' }]);
  const installationId = query.data.installation;
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  // The upgrade is a GET of the stage's path: signed like every agent request, over an empty body.
  const request = { method: 'GET', path: `/${event.requestContext.stage}`, headers, body: new Uint8Array() };
  await openSession(presenceDeps(), {
    connectionId: event.requestContext.connectionId,
    installationId,
    verify: installationSignatureCheck(request, installationId),
  });
  emitCount('presenceSessionsOpened');
  return { statusCode: 200 };
});

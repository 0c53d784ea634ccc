/** WebSocket `$disconnect`: the session and its watches are forgotten. */
import { closeSession } from '../core/presence/session';
import { emitCount } from '../shared/business-metrics';
import { presenceDeps } from '../shared/presence-deps';
import { webSocketRoute } from '../shared/websocket';

export const handler = webSocketRoute(async (event) => {
  await closeSession(presenceDeps(), event.requestContext.connectionId);
  emitCount('presenceSessionsClosed');
  return { statusCode: 200 };
});

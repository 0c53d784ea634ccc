/** WebSocket `$disconnect`: the session and its watches are forgotten. */
import { closeSession } from '../core/presence/session';
import { presenceDeps } from '../shared/presence-deps';
import { webSocketRoute } from '../shared/websocket';

export const handler = webSocketRoute(async (event) => {
  await closeSession(presenceDeps(), event.requestContext.connectionId);
  return { statusCode: 200 };
});

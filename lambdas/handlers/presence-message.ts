/** WebSocket `$default`: one frame from the suite (subscribe, unsubscribe, ping); answers go down @connections. */
import { handleFrame } from '../core/presence/session';
import { presenceGraphDeps } from '../shared/presence-graph-deps';
import { webSocketRoute } from '../shared/websocket';

export const handler = webSocketRoute(async (event) => {
  const body = event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  await handleFrame(presenceGraphDeps(), event.requestContext.connectionId, body ?? undefined);
  return { statusCode: 200 };
});

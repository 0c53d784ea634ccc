/**
 * The Presence Service's monthly cost per installation that uses it: a WebSocket session all day,
 * pings, the suite's subscriptions, and each presence change of a watched user through Graph's
 * notification, the store, the queue and the session. Prices not in bench/prices.json are below,
 * list prices as of 2026-11 (re-check before quoting).
 */
import { fmt, HOURS_PER_MONTH, type ComponentCost, type RegionPrices } from './cost-model';

export interface PresenceWorkload {
  /** users one installation's consoles watch */
  watchedUsers: number;
  /** presence changes per watched user per hour, averaged over the day */
  changesPerUserHour: number;
  /** installations of the same account watching the same user (they share its notification) */
  watchersPerUser: number;
  /** Graph notifications per POST it makes to us (it batches when busy; 1 is the worst case) */
  notificationsPerPost: number;
  /** the reference agent pings every 4 minutes (agent/sdk/presence.ts) */
  pingsPerHour: number;
  /** API Gateway closes sessions after 2 hours: reconnect, subscribe again */
  sessionsPerDay: number;
  /** frames of ≤ 1,000 UPNs per subscribe */
  subscribeFramesPerSession: number;
  /** Lambda per message: the frame handlers, the notification endpoint, the fan-out (per SQS batch) */
  lambda: { memoryMb: number; ms: number };
  fanOutBatch: number;
}

export interface PresencePrices {
  webSocketMessagesPerMillion: number;
  webSocketConnectionMinutesPerMillion: number;
  sqsRequestsPerMillion: number;
}

/** API Gateway WebSocket and SQS standard queue list prices per region (2026-11). */
export const presencePrices: Record<string, PresencePrices> = {
  'us-east-1': {
    webSocketMessagesPerMillion: 1.0,
    webSocketConnectionMinutesPerMillion: 0.25,
    sqsRequestsPerMillion: 0.4,
  },
  'eu-central-1': {
    webSocketMessagesPerMillion: 1.14,
    webSocketConnectionMinutesPerMillion: 0.285,
    sqsRequestsPerMillion: 0.4,
  },
};

export function defaultPresenceWorkload(): PresenceWorkload {
  return {
    watchedUsers: 200,
    changesPerUserHour: 2,
    watchersPerUser: 1,
    notificationsPerPost: 1,
    pingsPerHour: 15,
    sessionsPerDay: 12,
    subscribeFramesPerSession: 1,
    lambda: { memoryMb: 256, ms: 20 },
    fanOutBatch: 10,
  };
}

export function presenceMonthlyCost(
  w: PresenceWorkload,
  p: RegionPrices,
  ws: PresencePrices,
): { components: ComponentCost[]; perInstallation: number; graphReadsPerChange: number } {
  const changes = (w.watchedUsers * w.changesPerUserHour * HOURS_PER_MONTH) / w.watchersPerUser;
  const sessions = (w.sessionsPerDay * HOURS_PER_MONTH) / 24;
  const pings = w.pingsPerHour * HOURS_PER_MONTH;
  // Each change: one frame down per watching installation; ours is this installation's share.
  const framesDown = changes * w.watchersPerUser + pings + sessions * w.subscribeFramesPerSession * 2;
  const framesUp = pings + sessions * w.subscribeFramesPerSession;
  const posts = changes / w.notificationsPerPost;
  const fanOuts = posts / w.fanOutBatch;
  const invocations = framesUp + sessions * 2 + posts + fanOuts;
  const components: ComponentCost[] = [];
  const add = (component: string, usd: number, driver: string) => components.push({ component, usd, driver });
  add(
    'API Gateway WebSocket',
    ((framesUp + framesDown) / 1e6) * ws.webSocketMessagesPerMillion +
      ((HOURS_PER_MONTH * 60) / 1e6) * ws.webSocketConnectionMinutesPerMillion,
    `${fmt(framesUp + framesDown)} messages (pings, subscribes, presence frames), one session all month`,
  );
  add(
    'API Gateway HTTP API',
    (posts / 1e6) * (p.apiGatewayHttpPerMillion[0]?.usd ?? 1),
    `${fmt(posts)} Graph notification posts`,
  );
  add(
    'Lambda',
    (invocations / 1e6) * p.lambdaRequestsPerMillion +
      invocations * (w.lambda.memoryMb / 1024) * (w.lambda.ms / 1000) * p.lambdaArmGbSecond,
    `${fmt(invocations)} invocations at ${w.lambda.ms} ms, ${w.lambda.memoryMb} MB`,
  );
  // Per change: the conditional presence write (1 WRU) and the watchers query (0.5 RRU); per
  // subscribe: a watch and a counter write per user, and the UPN cache read.
  const wru = changes + sessions * w.watchedUsers * 2;
  const rru = changes * 0.5 + sessions * w.watchedUsers;
  add(
    'DynamoDB (presence table)',
    (wru / 1e6) * p.dynamoWritePerMillionWru + (rru / 1e6) * p.dynamoReadPerMillionRru,
    `${fmt(wru)} WRU, ${fmt(rru)} RRU: a write per change, watches re-written per session`,
  );
  add('SQS', ((posts * 3) / 1e6) * ws.sqsRequestsPerMillion, 'send, receive, delete per notification post');
  const total = components.reduce((a, c) => a + c.usd, 0);
  return { components, perInstallation: total, graphReadsPerChange: 0 };
}

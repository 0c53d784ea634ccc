/** Run by EventBridge Scheduler every 10 minutes: Graph subscriptions renewed before they expire. */
import { renewDueSubscriptions } from '../core/presence/subscriptions';
import { scheduledHandler } from '../shared/handler-stack';
import { logger } from '../shared/powertools';
import { presenceGraphDeps } from '../shared/presence-graph-deps';

export const handler = scheduledHandler(async () => {
  const report = await renewDueSubscriptions(presenceGraphDeps());
  logger.info('presence subscriptions renewed', { ...report });
  return report;
});

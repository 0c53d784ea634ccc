/** Run by EventBridge Scheduler every 6 hours: closed accounts past their retention period are erased. */
import { eraseClosedAccounts } from '../core/accounts/erase-closed-accounts';
import { eraserDeps } from '../shared/closure-deps';
import { scheduledHandler } from '../shared/handler-stack';
import { logger } from '../shared/powertools';

export const handler = scheduledHandler(async () => {
  const run = await eraseClosedAccounts(eraserDeps());
  logger.info('closed accounts erased', { ...run });
  return run;
});

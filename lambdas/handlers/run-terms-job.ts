/**
 * The terms job (EventBridge Scheduler, hourly): mails each new version's notice to the
 * administrators of the accounts homed here, then records silent consent once it takes effect (core/accounts/terms.ts).
 */
import { runTermsJob } from '../core/accounts/terms';
import { scheduledHandler } from '../shared/handler-stack';
import { logger } from '../shared/powertools';
import { termsJobDeps } from '../shared/terms-deps';

export const handler = scheduledHandler(async () => {
  const run = await runTermsJob(termsJobDeps());
  logger.info('terms job', { ...run });
  return run;
});

/**
 * Powertools singletons shared by every handler in a bundle (one per Lambda container): structured
 * logs, EMF metrics and X-Ray traces (`#xray`: xray.ts, or xray-off.ts in the bundles of
 * pass-through functions). Outside Lambda (the local cloud, tests) the tracer is off.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, SERVICE_NAME } from './business-metrics-definitions';

export { traced, traceInvocation } from '#xray';

export const logger = new Logger();
/** EMF records are written through this one instance (lambdas/shared/business-metrics.ts). */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
});

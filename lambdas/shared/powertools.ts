/**
 * Powertools singletons shared by every handler in a bundle (one per Lambda container): structured
 * logs, EMF metrics and X-Ray traces. Outside Lambda (the local cloud, tests) the tracer is off.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { METRICS_NAMESPACE, SERVICE_NAME } from './business-metrics-definitions';

export const logger = new Logger();
/** EMF records are written through this one instance (lambdas/shared/business-metrics.ts). */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
});
export const tracer = new Tracer();

/** An AWS SDK v3 client whose calls show as subsegments of the invocation's trace. */
export function traced<T>(client: T): T {
  return tracer.captureAWSv3Client(client as never) as T;
}

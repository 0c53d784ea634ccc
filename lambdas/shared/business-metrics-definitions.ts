/**
 * Every business metric the service emits, defined once as data: the handlers emit them through
 * `emitCount` (business-metrics.ts), and the CDK dashboards and alarms and the local dashboard are
 * built from the same definitions (a test proves each metric a dashboard or alarm names is emitted
 * by some handler). Each is a count (unit Count), summed on the dashboards. No Powertools import
 * here, so the CDK app reads it without loading Lambda runtime code. Dimensions are low-cardinality
 * only (status, rule id, severity): never an installation or account id.
 */

export const METRICS_NAMESPACE = 'UcxCloud';
export const SERVICE_NAME = 'ucx-cloud';

export interface BusinessMetric {
  readonly description: string;
  /** dimension names beyond `service` */
  readonly dimensions: readonly string[];
  /** handler entries (lambdas/handlers/<entry>.ts) that emit it */
  readonly emittedBy: readonly string[];
}

export const businessMetrics = {
  activations: {
    description: 'Activation requests by answer status (201 new, 200 repeat, 403 key, 409 capacity, 421 region)',
    dimensions: ['status'],
    emittedBy: ['activate'],
  },
  licencePolls: {
    description: 'Licence polls by answer status (200 new licence, 304 unchanged, 410 deactivated)',
    dimensions: ['status'],
    emittedBy: ['get-license'],
  },
  licenceResignFailures: {
    description:
      'Licence rebuilds whose signing failed (KMS): the stored licence served while unexpired, else the request failed',
    dimensions: [],
    emittedBy: ['get-license', 'activate'],
  },
  ordersDeposited: {
    description: 'Back-office orders by answer status (201 deposited, 200 replay, 409 conflict)',
    dimensions: ['status'],
    emittedBy: ['put-order'],
  },
  telemetryBatches: {
    description: 'Telemetry batches by answer status',
    dimensions: ['status'],
    emittedBy: ['ingest-telemetry'],
  },
  beatsAccepted: {
    description: 'Beats put on the stream',
    dimensions: [],
    emittedBy: ['ingest-telemetry'],
  },
  beatsRejected: {
    description: 'Beats refused by validation',
    dimensions: [],
    emittedBy: ['ingest-telemetry'],
  },
  beatsRedacted: {
    description: 'Redactions made before storing (personal data, unknown fields)',
    dimensions: [],
    emittedBy: ['ingest-telemetry'],
  },
  beatsDuplicate: {
    description: 'Beats recognised as repeats (in a batch, or by the rules engine)',
    dimensions: [],
    emittedBy: ['ingest-telemetry', 'evaluate-rules', 'sweep-silent'],
  },
  beatsArchived: {
    description: 'Beats written to the S3 archive',
    dimensions: [],
    emittedBy: ['archive-telemetry'],
  },
  beatsEvaluated: {
    description: 'Beats evaluated by the rules',
    dimensions: [],
    emittedBy: ['evaluate-rules', 'sweep-silent'],
  },
  findingsOpened: {
    description: 'Findings opened, by rule and severity',
    dimensions: ['ruleId', 'severity'],
    emittedBy: ['evaluate-rules', 'sweep-silent'],
  },
  findingsResolved: {
    description: 'Findings resolved, by rule and severity',
    dimensions: ['ruleId', 'severity'],
    emittedBy: ['evaluate-rules', 'sweep-silent'],
  },
  silentSweepRuns: {
    description: 'Completed runs of the missing-beat sweep',
    dimensions: [],
    emittedBy: ['sweep-silent'],
  },
  // Presence: the relay from Microsoft Graph to the suite's sessions.
  presenceNotifications: {
    description: 'Graph change notifications accepted (clientState and dataSignature verified)',
    dimensions: [],
    emittedBy: ['receive-presence-notifications'],
  },
  presenceNotificationsDropped: {
    description: 'Graph notifications dropped: unknown subscription, wrong clientState, bad dataSignature',
    dimensions: [],
    emittedBy: ['receive-presence-notifications', 'receive-presence-lifecycle'],
  },
  presenceUpdatesSent: {
    description: 'Presence frames posted to the suite sessions',
    dimensions: [],
    emittedBy: ['presence-fan-out'],
  },
  presenceSubscriptionRenewals: {
    description: 'Graph subscriptions renewed or recreated before they expired',
    dimensions: [],
    emittedBy: ['renew-presence-subscriptions'],
  },
  presenceSubscriptionRenewalFailures: {
    description: 'Graph subscriptions the renewal job could not renew (retried on the next run)',
    dimensions: [],
    emittedBy: ['renew-presence-subscriptions'],
  },
  presenceGraphThrottles: {
    description: 'Graph answers 429 or 503 with Retry-After',
    dimensions: [],
    emittedBy: ['presence-message', 'presence-snapshot', 'receive-presence-lifecycle', 'renew-presence-subscriptions'],
  },
  presenceGraphReads: {
    description: 'Graph reads: UPN lookups and presence reads (a change notification needs none)',
    dimensions: [],
    emittedBy: ['presence-message', 'presence-snapshot', 'receive-presence-lifecycle'],
  },
  presenceSessionsOpened: {
    description: 'Suite sessions opened ($connect admitted); CloudWatch has no gauge of open WebSocket connections',
    dimensions: [],
    emittedBy: ['presence-connect'],
  },
  presenceSessionsClosed: {
    description: 'Suite sessions closed ($disconnect: by either side, idle 10 min or the 2 h limit)',
    dimensions: [],
    emittedBy: ['presence-disconnect'],
  },
} as const satisfies Record<string, BusinessMetric>;

export type BusinessMetricKey = keyof typeof businessMetrics;

/** A metric's CloudWatch name: its key in PascalCase (a handler emits it without bundling the definitions). */
export const metricName = (key: BusinessMetricKey): string => key[0]!.toUpperCase() + key.slice(1);

/**
 * What operators see and are paged for, defined once as data: the two dashboards of every region
 * (service overview, support overview), their sections, the widgets and the metrics each shows, the
 * resources each section watches with cdk-monitoring-constructs' own segments, and the alarms with
 * their severity-keyed thresholds and the reason for each. The CDK app builds the CloudWatch
 * dashboards and alarms from it through the library's MonitoringFacade
 * (lib/constructs/observability.ts); the local cloud renders the same dashboards and evaluates the
 * same alarms at /local/dashboard from what the local handlers emit (local/dashboard.ts). No CDK
 * import here, so both sides can read it.
 */
import {
  businessMetrics,
  METRICS_NAMESPACE,
  SERVICE_NAME,
  type BusinessMetricKey,
} from '../../lambdas/shared/business-metrics-definitions';
import { severityRank, type Severity as FindingSeverity } from '../../lambdas/core/rules/rule';
import { functionSpecs, streamConsumers, type FunctionName } from '../routes';

export { METRICS_NAMESPACE, SERVICE_NAME };

/** Metrics of the HTTP API; per route (ApiId, Stage, Method, Resource) or for the whole stage. */
export type ApiMetric = 'Count' | '4xx' | '5xx' | '5xxRate' | 'LatencyP50' | 'LatencyP99';
/** Metrics of a Lambda function (AWS/Lambda, dimension FunctionName). */
export type LambdaMetric =
  | 'Invocations'
  | 'Errors'
  | 'Throttles'
  | 'DurationP99'
  | 'ConcurrentExecutions'
  | 'IteratorAgeMax';
/** The DynamoDB tables of a region. */
export type TableRef = 'licensing' | 'support';
/** Where what a consumer or a schedule gave up on lands: each stream consumer's on-failure queue, the sweep's DLQ. */
export type FailureDestination = `${FunctionName}.onFailure` | 'sweepSilent.deadLetter' | 'presenceFanOut.deadLetter';

export type MetricRef =
  /** a business metric (lambdas/shared/business-metrics-definitions.ts), summed; `splitBy` one line per value of that dimension */
  | {
      readonly source: 'business';
      readonly metric: BusinessMetricKey;
      readonly splitBy?: string;
      readonly splitValues?: readonly string[];
    }
  | { readonly source: 'api'; readonly metric: ApiMetric; readonly perRoute: boolean }
  /** one line per function; an alarm sums them */
  | { readonly source: 'lambda'; readonly metric: LambdaMetric; readonly functions: readonly FunctionName[] }
  /** one line per table; an alarm sums them */
  | {
      readonly source: 'dynamodb';
      readonly metric: 'ReadThrottleEvents' | 'WriteThrottleEvents';
      readonly tables: readonly TableRef[];
    }
  | {
      readonly source: 'kinesis';
      readonly metric: 'IncomingRecords' | 'WriteProvisionedThroughputExceeded';
      readonly stream: 'telemetry';
    }
  /** visible messages, one line per queue */
  | {
      readonly source: 'queue';
      readonly metric: 'ApproximateNumberOfMessagesVisible';
      readonly queues: readonly FailureDestination[];
    };

export interface WidgetDefinition {
  readonly title: string;
  readonly metrics: readonly MetricRef[];
  /** what the operator reads off it */
  readonly help: string;
}

/**
 * A resource the library watches with a segment of its own (its standard widgets, and the alarms of
 * the definition that name this one resource): the HTTP API's stage (all routes), a function, a
 * table, the stream, a failure destination.
 */
export type MonitoredResource =
  | { readonly kind: 'api' }
  | { readonly kind: 'lambda'; readonly fn: FunctionName }
  | { readonly kind: 'dynamodb'; readonly table: TableRef }
  | { readonly kind: 'kinesis'; readonly stream: 'telemetry' }
  | { readonly kind: 'queue'; readonly queue: FailureDestination };

export interface SectionDefinition {
  readonly title: string;
  /** lines across the section's resources (one per route, function, table, queue or status) */
  readonly widgets: readonly WidgetDefinition[];
  /** resources with a segment of their own under the section's widgets. @default none */
  readonly resources?: readonly MonitoredResource[];
}

export interface DashboardDefinition {
  /** `service` → CloudWatch dashboard `ucx-<stage>-<region>-service` */
  readonly id: 'service' | 'support';
  readonly title: string;
  /** who reads it and for what */
  readonly audience: string;
  readonly sections: readonly SectionDefinition[];
}

export type Severity = 'critical' | 'warning';
export const severities: readonly Severity[] = ['critical', 'warning'];

export interface AlarmThreshold {
  readonly value: number;
  /** why this value: read by on-call next to the number, rendered into the AlarmDescription */
  readonly reason: string;
}

export interface AlarmDefinition {
  /** stable id, part of the alarm name: `ucx-<stage>-<region>-<id>-<severity>` */
  readonly id: string;
  readonly title: string;
  /** one metric; several lines (functions, tables) are summed */
  readonly metric: MetricRef;
  readonly comparison: 'greaterThan' | 'lessThan';
  readonly periodMinutes: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  /** 'breaching' when silence itself is the fault (a schedule that stopped running) */
  readonly missingData: 'notBreaching' | 'breaching';
  /** at least one severity; each threshold with its reason */
  readonly thresholds: Partial<Record<Severity, AlarmThreshold>>;
  /** what it means for on-call and where to look first */
  readonly runbook: string;
}

const allFunctions = Object.keys(functionSpecs) as FunctionName[];
/** The agent-facing functions and the stream consumers: a throttle there loses or delays data. */
const hotPathFunctions: FunctionName[] = [
  'activate',
  'getLicense',
  'ingestTelemetry',
  'archiveTelemetry',
  'evaluateRules',
];
const streamConsumerFunctions = streamConsumers.map((c) => c.fn);
/** On-call drills into these first: the agent path, the stream consumers and the missing-beat sweep. */
const detailFunctions: FunctionName[] = [...hotPathFunctions, 'sweepSilent'];
const tables: TableRef[] = ['licensing', 'support'];
export const failureDestinations: readonly FailureDestination[] = [
  ...streamConsumerFunctions.map((fn) => `${fn}.onFailure` as const),
  'sweepSilent.deadLetter',
  'presenceFanOut.deadLetter',
];
const findingSeverities = (Object.keys(severityRank) as FindingSeverity[]).sort(
  (a, b) => severityRank[b] - severityRank[a],
);

export const dashboards: readonly DashboardDefinition[] = [
  {
    id: 'service',
    title: 'Service overview',
    audience: 'on-call and operators: is the API answering, are the functions, tables and the stream keeping up',
    sections: [
      {
        title: 'API routes',
        widgets: [
          {
            title: 'Requests',
            metrics: [{ source: 'api', metric: 'Count', perRoute: true }],
            help: 'Requests per route per period; the poll route carries the fleet (≈ installations / 900 s).',
          },
          {
            title: '4xx',
            metrics: [{ source: 'api', metric: '4xx', perRoute: true }],
            help: 'Client errors; a jump on one agent route is usually an agent release or a clock skew (401).',
          },
          {
            title: '5xx',
            metrics: [{ source: 'api', metric: '5xx', perRoute: true }],
            help: 'Server errors and throttling answers (503); should be zero.',
          },
          {
            title: 'Latency p50',
            metrics: [{ source: 'api', metric: 'LatencyP50', perRoute: true }],
            help: 'Typical answer time in ms, including Lambda.',
          },
          {
            title: 'Latency p99',
            metrics: [{ source: 'api', metric: 'LatencyP99', perRoute: true }],
            help: 'Slow tail in ms; cold starts and KMS signing show here first.',
          },
        ],
        resources: [{ kind: 'api' }],
      },
      {
        title: 'Functions',
        widgets: [
          {
            title: 'Invocations',
            metrics: [{ source: 'lambda', metric: 'Invocations', functions: allFunctions }],
            help: 'Invocations per function: which functions the traffic reaches.',
          },
          {
            title: 'Errors',
            metrics: [{ source: 'lambda', metric: 'Errors', functions: allFunctions }],
            help: 'Invocations that threw or timed out (handled 4xx answers are not errors).',
          },
          {
            title: 'Throttles',
            metrics: [{ source: 'lambda', metric: 'Throttles', functions: allFunctions }],
            help: 'Invocations refused for concurrency; should be zero.',
          },
          {
            title: 'Duration p99',
            metrics: [{ source: 'lambda', metric: 'DurationP99', functions: allFunctions }],
            help: 'ms; compare with each function timeout.',
          },
          {
            title: 'Concurrent executions',
            metrics: [{ source: 'lambda', metric: 'ConcurrentExecutions', functions: allFunctions }],
            help: 'Max concurrency per function; the sum must stay under the regional quota.',
          },
        ],
        resources: detailFunctions.map((fn) => ({ kind: 'lambda', fn })),
      },
      {
        title: 'Telemetry stream',
        widgets: [
          {
            title: 'Incoming records',
            metrics: [{ source: 'kinesis', metric: 'IncomingRecords', stream: 'telemetry' }],
            help: 'Telemetry batches written (one record per agent batch, split only past 1 MiB); ≤ 1000 records/s and 1 MB/s per shard.',
          },
          {
            title: 'Write throttles',
            metrics: [{ source: 'kinesis', metric: 'WriteProvisionedThroughputExceeded', stream: 'telemetry' }],
            help: 'Records refused for shard capacity: raise ucx.telemetryShards.',
          },
          {
            title: 'Iterator age (max, per consumer)',
            metrics: [{ source: 'lambda', metric: 'IteratorAgeMax', functions: streamConsumerFunctions }],
            help: 'How far each consumer is behind the stream, ms.',
          },
        ],
        resources: [{ kind: 'kinesis', stream: 'telemetry' }],
      },
      {
        title: 'Tables',
        widgets: [
          {
            title: 'Throttled requests',
            metrics: [
              { source: 'dynamodb', metric: 'ReadThrottleEvents', tables },
              { source: 'dynamodb', metric: 'WriteThrottleEvents', tables },
            ],
            help: 'On-demand tables throttle only past their previous peak ×2 or a hot key; the API answers 503 with Retry-After.',
          },
        ],
        resources: tables.map((table) => ({ kind: 'dynamodb', table })),
      },
      {
        title: 'Failure destinations',
        widgets: [
          {
            title: 'Messages waiting',
            metrics: [{ source: 'queue', metric: 'ApproximateNumberOfMessagesVisible', queues: failureDestinations }],
            help: 'Each message is a batch of records (or a sweep run) given up on; replay or inspect, then delete.',
          },
        ],
        resources: failureDestinations.map((queue) => ({ kind: 'queue', queue })),
      },
    ],
  },
  {
    id: 'support',
    title: 'Support overview',
    audience: 'support and product: is the fleet activating, polling and sending telemetry, what do the rules find',
    sections: [
      {
        title: 'Licensing',
        widgets: [
          {
            title: 'Activations by status',
            metrics: [{ source: 'business', metric: 'activations', splitBy: 'status' }],
            help: '201 new, 200 repeat, 403 key, 409 capacity, 421 other region.',
          },
          {
            title: 'Licence polls by status',
            metrics: [{ source: 'business', metric: 'licencePolls', splitBy: 'status' }],
            help: '200 new licence, 304 unchanged, 410 deactivated.',
          },
          {
            title: 'Orders by status',
            metrics: [{ source: 'business', metric: 'ordersDeposited', splitBy: 'status' }],
            help: '201 deposited, 200 replay, 409 conflict.',
          },
        ],
      },
      {
        title: 'Telemetry (beats)',
        widgets: [
          {
            title: 'Batches by status',
            metrics: [{ source: 'business', metric: 'telemetryBatches', splitBy: 'status' }],
            help: '202 accepted, 403 telemetry off, 413 too big.',
          },
          {
            title: 'Beats',
            metrics: [
              { source: 'business', metric: 'beatsAccepted' },
              { source: 'business', metric: 'beatsRejected' },
              { source: 'business', metric: 'beatsRedacted' },
              { source: 'business', metric: 'beatsDuplicate' },
            ],
            help: 'Accepted onto the stream, refused by validation, redactions made, repeats recognised.',
          },
          {
            title: 'Beats archived and evaluated',
            metrics: [
              { source: 'business', metric: 'beatsArchived' },
              { source: 'business', metric: 'beatsEvaluated' },
            ],
            help: 'Both should follow Beats accepted; a gap is a consumer behind (see iterator age).',
          },
        ],
      },
      {
        title: 'Findings',
        widgets: [
          {
            title: 'Findings opened by severity',
            metrics: [
              { source: 'business', metric: 'findingsOpened', splitBy: 'severity', splitValues: findingSeverities },
            ],
            help: 'What the rules raised; critical ones of Gold and Platinum accounts also reach support by SNS.',
          },
          {
            title: 'Findings resolved by severity',
            metrics: [
              { source: 'business', metric: 'findingsResolved', splitBy: 'severity', splitValues: findingSeverities },
            ],
            help: 'Resolved after two clear beats, or by the sweep.',
          },
          {
            title: 'Missing-beat sweep runs',
            metrics: [{ source: 'business', metric: 'silentSweepRuns' }],
            help: 'One per 15 minutes; a gap means silent installations are not being flagged.',
          },
        ],
      },
    ],
  },
];

const consumerMaxRecordAgeMinutes = (fn: FunctionName): number =>
  (streamConsumers.find((c) => c.fn === fn)?.maxRecordAgeSeconds ?? 0) / 60;

export const alarms: readonly AlarmDefinition[] = [
  {
    id: 'api-5xx-rate',
    title: 'API 5xx rate (% of requests)',
    metric: { source: 'api', metric: '5xxRate', perRoute: false },
    comparison: 'greaterThan',
    periodMinutes: 5,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    missingData: 'notBreaching',
    thresholds: {
      critical: {
        value: 5,
        reason: '5 % for 15 min: activations and portal calls are failing for users, beyond what agent retries hide',
      },
      warning: {
        value: 1,
        reason: '1 % for 15 min: above the background of throttled retries; something is degrading',
      },
    },
    runbook:
      "Service overview → API 5xx per route, then Lambda errors of that route's function and its logs; a 503 burst with DynamoDB or Kinesis throttles is capacity, not code.",
  },
  {
    id: 'api-p99-latency',
    title: 'API p99 latency (ms)',
    metric: { source: 'api', metric: 'LatencyP99', perRoute: false },
    comparison: 'greaterThan',
    periodMinutes: 5,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    missingData: 'notBreaching',
    thresholds: {
      critical: { value: 5000, reason: '5 s: agents time out and retry, multiplying the load' },
      warning: {
        value: 1500,
        reason: '1.5 s: several times the normal tail (KMS signing and cold starts stay well under)',
      },
    },
    runbook:
      'Service overview → Latency p99 per route and Lambda duration p99: one slow route points at its dependency (KMS for polls, Kinesis for telemetry).',
  },
  {
    id: 'lambda-throttles',
    title: 'Lambda throttles on the agent path and stream consumers',
    metric: { source: 'lambda', metric: 'Throttles', functions: hotPathFunctions },
    comparison: 'greaterThan',
    periodMinutes: 5,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    missingData: 'notBreaching',
    thresholds: {
      critical: {
        value: 100,
        reason:
          '100 per 5 min: the regional concurrency quota is exhausted; agents get 503s and the stream falls behind',
      },
      warning: {
        value: 0,
        reason:
          'any throttle: these functions have no reserved concurrency, so a throttle means the account quota is near',
      },
    },
    runbook:
      'Service overview → Concurrent executions: which function grew; request a concurrency quota increase or find the runaway caller.',
  },
  {
    id: 'dynamodb-throttles',
    title: 'DynamoDB write throttles (both tables)',
    metric: { source: 'dynamodb', metric: 'WriteThrottleEvents', tables },
    comparison: 'greaterThan',
    periodMinutes: 5,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    missingData: 'notBreaching',
    thresholds: {
      warning: {
        value: 10,
        reason: '10 per 5 min: the SDK retries a few; more means a hot partition or a spike past on-demand scaling',
      },
    },
    runbook:
      'Service overview → DynamoDB throttled requests, then CloudWatch Contributor Insights on the table for the hot key.',
  },
  {
    id: 'kinesis-write-throttles',
    title: 'Kinesis telemetry stream write throttles',
    metric: { source: 'kinesis', metric: 'WriteProvisionedThroughputExceeded', stream: 'telemetry' },
    comparison: 'greaterThan',
    periodMinutes: 5,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    missingData: 'notBreaching',
    thresholds: {
      critical: {
        value: 1000,
        reason:
          '1000 per 5 min for 15 min: ingest answers 503 and agents re-send whole batches; the shards are too few',
      },
      warning: { value: 0, reason: 'any sustained throttle: the stream is at its provisioned capacity' },
    },
    runbook:
      'Raise ucx.telemetryShards in cdk.json and deploy (UpdateShardCount); see Incoming records and bytes against 1000 records/s and 1 MB/s per shard.',
  },
  ...streamConsumerFunctions.map(
    (fn): AlarmDefinition => ({
      id: `${fn}-iterator-age`,
      title: `${fn}: iterator age (max)`,
      metric: { source: 'lambda', metric: 'IteratorAgeMax', functions: [fn] },
      comparison: 'greaterThan',
      periodMinutes: 5,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      missingData: 'notBreaching',
      thresholds: {
        critical: {
          value: consumerMaxRecordAgeMinutes(fn) * 30_000,
          reason: `50 % of its ${consumerMaxRecordAgeMinutes(fn) / 60} h max record age: past that, records go to the on-failure queue unprocessed`,
        },
        warning: { value: 15 * 60_000, reason: '15 min behind: the consumer is not keeping up with the stream' },
      },
      runbook: `Service overview → Iterator age and ${fn} errors/duration; a failing batch retried is the usual cause (its logs), otherwise more shards.`,
    }),
  ),
  ...failureDestinations.map(
    (queue): AlarmDefinition => ({
      id: `${queue.replace('.', '-')}-not-empty`,
      title: `Failure destination ${queue}: messages waiting`,
      metric: { source: 'queue', metric: 'ApproximateNumberOfMessagesVisible', queues: [queue] },
      comparison: 'greaterThan',
      periodMinutes: 5,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      missingData: 'notBreaching',
      thresholds:
        queue === 'archiveTelemetry.onFailure'
          ? {
              critical: {
                value: 0,
                reason:
                  'any message: beats that are not in the archive, replayable from the 48 h stream only for a day',
              },
            }
          : queue === 'presenceFanOut.deadLetter'
            ? {
                warning: {
                  value: 0,
                  reason:
                    'any message: presence changes the fan-out gave up on after 5 tries; sessions missed them (worthless after an hour)',
                },
              }
            : {
                warning: {
                  value: 0,
                  reason: 'any message: work given up on (rules on a batch, or a sweep run) that no one retries',
                },
              },
      runbook:
        'Read the message (shard and sequence range, or the run), fix the cause from the function logs, replay the range, then delete the message.',
    }),
  ),
  ...(['archiveTelemetry', 'evaluateRules'] as const).map(
    (fn): AlarmDefinition => ({
      id: `${fn}-errors`,
      title: `${fn}: invocation errors`,
      metric: { source: 'lambda', metric: 'Errors', functions: [fn] },
      comparison: 'greaterThan',
      periodMinutes: 5,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      missingData: 'notBreaching',
      thresholds: {
        critical: {
          value: 10,
          reason:
            '10 per 5 min for 15 min: every batch fails; the shard stalls until records age out to the on-failure queue',
        },
        warning: {
          value: 0,
          reason: 'errors in 3 consecutive periods: a batch keeps failing (poison record or dependency)',
        },
      },
      runbook: `The ${fn} logs (error with installation id); the iterator age shows whether the shard is stuck.`,
    }),
  ),
  {
    id: 'silent-sweep-not-running',
    title: 'Missing-beat sweep not running',
    metric: { source: 'business', metric: 'silentSweepRuns' },
    comparison: 'lessThan',
    periodMinutes: 15,
    evaluationPeriods: 4,
    datapointsToAlarm: 4,
    missingData: 'breaching',
    thresholds: {
      critical: {
        value: 1,
        reason: 'no completed run in 1 h (4 schedules): silent installations are not flagged to support',
      },
    },
    runbook:
      'Support overview → Missing-beat sweep runs; then the sweepSilent errors, its schedule (EventBridge Scheduler) and its dead-letter queue.',
  },
];

/** Every business metric a dashboard or alarm names. */
export function businessMetricsInUse(): BusinessMetricKey[] {
  const refs = [
    ...dashboards.flatMap((d) => d.sections.flatMap((s) => s.widgets.flatMap((w) => w.metrics))),
    ...alarms.map((a) => a.metric),
  ];
  return [...new Set(refs.flatMap((r) => (r.source === 'business' ? [r.metric] : [])))];
}

/** The metric name and dimension names (besides `service`) CloudWatch sees for a business metric. */
export function businessMetricShape(key: BusinessMetricKey): { name: string; dimensions: readonly string[] } {
  const m = businessMetrics[key];
  return { name: m.name, dimensions: m.dimensions };
}

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
  metricName,
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
/** A queue that feeds a function: the presence fan-out's (Graph changes on their way to the sessions). */
export type WorkQueue = 'presenceFanOut.queue';
export type QueueRef = FailureDestination | WorkQueue;
/** Metrics of the presence WebSocket API's stage (AWS/ApiGateway, dimensions ApiId and Stage). */
export type WebSocketMetric = 'ConnectCount' | 'MessageCount' | 'IntegrationError' | 'ClientError' | 'ExecutionError';

export type MetricRef =
  /**
   * a business metric (lambdas/shared/business-metrics-definitions.ts), summed; `splitBy` one line
   * per value of that dimension; `shareAmong` instead 100 × this / (this + those) per period (the
   * share of failures among attempts), no value while this one has none
   */
  | {
      readonly source: 'business';
      readonly metric: BusinessMetricKey;
      readonly splitBy?: string;
      readonly splitValues?: readonly string[];
      readonly shareAmong?: readonly BusinessMetricKey[];
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
  /** visible messages, or the age of the oldest (its Maximum, in s), one line per queue */
  | {
      readonly source: 'queue';
      readonly metric: 'ApproximateNumberOfMessagesVisible' | 'ApproximateAgeOfOldestMessage';
      readonly queues: readonly QueueRef[];
    }
  /** the presence WebSocket API's stage, summed */
  | { readonly source: 'websocket'; readonly metric: WebSocketMetric };

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
  | { readonly kind: 'queue'; readonly queue: QueueRef };

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
/** An alarm on one kind of throttle, both tables summed: any sustained one is capacity or a hot key. */
function dynamoThrottles(
  id: string,
  metric: 'ReadThrottleEvents' | 'WriteThrottleEvents',
  reason: string,
): AlarmDefinition {
  return {
    id,
    title: `DynamoDB ${metric === 'ReadThrottleEvents' ? 'read' : 'write'} throttles (both tables)`,
    metric: { source: 'dynamodb', metric, tables },
    comparison: 'greaterThan',
    periodMinutes: 5,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    missingData: 'notBreaching',
    thresholds: { warning: { value: 10, reason } },
    runbook:
      'Service overview → DynamoDB throttled requests: consumed against provisioned capacity at its ucx.tableCapacity max means raise the max and deploy; below it, CloudWatch Contributor Insights on the table for the hot key.',
  };
}
export const failureDestinations: readonly FailureDestination[] = [
  ...streamConsumerFunctions.map((fn) => `${fn}.onFailure` as const),
  'sweepSilent.deadLetter',
  'presenceFanOut.deadLetter',
];
/** The Presence Service's functions: the session routes, the Graph receivers, the fan-out and the renewal. */
const presenceFunctions: FunctionName[] = [
  'presenceConnect',
  'presenceDisconnect',
  'presenceMessage',
  'presenceFanOut',
  'receivePresenceNotifications',
  'receivePresenceLifecycle',
  'renewPresenceSubscriptions',
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
            help: 'Provisioned tables throttle past their autoscaled capacity (ucx.tableCapacity max), on-demand ones past their previous peak ×2; either on a hot key. The API answers 503 with Retry-After.',
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
      {
        title: 'Presence',
        widgets: [
          {
            title: 'Graph notifications',
            metrics: [
              { source: 'business', metric: 'presenceNotifications' },
              { source: 'business', metric: 'presenceNotificationsDropped' },
            ],
            help: 'Change notifications accepted, and dropped (unknown subscription, wrong clientState, bad signature); drops beyond a few after a disconnection are forged or stale calls.',
          },
          {
            title: 'Presence frames sent',
            metrics: [{ source: 'business', metric: 'presenceUpdatesSent' }],
            help: 'presence frames posted to the sessions: one per watching session per change; zero while notifications arrive means the fan-out is stuck.',
          },
          {
            title: 'Graph reads and throttles',
            metrics: [
              { source: 'business', metric: 'presenceGraphReads' },
              { source: 'business', metric: 'presenceGraphThrottles' },
            ],
            help: 'Reads (UPN lookups, snapshots, resyncs; a change needs none) and Graph answers 429/503 with Retry-After.',
          },
          {
            title: 'Subscription renewals',
            metrics: [
              { source: 'business', metric: 'presenceSubscriptionRenewals' },
              { source: 'business', metric: 'presenceSubscriptionRenewalFailures' },
            ],
            help: 'Renewed (or recreated) and failed, every 10 min; each subscription lasts 59 min and gets two chances, so failures with no renewals for 30 min mean presence stops within the hour.',
          },
          {
            title: 'Notification lag (oldest change waiting, s)',
            metrics: [{ source: 'queue', metric: 'ApproximateAgeOfOldestMessage', queues: ['presenceFanOut.queue'] }],
            help: 'How long the oldest change has waited in the fan-out queue before reaching the sessions; normally under a second.',
          },
          {
            title: 'Fan-out duration p99',
            metrics: [{ source: 'lambda', metric: 'DurationP99', functions: ['presenceFanOut'] }],
            help: 'ms per batch of 10 changes: one query per user and one @connections post per watching session.',
          },
          {
            title: 'Sessions opened and closed',
            metrics: [
              { source: 'business', metric: 'presenceSessionsOpened' },
              { source: 'business', metric: 'presenceSessionsClosed' },
            ],
            help: 'CloudWatch has no gauge of open WebSocket connections: open ≈ opened − closed over the period. API Gateway closes every session after 2 h, so a steady fleet of N sessions shows about N opens per 2 h.',
          },
          {
            title: 'WebSocket connects and messages',
            metrics: [
              { source: 'websocket', metric: 'ConnectCount' },
              { source: 'websocket', metric: 'MessageCount' },
            ],
            help: 'Upgrades tried ($connect, refused ones included) and messages in both directions (frames up, posts down).',
          },
          {
            title: 'WebSocket errors',
            metrics: [
              { source: 'websocket', metric: 'IntegrationError' },
              { source: 'websocket', metric: 'ClientError' },
              { source: 'websocket', metric: 'ExecutionError' },
            ],
            help: 'Integration: a function answered 4xx/5xx (refused upgrades 401/403/410/421 count here); client: refused before any function; execution: API Gateway could not call the function.',
          },
          {
            title: 'Presence function errors',
            metrics: [{ source: 'lambda', metric: 'Errors', functions: presenceFunctions }],
            help: 'Invocations that threw or timed out; the session routes answer their errors instead (see WebSocket errors).',
          },
          {
            title: 'Presence function duration p99',
            metrics: [{ source: 'lambda', metric: 'DurationP99', functions: presenceFunctions }],
            help: 'ms; Graph calls dominate subscribe, resync and renewal.',
          },
          {
            title: 'Presence function throttles',
            metrics: [{ source: 'lambda', metric: 'Throttles', functions: presenceFunctions }],
            help: 'Invocations refused for concurrency; should be zero.',
          },
        ],
        resources: [{ kind: 'queue', queue: 'presenceFanOut.queue' }],
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
            title: 'Licence re-signing failures',
            metrics: [{ source: 'business', metric: 'licenceResignFailures' }],
            help: 'Rebuilt licences KMS did not sign: the stored licence was served while unexpired (alarm licence-resign-failures).',
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
      {
        title: 'Presence',
        widgets: [
          {
            title: 'Presence sessions opened',
            metrics: [{ source: 'business', metric: 'presenceSessionsOpened' }],
            help: 'Suite sessions opened; each lasts at most 2 h, so about N per 2 h for N suites connected.',
          },
          {
            title: 'Presence changes relayed',
            metrics: [
              { source: 'business', metric: 'presenceNotifications' },
              { source: 'business', metric: 'presenceUpdatesSent' },
            ],
            help: 'Changes Graph notified, and frames sent to the suites (one per watching session).',
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
  dynamoThrottles(
    'dynamodb-throttles',
    'WriteThrottleEvents',
    '10 per 5 min: the SDK retries a few; more means a hot partition or a spike past what the table scales to',
  ),
  dynamoThrottles(
    'dynamodb-read-throttles',
    'ReadThrottleEvents',
    '10 per 5 min: agents get 503s (their reads are the installation and its copy of the terms); past a provisioned max or on a hot key',
  ),
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
  {
    id: 'licence-resign-failures',
    title: 'Licence re-signing failures (stored licences served instead)',
    metric: { source: 'business', metric: 'licenceResignFailures' },
    comparison: 'greaterThan',
    periodMinutes: 5,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    missingData: 'notBreaching',
    thresholds: {
      critical: {
        value: 100,
        reason:
          '100 per 5 min: the signing key is failing for many polls; changes reach no agent, and each licence that expires meanwhile turns its polls into errors',
      },
      warning: {
        value: 0,
        reason:
          'any, in 2 of 3 periods: agents keep their stored licence while it is unexpired, so changes (deposits, allocations, Care) do not reach them',
      },
    },
    runbook:
      'The getLicense and activate logs ("re-signing the licence failed", with the KMS error): a disabled or deleted key, a missing kms:Sign grant or KMS throttling; then the KMS key state and its CloudTrail events.',
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
        queue === 'presenceFanOut.deadLetter'
          ? 'Read the message (the changed users of one account) and the presenceFanOut logs for why; a change is stale after an hour, so fix the cause and delete it: the next change or a resync corrects the sessions.'
          : 'Read the message (shard and sequence range, or the run), fix the cause from the function logs, replay the range, then delete the message.',
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
    id: 'presence-renewals-failing',
    title: 'Presence: subscription renewals failing',
    metric: { source: 'business', metric: 'presenceSubscriptionRenewalFailures' },
    comparison: 'greaterThan',
    periodMinutes: 10,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    missingData: 'notBreaching',
    thresholds: {
      warning: {
        value: 0,
        reason:
          'failures in 2 of 3 renewal runs: some subscriptions missed their first chance and expire within the hour unless the next run renews them',
      },
    },
    runbook:
      "The renewPresenceSubscriptions logs (account and subscription ids, error name): a Graph 429 with Retry-After clears itself; invalid_grant means the tenant's grant was revoked (the portal shows needsReconnect, the customer reconnects).",
  },
  {
    id: 'presence-renewals-all-failing',
    title: 'Presence: no subscription renews',
    metric: {
      source: 'business',
      metric: 'presenceSubscriptionRenewalFailures',
      shareAmong: ['presenceSubscriptionRenewals'],
    },
    comparison: 'greaterThan',
    periodMinutes: 10,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    missingData: 'notBreaching',
    thresholds: {
      critical: {
        value: 99,
        reason:
          'every renewal failed for 30 min (3 runs, both chances of each subscription): subscriptions expire within the hour and presence stops for every tenant',
      },
    },
    runbook:
      'The renewPresenceSubscriptions logs: one error for all tenants is ours or Graph (the app secret or certificate expired, Graph down, throttled: Retry-After); Service overview → Graph reads and throttles.',
  },
  {
    id: 'presence-notification-lag',
    title: 'Presence: notification lag (fan-out queue oldest message, s)',
    metric: { source: 'queue', metric: 'ApproximateAgeOfOldestMessage', queues: ['presenceFanOut.queue'] },
    comparison: 'greaterThan',
    periodMinutes: 5,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    missingData: 'notBreaching',
    thresholds: {
      critical: {
        value: 60,
        reason:
          'a minute for 10 min: the consoles show presence that is no longer true; the fan-out is failing and retrying, or throttled',
      },
      warning: {
        value: 5,
        reason:
          '5 s for 10 min: a change normally reaches the sessions in under a second; the fan-out is falling behind',
      },
    },
    runbook:
      'Service overview → Presence: fan-out duration and errors, then the presenceFanOut logs (DynamoDB throttles, @connections errors); its DLQ fills after 5 tries.',
  },
  {
    id: 'presence-graph-throttles',
    title: 'Presence: Graph throttling',
    metric: { source: 'business', metric: 'presenceGraphThrottles' },
    comparison: 'greaterThan',
    periodMinutes: 5,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    missingData: 'notBreaching',
    thresholds: {
      warning: {
        value: 50,
        reason:
          '50 per 5 min in 2 of 3 periods: past the odd Retry-After; subscribes answer 503 frames and renewals slip to the next run',
      },
    },
    runbook:
      "The logs of presenceMessage and renewPresenceSubscriptions for the throttled account and Graph's Retry-After; many subscribes at once (a fleet reconnecting after a deployment) settle by themselves.",
  },
  {
    id: 'presence-websocket-execution-errors',
    title: 'Presence: WebSocket execution errors',
    metric: { source: 'websocket', metric: 'ExecutionError' },
    comparison: 'greaterThan',
    periodMinutes: 5,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    missingData: 'notBreaching',
    thresholds: {
      critical: {
        value: 50,
        reason: '50 per 5 min: sessions cannot open or their frames go unanswered at scale',
      },
      warning: {
        value: 0,
        reason:
          'any, in 2 of 3 periods: API Gateway could not call a presence function (throttled, timed out, not permitted)',
      },
    },
    runbook:
      'Service overview → Presence function throttles and duration p99 (a timeout of presenceConnect or presenceMessage), then the PresenceAccessLogs group.',
  },
  {
    id: 'presence-websocket-integration-errors',
    title: 'Presence: WebSocket integration errors',
    metric: { source: 'websocket', metric: 'IntegrationError' },
    comparison: 'greaterThan',
    periodMinutes: 5,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    missingData: 'notBreaching',
    thresholds: {
      warning: {
        value: 100,
        reason:
          '100 per 5 min for 15 min: refused upgrades count here too, but agents back off; this many is a wave of refusals or 500s from a session function',
      },
    },
    runbook:
      'The PresenceAccessLogs group (status per route) and the presenceConnect and presenceMessage logs: 401 a key or clock problem, 403 Presence off or no tenant, 500 ours.',
  },
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
  return { name: metricName(key), dimensions: businessMetrics[key].dimensions };
}

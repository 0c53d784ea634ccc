/**
 * A region's dashboards and alarms, built by cdk-monitoring-constructs' MonitoringFacade from the
 * one definition (lib/observability/definition.ts). One facade per dashboard
 * (`ucx-<stage>-<region>-service`, `-support`): a header, then per section the section's widgets
 * as a custom monitoring (one line per route, function, table, queue or status, from the library's
 * metric factories) and the library's own segment for each resource the section lists. An alarm
 * on one resource is the library's alarm of that resource's segment; an alarm on a sum over
 * resources, or on a business metric, is a custom alarm on the widget that shows its metric. Names,
 * descriptions, thresholds and evaluation come from the definition; every alarm notifies the
 * encrypted on-call topic through the facade's default action.
 */
import { Duration } from 'aws-cdk-lib';
import type { IHttpApi, IWebSocketApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
  type AlarmBase,
  type Dashboard,
} from 'aws-cdk-lib/aws-cloudwatch';
import { BillingMode, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import {
  ApiGatewayV2HttpApiMetricFactory,
  DefaultDashboardFactory,
  KinesisDataStreamMetricFactory,
  LambdaFunctionMetricFactory,
  MetricStatistic,
  MonitoringFacade,
  SnsAlarmActionStrategy,
  SqsQueueMetricFactory,
  type AlarmFactoryDefaults,
  type AlarmWithAnnotation,
  type CustomAlarmThreshold,
  type CustomMetric,
  type IMetricAdjuster,
  type MetricFactory,
  type MetricWithAlarmSupport,
} from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import type { RegionKey, TableCapacity } from '../config';
import {
  alarms as alarmDefinitions,
  businessMetricShape,
  dashboards as dashboardDefinitions,
  METRICS_NAMESPACE,
  SERVICE_NAME,
  severities,
  type AlarmDefinition,
  type DashboardDefinition,
  type FailureDestination,
  type MetricRef,
  type MonitoredResource,
  type QueueRef,
  type SectionDefinition,
  type Severity,
  type TableRef,
  type WidgetDefinition,
  type WorkQueue,
} from '../observability/definition';
import { streamConsumers, type FunctionName, type RouteSpec } from '../routes';
import type { HouseFunction } from './house-function';

/** The `$default` stage carries the API's metrics. */
const apiStageName = '$default';
const defaultPeriod = Duration.minutes(5);

export interface ObservabilityProps {
  /** deployment stage, part of dashboard and alarm names */
  readonly stage: string;
  /** region these dashboards and alarms watch */
  readonly regionKey: RegionKey;
  /** the regional HTTP API (its stage has detailed, per-route metrics on) */
  readonly api: IHttpApi;
  /** the route table, one dashboard line per route */
  readonly routes: readonly RouteSpec[];
  /** every house function of the region */
  readonly functions: Readonly<Record<FunctionName, HouseFunction>>;
  readonly tables: Readonly<Record<TableRef, ITable>>;
  /** each table's capacity (`ucx.tableCapacity`): a provisioned one is charted against its capacity */
  readonly tableCapacity: Readonly<Record<TableRef, TableCapacity>>;
  readonly telemetryStream: IStream;
  /** every failure destination the definition names */
  readonly failureQueues: Readonly<Partial<Record<FailureDestination, IQueue>>>;
  /** the queues that feed a function: the presence fan-out's */
  readonly workQueues: Readonly<Record<WorkQueue, IQueue>>;
  /** the suite's Presence sessions (AWS/ApiGateway metrics by ApiId and Stage) */
  readonly presenceApi: IWebSocketApi;
  /** the presence API's stage */
  readonly presenceStageName: string;
}

/** One alarm of the definition at one severity, in the library's threshold terms. */
interface SeverityAlarm {
  readonly definition: AlarmDefinition;
  readonly severity: Severity;
  /** named `ucx-<stage>-<region>-<id>-<severity>` */
  readonly threshold: CustomAlarmThreshold;
}

export class Observability extends Construct {
  /** where every alarm goes: on-call subscribes here (email, chat, paging) */
  public readonly onCallTopic: Topic;
  /** keyed `service`, `support` */
  public readonly dashboards: Readonly<Record<DashboardDefinition['id'], Dashboard>>;
  /** keyed `<alarm id>-<severity>` */
  public readonly alarms: Readonly<Record<string, AlarmBase>>;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ObservabilityProps,
  ) {
    super(scope, id);
    for (const queue of alarmDefinitions.flatMap((a) => (a.metric.source === 'queue' ? a.metric.queues : []))) {
      if (!this.queue(queue))
        throw new Error(`Observability ${id}: the definition names queue ${queue}, which has none`);
    }

    // A key of our own: CloudWatch cannot publish to a topic under the AWS-managed SNS key.
    const key = new Key(this, 'OnCallTopicKey', {
      description: `UCX ${props.stage} ${props.regionKey}: encrypts the on-call alarms topic`,
      enableKeyRotation: true,
    });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.onCallTopic = new Topic(this, 'OnCallTopic', {
      displayName: `UCX ${props.stage} ${props.regionKey} on-call alarms`,
      masterKey: key,
      enforceSSL: true,
    });

    const prefix = `ucx-${props.stage}-${props.regionKey}`;
    const alarmFactoryDefaults: AlarmFactoryDefaults = {
      alarmNamePrefix: prefix,
      actionsEnabled: true,
      action: new SnsAlarmActionStrategy({ onAlarmTopic: this.onCallTopic }),
    };
    const placement = placeAlarms(prefix);

    const dashboards = {} as Record<DashboardDefinition['id'], Dashboard>;
    const created: AlarmWithAnnotation[] = [];
    for (const definition of dashboardDefinitions) {
      const name = pascal(definition.id);
      const dashboardFactory = new DefaultDashboardFactory(this, `${name}Dashboards`, {
        // Dashboards are global to the account: region and stage keep them apart.
        dashboardNamePrefix: `${prefix}-${definition.id}`,
        detailDashboardRange: Duration.hours(6),
      });
      const facade = new MonitoringFacade(this, name, {
        alarmFactoryDefaults,
        metricFactoryDefaults: { namespace: METRICS_NAMESPACE, period: defaultPeriod },
        dashboardFactory,
      });
      facade.addLargeHeader(`${definition.title} (${props.regionKey})`).addSmallHeader(definition.audience);
      for (const section of definition.sections) this.buildSection(facade, section, placement);
      dashboards[definition.id] = dashboardFactory.createdDashboard()!;
      created.push(...facade.createdAlarms());
    }
    this.dashboards = dashboards;

    const byName = new Map(created.map((a) => [a.alarmName, a.alarm]));
    const alarms: Record<string, AlarmBase> = {};
    for (const alarm of placement.all) {
      const name = alarm.threshold.alarmNameOverride!;
      const built = byName.get(name);
      if (!built) throw new Error(`Observability ${id}: alarm ${name} was not built`);
      alarms[`${alarm.definition.id}-${alarm.severity}`] = built;
    }
    this.alarms = alarms;
  }

  /** A section: its widgets as one custom monitoring, then the library's segment of each resource it lists. */
  private buildSection(facade: MonitoringFacade, section: SectionDefinition, placement: AlarmPlacement): void {
    const f = facade.createMetricFactory();
    facade.monitorCustom({
      humanReadableName: section.title,
      alarmFriendlyName: pascal(section.title),
      description: section.widgets.map((w) => `**${w.title}**: ${w.help}`).join(' · '),
      descriptionWidgetHeight: 2,
      metricGroups: section.widgets.map((widget) => ({
        title: widget.title,
        metrics: [
          ...widget.metrics.flatMap((ref): CustomMetric[] => this.metricLines(f, ref)),
          ...(placement.byWidget.get(widget) ?? []).map((group) => ({
            metric: this.summed(f, group[0]!.definition),
            alarmFriendlyName: group[0]!.definition.id,
            addAlarm: Object.fromEntries(
              group.map((a) => [
                a.severity,
                {
                  ...a.threshold,
                  threshold: a.definition.thresholds[a.severity]!.value,
                  comparisonOperator: comparisonOperator(a.definition),
                },
              ]),
            ),
          })),
        ],
      })),
    });
    for (const resource of section.resources ?? []) {
      this.monitorResource(facade, resource, placement.byResource.get(resourceKey(resource)) ?? []);
    }
  }

  /** The library's segment of one resource, with the definition's alarms on it. */
  private monitorResource(facade: MonitoringFacade, resource: MonitoredResource, alarms: readonly SeverityAlarm[]) {
    const options = libraryAlarmOptions(alarms);
    switch (resource.kind) {
      case 'api':
        facade.monitorApiGatewayV2HttpApi({
          api: this.props.api,
          apiStage: apiStageName,
          humanReadableName: 'HTTP API (all routes)',
          alarmFriendlyName: 'Api',
          ...options,
        });
        return;
      case 'lambda':
        facade.monitorLambdaFunction({
          lambdaFunction: this.props.functions[resource.fn].function,
          humanReadableName: resource.fn,
          alarmFriendlyName: resource.fn,
          isIterator: streamConsumers.some((c) => c.fn === resource.fn),
          ...options,
        });
        return;
      case 'dynamodb':
        facade.monitorDynamoTable({
          table: this.props.tables[resource.table],
          billingMode:
            this.props.tableCapacity[resource.table].mode === 'provisioned'
              ? BillingMode.PROVISIONED
              : BillingMode.PAY_PER_REQUEST,
          humanReadableName: `${resource.table} table`,
          alarmFriendlyName: pascal(resource.table),
          ...options,
        });
        return;
      case 'kinesis':
        facade.monitorKinesisDataStream({
          streamName: this.props.telemetryStream.streamName,
          humanReadableName: `${resource.stream} stream`,
          alarmFriendlyName: pascal(resource.stream),
          ...options,
        });
        return;
      case 'queue':
        facade.monitorSqsQueue({
          queue: this.queue(resource.queue)!,
          humanReadableName: resource.queue,
          alarmFriendlyName: pascal(resource.queue),
          ...options,
        });
        return;
    }
  }

  /** A failure destination's or a work queue's queue. */
  private queue(ref: QueueRef): IQueue | undefined {
    return ref === 'presenceFanOut.queue' ? this.props.workQueues[ref] : this.props.failureQueues[ref];
  }

  /** The metric of an alarm on several lines: their sum, a missing line counting as 0. */
  private summed(f: MetricFactory, definition: AlarmDefinition): MetricWithAlarmSupport {
    const period = Duration.minutes(definition.periodMinutes);
    const lines = this.metricLines(f, definition.metric, period);
    if (lines.length === 1) return lines[0]!;
    // ids unique across alarms: a dashboard may graph several alarms' expressions together
    const id = (i: number) => `${definition.id.replace(/[^a-zA-Z0-9]/g, '_')}_${i}`;
    return new MathExpression({
      expression: lines.map((_, i) => `FILL(${id(i)}, 0)`).join(' + '),
      usingMetrics: Object.fromEntries(lines.map((line, i) => [id(i), line])),
      label: definition.title,
      period,
    });
  }

  /** The CloudWatch lines of one metric reference: per route, function, table or queue. */
  private metricLines(f: MetricFactory, ref: MetricRef, period = defaultPeriod): MetricWithAlarmSupport[] {
    switch (ref.source) {
      case 'api': {
        const scopes = ref.perRoute
          ? this.props.routes.map((r) => ({
              label: `${r.method} ${r.path}`,
              factory: new ApiGatewayV2HttpApiMetricFactory(f, {
                api: this.props.api,
                apiStage: apiStageName,
                apiMethod: r.method,
                apiResource: r.path,
              }),
            }))
          : [
              {
                label: 'all routes',
                factory: new ApiGatewayV2HttpApiMetricFactory(f, { api: this.props.api, apiStage: apiStageName }),
              },
            ];
        return scopes.map(({ label, factory }) => {
          switch (ref.metric) {
            case 'Count':
              return factory.metricInvocationCount().with({ label, period });
            case '4xx':
              return factory.metric4xxCount().with({ label, period });
            case '5xx':
              return factory.metric5xxCount().with({ label, period });
            case 'LatencyP50':
              return factory.metricLatencyP50InMillis().with({ label, period });
            case 'LatencyP99':
              return factory.metricLatencyP99InMillis().with({ label, period });
            case '5xxRate':
              return new MathExpression({
                expression: 'IF(requests > 0, 100 * errors / requests, 0)',
                usingMetrics: {
                  errors: factory.metric5xxCount().with({ period }),
                  requests: factory.metricInvocationCount().with({ period }),
                },
                label: `${label} 5xx %`,
                period,
              });
            default:
              throw new Error(`no such API metric: ${JSON.stringify(ref satisfies never)}`);
          }
        });
      }
      case 'lambda':
        return ref.functions.map((name) => {
          const factory = new LambdaFunctionMetricFactory(f, { lambdaFunction: this.props.functions[name].function });
          const metric = {
            Invocations: () => factory.metricInvocationCount(),
            Errors: () => factory.metricFaultCount(),
            Throttles: () => factory.metricThrottlesCount(),
            DurationP99: () => factory.metricLatencyP99InMillis(),
            ConcurrentExecutions: () => factory.metricConcurrentExecutions(),
            IteratorAgeMax: () => factory.metricMaxIteratorAgeInMillis(),
          }[ref.metric]();
          return metric.with({ label: name, period });
        });
      case 'dynamodb':
        // Plain metrics: the library's throttle metrics are math expressions, which cannot be summed
        // again into one alarm (their ids collide).
        return ref.tables.map((table) =>
          f.createMetric(
            ref.metric,
            MetricStatistic.SUM,
            `${table} ${ref.metric === 'ReadThrottleEvents' ? 'reads' : 'writes'}`,
            { TableName: this.props.tables[table].tableName },
            undefined,
            'AWS/DynamoDB',
            period,
          ),
        );
      case 'kinesis': {
        const factory = new KinesisDataStreamMetricFactory(f, { streamName: this.props.telemetryStream.streamName });
        const metric =
          ref.metric === 'IncomingRecords'
            ? factory.metricIncomingDataSumCount()
            : factory.metricWriteProvisionedThroughputExceeded().with({ statistic: MetricStatistic.SUM });
        return [metric.with({ label: ref.metric, period })];
      }
      case 'queue':
        return ref.queues.map((queue) => {
          const factory = new SqsQueueMetricFactory(f, { queue: this.queue(queue)! });
          const metric =
            ref.metric === 'ApproximateAgeOfOldestMessage'
              ? factory.metricApproximateAgeOfOldestMessageInSeconds()
              : factory.metricApproximateVisibleMessageCount();
          return metric.with({ label: queue, period });
        });
      case 'websocket':
        // The library has no WebSocket API monitoring: the stage's metrics, as API Gateway publishes them.
        return [
          f.createMetric(
            ref.metric,
            MetricStatistic.SUM,
            `presence ${ref.metric}`,
            { ApiId: this.props.presenceApi.apiId, Stage: this.props.presenceStageName },
            undefined,
            'AWS/ApiGateway',
            period,
          ),
        ];
      case 'business': {
        const { name, dimensions } = businessMetricShape(ref.metric);
        const sum = (metricName: string) =>
          new Metric({
            namespace: METRICS_NAMESPACE,
            metricName,
            dimensionsMap: { service: SERVICE_NAME },
            statistic: 'Sum',
            period,
            label: metricName,
          });
        if (ref.shareAmong) {
          // No value while the metric has none (FILL only the others): silence is not a 0 % or a 100 %.
          const others = ref.shareAmong.map((key) => businessMetricShape(key).name);
          return [
            new MathExpression({
              expression: `100 * part / (part${others.map((_, i) => ` + FILL(other${i}, 0)`).join('')})`,
              usingMetrics: {
                part: sum(name),
                ...Object.fromEntries(others.map((other, i) => [`other${i}`, sum(other)])),
              },
              label: `${name} % of ${[name, ...others].join(' + ')}`,
              period,
            }),
          ];
        }
        if (!ref.splitBy) {
          return [sum(name)];
        }
        if (!(dimensions as readonly string[]).includes(ref.splitBy))
          throw new Error(`Observability: ${name} has no dimension ${ref.splitBy}`);
        // A search over the metric's full dimension set: one line per value of `splitBy`, whatever
        // values the handlers emit; with `splitValues`, one summed line per listed value.
        const schema = `{${[METRICS_NAMESPACE, 'service', ...dimensions].join(',')}}`;
        const search = (filter: string) =>
          `SEARCH('${schema} MetricName="${name}" service="${SERVICE_NAME}"${filter}', 'Sum', ${period.toSeconds()})`;
        if (ref.splitValues) {
          return ref.splitValues.map(
            (value) =>
              new MathExpression({
                expression: `SUM(${search(` ${ref.splitBy}="${value}"`)})`,
                usingMetrics: {},
                label: `${name} ${value}`,
                period,
              }),
          );
        }
        return [new MathExpression({ expression: search(''), usingMetrics: {}, label: '', period })];
      }
    }
  }
}

interface AlarmPlacement {
  /** every alarm of the definition at every severity it has */
  readonly all: readonly SeverityAlarm[];
  /** alarms on one resource, by resourceKey */
  readonly byResource: ReadonlyMap<string, SeverityAlarm[]>;
  /** alarms on a sum or a business metric, grouped per definition, on the widget that shows their metric */
  readonly byWidget: ReadonlyMap<WidgetDefinition, SeverityAlarm[][]>;
}

/**
 * Where each alarm is built: on the library segment of the one resource its metric names (when the
 * library has that alarm and a section lists the resource), else as a custom alarm on the first
 * widget showing the same metric. An alarm with neither throws: it would watch something no
 * dashboard shows.
 */
function placeAlarms(prefix: string): AlarmPlacement {
  const listed = new Set(
    dashboardDefinitions.flatMap((d) => d.sections.flatMap((s) => (s.resources ?? []).map(resourceKey))),
  );
  const widgets = dashboardDefinitions.flatMap((d) => d.sections.flatMap((s) => s.widgets));
  const all: SeverityAlarm[] = [];
  const byResource = new Map<string, SeverityAlarm[]>();
  const byWidget = new Map<WidgetDefinition, SeverityAlarm[][]>();
  for (const definition of alarmDefinitions) {
    const perSeverity = severities.flatMap((severity): SeverityAlarm[] =>
      definition.thresholds[severity]
        ? [{ definition, severity, threshold: alarmThreshold(prefix, definition, severity) }]
        : [],
    );
    all.push(...perSeverity);
    const resource = singleResource(definition.metric);
    if (
      resource &&
      libraryAlarm[definition.metric.source]?.[definition.metric.metric] &&
      listed.has(resourceKey(resource))
    ) {
      byResource.set(resourceKey(resource), [...(byResource.get(resourceKey(resource)) ?? []), ...perSeverity]);
      continue;
    }
    const widget = widgets.find((w) =>
      w.metrics.some((m) => m.source === definition.metric.source && m.metric === definition.metric.metric),
    );
    if (!widget)
      throw new Error(
        `Observability: alarm ${definition.id} watches ${definition.metric.source} ${definition.metric.metric}, which no dashboard widget shows and no section lists as a resource`,
      );
    byWidget.set(widget, [...(byWidget.get(widget) ?? []), perSeverity]);
  }
  return { all, byResource, byWidget };
}

/** The definition's name, description, evaluation and missing-data rule, as the library takes them. */
function alarmThreshold(prefix: string, definition: AlarmDefinition, severity: Severity): CustomAlarmThreshold {
  return {
    alarmNameOverride: `${prefix}-${definition.id}-${severity}`,
    alarmDescriptionOverride: alarmDescription(
      definition,
      severity,
      definition.comparison === 'greaterThan' ? '>' : '<',
    ),
    comparisonOperatorOverride: comparisonOperator(definition),
    treatMissingDataOverride:
      definition.missingData === 'breaching' ? TreatMissingData.BREACHING : TreatMissingData.NOT_BREACHING,
    period: Duration.minutes(definition.periodMinutes),
    evaluationPeriods: definition.evaluationPeriods,
    datapointsToAlarm: definition.datapointsToAlarm,
  };
}

const comparisonOperator = (definition: AlarmDefinition): ComparisonOperator =>
  definition.comparison === 'greaterThan'
    ? ComparisonOperator.GREATER_THAN_THRESHOLD
    : ComparisonOperator.LESS_THAN_THRESHOLD;

/** The one resource a metric reference names, or none (several, per route, or a business metric). */
function singleResource(ref: MetricRef): MonitoredResource | undefined {
  switch (ref.source) {
    case 'api':
      return ref.perRoute ? undefined : { kind: 'api' };
    case 'lambda':
      return ref.functions.length === 1 ? { kind: 'lambda', fn: ref.functions[0]! } : undefined;
    case 'dynamodb':
      return ref.tables.length === 1 ? { kind: 'dynamodb', table: ref.tables[0]! } : undefined;
    case 'kinesis':
      return { kind: 'kinesis', stream: ref.stream };
    case 'queue':
      return ref.queues.length === 1 ? { kind: 'queue', queue: ref.queues[0]! } : undefined;
    case 'business':
    case 'websocket':
      return undefined;
  }
}

const resourceKey = (r: MonitoredResource): string =>
  r.kind === 'api'
    ? 'api'
    : `${r.kind}:${r.kind === 'lambda' ? r.fn : r.kind === 'dynamodb' ? r.table : r.kind === 'kinesis' ? r.stream : r.queue}`;

/**
 * The library's alarm for a metric of one resource: the monitoring option that adds it and the
 * definition's threshold in the library's terms.
 */
const libraryAlarm: Partial<
  Record<
    MetricRef['source'],
    Record<string, { readonly option: string; readonly threshold: (value: number) => object }>
  >
> = {
  api: {
    // The library's 5xx rate is the Average statistic of 5xx: a fraction of requests, not a percentage.
    '5xxRate': { option: 'add5xxRateAlarm', threshold: (value) => ({ maxErrorRate: value / 100 }) },
    '5xx': { option: 'add5xxCountAlarm', threshold: (value) => ({ maxErrorCount: value }) },
    '4xx': { option: 'add4xxCountAlarm', threshold: (value) => ({ maxErrorCount: value }) },
    LatencyP50: { option: 'addLatencyP50Alarm', threshold: (value) => ({ maxLatency: Duration.millis(value) }) },
    LatencyP99: { option: 'addLatencyP99Alarm', threshold: (value) => ({ maxLatency: Duration.millis(value) }) },
  },
  lambda: {
    Errors: { option: 'addFaultCountAlarm', threshold: (value) => ({ maxErrorCount: value }) },
    Throttles: { option: 'addThrottlesCountAlarm', threshold: (value) => ({ maxErrorCount: value }) },
    DurationP99: { option: 'addLatencyP99Alarm', threshold: (value) => ({ maxLatency: Duration.millis(value) }) },
    IteratorAgeMax: { option: 'addMaxIteratorAgeAlarm', threshold: (value) => ({ maxAgeInMillis: value }) },
  },
  dynamodb: {
    ReadThrottleEvents: {
      option: 'addReadThrottledEventsCountAlarm',
      threshold: (value) => ({ maxThrottledEventsThreshold: value }),
    },
    WriteThrottleEvents: {
      option: 'addWriteThrottledEventsCountAlarm',
      threshold: (value) => ({ maxThrottledEventsThreshold: value }),
    },
  },
  kinesis: {
    WriteProvisionedThroughputExceeded: {
      option: 'addWriteProvisionedThroughputExceededAlarm',
      threshold: (value) => ({ maxRecordsThrottledThreshold: value, metricAdjuster: throttledRecordsSummed }),
    },
  },
  queue: {
    ApproximateNumberOfMessagesVisible: {
      option: 'addQueueMaxSizeAlarm',
      threshold: (value) => ({ maxMessageCount: value }),
    },
    ApproximateAgeOfOldestMessage: {
      option: 'addQueueMaxMessageAgeAlarm',
      threshold: (value) => ({ maxAgeInSeconds: value }),
    },
  },
};

/**
 * The library charts and alarms on the Average of WriteProvisionedThroughputExceeded (a share per
 * call); the definition's thresholds count throttled records per period, which is its Sum.
 */
const throttledRecordsSummed: IMetricAdjuster = {
  adjustMetric: (metric) => (metric instanceof Metric ? metric.with({ statistic: MetricStatistic.SUM }) : metric),
};

/** `{ add5xxRateAlarm: { critical: {...}, warning: {...} }, ... }` for a resource's monitoring props. */
function libraryAlarmOptions(alarms: readonly SeverityAlarm[]): Record<string, Record<string, object>> {
  const options: Record<string, Record<string, object>> = {};
  for (const alarm of alarms) {
    const { option, threshold } = libraryAlarm[alarm.definition.metric.source]![alarm.definition.metric.metric]!;
    options[option] = {
      ...options[option],
      [alarm.severity]: { ...alarm.threshold, ...threshold(alarm.definition.thresholds[alarm.severity]!.value) },
    };
  }
  return options;
}

/** `[critical] API 5xx rate: > 5 (5 % for 15 min: …). On-call: …` — the reason travels with the alarm. */
export function alarmDescription(definition: AlarmDefinition, severity: Severity, comparison: string): string {
  const threshold = definition.thresholds[severity]!;
  return `[${severity}] ${definition.title}: ${comparison} ${threshold.value} over ${definition.datapointsToAlarm} of ${definition.evaluationPeriods} × ${definition.periodMinutes} min. Reason: ${threshold.reason}. On-call: ${definition.runbook}`;
}

const pascal = (s: string): string =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

/**
 * A region's dashboards and alarms, built from the one definition (lib/observability/definition.ts):
 * the CloudWatch dashboards `ucx-<stage>-<region>-service` and `-support`, one alarm per alarm
 * definition and severity, and the encrypted on-call SNS topic every alarm notifies. AWS metrics
 * come from cdk-monitoring-constructs' metric factories (their names, statistics and dimensions
 * are maintained there); business metrics are read from the `UcxCloud` namespace the handlers
 * emit into (EMF).
 */
import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import {
  ApiGatewayV2HttpApiMetricFactory,
  KinesisDataStreamMetricFactory,
  LambdaFunctionMetricFactory,
  MetricFactory,
  SqsQueueMetricFactory,
} from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import { businessMetrics } from '../../lambdas/shared/business-metrics-definitions';
import type { RegionKey } from '../config';
import {
  alarms as alarmDefinitions,
  dashboards as dashboardDefinitions,
  METRICS_NAMESPACE,
  SERVICE_NAME,
  severities,
  type AlarmDefinition,
  type DashboardDefinition,
  type FailureDestination,
  type MetricRef,
  type Severity,
  type TableRef,
} from '../observability/definition';
import type { FunctionName, RouteSpec } from '../routes';
import type { HouseFunction } from './house-function';

/** The `$default` stage carries the API's metrics. */
const apiStageName = '$default';

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
  readonly telemetryStream: IStream;
  /** every failure destination the definition names */
  readonly failureQueues: Readonly<Partial<Record<FailureDestination, IQueue>>>;
}

export class Observability extends Construct {
  /** where every alarm goes: on-call subscribes here (email, chat, paging) */
  public readonly onCallTopic: Topic;
  /** keyed `service`, `support` */
  public readonly dashboards: Readonly<Record<DashboardDefinition['id'], Dashboard>>;
  /** keyed `<alarm id>-<severity>` */
  public readonly alarms: Readonly<Record<string, Alarm>>;
  private readonly metricFactory: MetricFactory;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ObservabilityProps,
  ) {
    super(scope, id);
    for (const queue of alarmDefinitions.flatMap((a) => (a.metric.source === 'queue' ? a.metric.queues : []))) {
      if (!props.failureQueues[queue])
        throw new Error(`Observability ${id}: the definition names failure destination ${queue}, which has no queue`);
    }
    this.metricFactory = new MetricFactory(this, { globalDefaults: { period: Duration.minutes(5) } });

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

    const alarms: Record<string, Alarm> = {};
    const action = new SnsAction(this.onCallTopic);
    for (const definition of alarmDefinitions) {
      for (const severity of severities) {
        const alarm = this.buildAlarm(definition, severity);
        if (!alarm) continue;
        alarm.addAlarmAction(action);
        alarms[`${definition.id}-${severity}`] = alarm;
      }
    }
    this.alarms = alarms;

    const dashboards = {} as Record<DashboardDefinition['id'], Dashboard>;
    for (const definition of dashboardDefinitions) {
      const dashboard = new Dashboard(this, `${definition.id[0]!.toUpperCase()}${definition.id.slice(1)}Dashboard`, {
        // Dashboards are global to the account: region and stage keep them apart.
        dashboardName: `ucx-${props.stage}-${props.regionKey}-${definition.id}`,
        defaultInterval: Duration.hours(6),
      });
      dashboard.addWidgets(
        new TextWidget({
          markdown: `# ${definition.title} (${props.regionKey})\n${definition.audience}`,
          width: 24,
          height: 2,
        }),
      );
      for (const section of definition.sections) {
        const help = section.widgets.map((w) => `**${w.title}**: ${w.help}`).join(' · ');
        dashboard.addWidgets(new TextWidget({ markdown: `## ${section.title}\n${help}`, width: 24, height: 2 }));
        const width = section.widgets.length === 1 ? 24 : section.widgets.length === 2 ? 12 : 8;
        const widgets: IWidget[] = section.widgets.map(
          (w) =>
            new GraphWidget({ title: w.title, left: w.metrics.flatMap((m) => this.metricLines(m)), width, height: 6 }),
        );
        dashboard.addWidgets(...widgets);
      }
      dashboards[definition.id] = dashboard;
    }
    this.dashboards = dashboards;
  }

  /** The alarm of one severity of a definition, or none when it has no threshold for it. */
  private buildAlarm(definition: AlarmDefinition, severity: Severity): Alarm | undefined {
    const threshold = definition.thresholds[severity];
    if (!threshold) return undefined;
    const period = Duration.minutes(definition.periodMinutes);
    const lines = this.metricLines(definition.metric, period);
    const metric: IMetric =
      lines.length === 1
        ? lines[0]!
        : new MathExpression({
            expression: lines.map((_, i) => `FILL(m${i}, 0)`).join(' + '),
            usingMetrics: Object.fromEntries(lines.map((line, i) => [`m${i}`, line])),
            label: definition.title,
            period,
          });
    const comparison = definition.comparison === 'greaterThan' ? '>' : '<';
    return new Alarm(this, `${pascal(definition.id)}${pascal(severity)}Alarm`, {
      alarmName: `ucx-${this.props.stage}-${this.props.regionKey}-${definition.id}-${severity}`,
      alarmDescription: alarmDescription(definition, severity, comparison),
      metric,
      threshold: threshold.value,
      comparisonOperator:
        definition.comparison === 'greaterThan'
          ? ComparisonOperator.GREATER_THAN_THRESHOLD
          : ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: definition.evaluationPeriods,
      datapointsToAlarm: definition.datapointsToAlarm,
      treatMissingData:
        definition.missingData === 'breaching' ? TreatMissingData.BREACHING : TreatMissingData.NOT_BREACHING,
    });
  }

  /** The CloudWatch lines of one metric reference: per route, function, table or queue. */
  private metricLines(ref: MetricRef, period?: Duration): IMetric[] {
    const withPeriod = (m: IMetric): IMetric =>
      period && m instanceof Metric
        ? m.with({ period })
        : period && m instanceof MathExpression
          ? m.with({ period })
          : m;
    const f = this.metricFactory;
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
              return withPeriod(factory.metricInvocationCount().with({ label }));
            case '4xx':
              return withPeriod(factory.metric4xxCount().with({ label }));
            case '5xx':
              return withPeriod(factory.metric5xxCount().with({ label }));
            case 'LatencyP50':
              return withPeriod(factory.metricLatencyP50InMillis().with({ label }));
            case 'LatencyP99':
              return withPeriod(factory.metricLatencyP99InMillis().with({ label }));
            case '5xxRate':
              return new MathExpression({
                expression: 'IF(requests > 0, 100 * errors / requests, 0)',
                usingMetrics: {
                  errors: withPeriod(factory.metric5xxCount()),
                  requests: withPeriod(factory.metricInvocationCount()),
                },
                label: `${label} 5xx %`,
                period: period ?? Duration.minutes(5),
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
          return withPeriod(metric.with({ label: name }));
        });
      case 'dynamodb':
        // Plain metrics: the library's throttle metrics are math expressions, which cannot be summed
        // again into one alarm (their ids collide).
        return ref.tables.map(
          (table) =>
            new Metric({
              namespace: 'AWS/DynamoDB',
              metricName: ref.metric,
              dimensionsMap: { TableName: this.props.tables[table].tableName },
              statistic: 'Sum',
              period: period ?? Duration.minutes(5),
              label: `${table} ${ref.metric === 'ReadThrottleEvents' ? 'reads' : 'writes'}`,
            }),
        );
      case 'kinesis': {
        const factory = new KinesisDataStreamMetricFactory(f, { streamName: this.props.telemetryStream.streamName });
        const metric =
          ref.metric === 'IncomingRecords'
            ? factory.metricIncomingDataSumCount()
            : factory.metricWriteProvisionedThroughputExceeded();
        return [withPeriod(metric.with({ label: ref.metric }))];
      }
      case 'queue':
        return ref.queues.map((queue) => {
          const factory = new SqsQueueMetricFactory(f, { queue: this.props.failureQueues[queue]! });
          return withPeriod(factory.metricApproximateVisibleMessageCount().with({ label: queue }));
        });
      case 'business': {
        const { name, dimensions } = businessMetrics[ref.metric];
        const seconds = (period ?? Duration.minutes(5)).toSeconds();
        if (!ref.splitBy) {
          return [
            new Metric({
              namespace: METRICS_NAMESPACE,
              metricName: name,
              dimensionsMap: { service: SERVICE_NAME },
              statistic: 'Sum',
              period: period ?? Duration.minutes(5),
              label: name,
            }),
          ];
        }
        if (!(dimensions as readonly string[]).includes(ref.splitBy))
          throw new Error(`Observability: ${name} has no dimension ${ref.splitBy}`);
        const schema = `{${[METRICS_NAMESPACE, 'service', ...dimensions].join(',')}}`;
        const search = (filter: string) =>
          `SEARCH('${schema} MetricName="${name}" service="${SERVICE_NAME}"${filter}', 'Sum', ${seconds})`;
        if (ref.splitValues) {
          return ref.splitValues.map(
            (value) =>
              new MathExpression({
                expression: `SUM(${search(` ${ref.splitBy}="${value}"`)})`,
                usingMetrics: {},
                label: `${name} ${value}`,
                period: period ?? Duration.minutes(5),
              }),
          );
        }
        return [
          new MathExpression({
            expression: search(''),
            usingMetrics: {},
            label: '',
            period: period ?? Duration.minutes(5),
          }),
        ];
      }
    }
  }
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

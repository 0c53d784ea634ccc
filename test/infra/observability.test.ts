/**
 * The dashboards and alarms: built from lib/observability/definition.ts, every business metric
 * they name is emitted by the handlers the metric definition lists (and by no one it does not),
 * every AWS metric names a resource of the template, every alarm carries its reason, and the
 * API is throttled per route.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { apiAccessLogFields } from '#lib/api-access-log';
import { dirname, resolve } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { businessMetrics, type BusinessMetricKey } from '#lambdas/shared/business-metrics';
import { metricName } from '#lambdas/shared/business-metrics-definitions';
import { alarms, businessMetricsInUse, dashboards, severities } from '#lib/observability/definition';
import { routes, routeThrottle } from '#lib/routes';
import { buildTestApp } from './test-app';

/** The source of a handler and of every module under lambdas/ it imports, transitively. */
function handlerSources(entry: string): string {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const target = [`${spec}.ts`, `${spec}/index.ts`]
        .map((p) => resolve(dirname(file), p!))
        .find((p) => existsSync(p));
      if (target) visit(target);
    }
  };
  visit(resolve('lambdas/handlers', `${entry}.ts`));
  return [...seen].map((f) => readFileSync(f, 'utf8')).join('\n');
}

/** `emitCount` in a handler or shared module, a rule's `metric:`, or a use case's `deps.metrics.count` (presence). */
const emits = (source: string, key: string): boolean =>
  source.includes(`emitCount('${key}'`) ||
  source.includes(`metric: '${key}'`) ||
  source.includes(`metrics.count('${key}'`);

describe('the observability definition', () => {
  it('names only business metrics that their listed handlers emit', () => {
    // Arrange
    const inUse = businessMetricsInUse();

    // Assert
    expect(inUse.length).toBeGreaterThan(0);
    for (const key of inUse) {
      for (const entry of businessMetrics[key].emittedBy) {
        expect({ key, entry, emitted: emits(handlerSources(entry), key) }).toEqual({ key, entry, emitted: true });
      }
    }
  });

  it('lists in emittedBy every handler that emits a business metric itself', () => {
    // Arrange
    const entries = readdirSync('lambdas/handlers')
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.replace(/\.ts$/, ''));

    // Assert
    for (const key of Object.keys(businessMetrics) as BusinessMetricKey[]) {
      const direct = entries.filter((entry) => emits(readFileSync(`lambdas/handlers/${entry}.ts`, 'utf8'), key));
      for (const entry of direct)
        expect({ key, entry, listed: (businessMetrics[key].emittedBy as readonly string[]).includes(entry) }).toEqual({
          key,
          entry,
          listed: true,
        });
    }
  });

  it('shows the support overview metrics the issue asks for: activations, polls, beats, findings by severity', () => {
    // Arrange
    const support = dashboards.find((d) => d.id === 'support')!;
    const refs = support.sections.flatMap((s) => s.widgets.flatMap((w) => w.metrics));

    // Assert
    const keys = refs.flatMap((r) => (r.source === 'business' ? [r.metric] : []));
    expect(keys).toEqual(expect.arrayContaining(['activations', 'licencePolls', 'beatsAccepted', 'findingsOpened']));
    expect(refs).toContainEqual(expect.objectContaining({ metric: 'findingsOpened', splitBy: 'severity' }));
  });

  it('gives every alarm at least one severity, each threshold with a reason, and a runbook', () => {
    // Assert
    for (const alarm of alarms) {
      const thresholds = Object.entries(alarm.thresholds);
      expect({ id: alarm.id, severities: thresholds.length > 0 }).toEqual({ id: alarm.id, severities: true });
      for (const [severity, threshold] of thresholds) {
        expect(severities).toContain(severity);
        expect({ id: alarm.id, severity, reason: threshold.reason.length >= 20 }).toEqual({
          id: alarm.id,
          severity,
          reason: true,
        });
      }
      expect(alarm.runbook.length).toBeGreaterThan(20);
    }
    expect(new Set(alarms.map((a) => a.id)).size).toBe(alarms.length);
  });
});

describe.each(['eu', 'us'] as const)('the %s operations stack: dashboards and alarms', (regionKey) => {
  const { stacks } = buildTestApp();
  const stack = stacks[regionKey].operations;
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;
  // The API, its stage and the functions stay in the stateless stack; the alarms import them.
  const statelessTemplate = Template.fromStack(stacks[regionKey].stateless);
  const statelessResources = statelessTemplate.toJSON().Resources as typeof resources;
  const exportsOf = (t: Template) =>
    Object.values((t.toJSON().Outputs ?? {}) as Record<string, { Export?: { Name: string } }>).flatMap((o) =>
      o.Export ? [o.Export.Name] : [],
    );
  const exported = new Set([
    ...exportsOf(statelessTemplate),
    ...exportsOf(Template.fromStack(stacks[regionKey].stateful)),
  ]);
  const cwAlarms = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');

  it('creates one alarm per definition and severity, each describing its threshold with the reason', () => {
    // Arrange
    const expected = alarms.flatMap((a) =>
      Object.entries(a.thresholds).map(([severity, t]) => ({
        name: `ucx-test-${regionKey}-${a.id}-${severity}`,
        reason: t.reason,
      })),
    );

    // Assert
    expect(cwAlarms).toHaveLength(expected.length);
    for (const { name, reason } of expected) {
      const alarm = cwAlarms.find((r) => r.Properties['AlarmName'] === name);
      expect({ name, found: alarm !== undefined }).toEqual({ name, found: true });
      expect(alarm!.Properties['AlarmDescription']).toContain(`Reason: ${reason}`);
    }
  });

  it('sends every alarm to the encrypted on-call topic', () => {
    // Arrange
    const topicId = stack.getLogicalId(stack.observability.onCallTopic.node.defaultChild as never);

    // Assert
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } });
    for (const alarm of cwAlarms) expect(alarm.Properties['AlarmActions']).toEqual([{ Ref: topicId }]);
  });

  it('names only AWS resources that exist: every Ref in an alarm dimension is in the template or imported', () => {
    // Arrange
    const refs = JSON.stringify(cwAlarms).match(/"Ref":"[A-Za-z0-9]+"/g) ?? [];
    const imports = [...JSON.stringify(cwAlarms).matchAll(/"Fn::ImportValue":"([^"]+)"/g)].map((m) => m[1]!);

    // Assert
    expect(imports.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const id = ref.slice(7, -1);
      expect({ id, exists: id in resources }).toEqual({ id, exists: true });
    }
    for (const name of imports) expect({ name, exported: exported.has(name) }).toEqual({ name, exported: true });
  });

  it('builds the service and support dashboards, with every business metric and every route they show', () => {
    // Arrange
    const bodies = Object.values(resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Dashboard')
      .map((r) => JSON.stringify(r.Properties['DashboardBody']));

    // Assert
    expect(bodies).toHaveLength(dashboards.length);
    const all = bodies.join('');
    for (const key of businessMetricsInUse()) expect(all).toContain(metricName(key));
    for (const route of routes) expect(all).toContain(route.path);
  });

  it("keeps each alarm's comparison, threshold, evaluation, period and missing-data rule from the definition", () => {
    // Arrange
    const comparisons = { greaterThan: 'GreaterThanThreshold', lessThan: 'LessThanThreshold' };

    // Assert
    for (const a of alarms) {
      for (const [severity, t] of Object.entries(a.thresholds)) {
        const name = `ucx-test-${regionKey}-${a.id}-${severity}`;
        const p = cwAlarms.find((r) => r.Properties['AlarmName'] === name)!.Properties;
        const periods = [...JSON.stringify(p['Metrics']).matchAll(/"Period":(\d+)/g)].map((m) => Number(m[1]));
        // The library's API 5xx rate is the Average statistic of 5xx: a fraction where the definition says percent.
        const threshold = a.metric.source === 'api' && a.metric.metric === '5xxRate' ? t.value / 100 : t.value;
        expect({
          name,
          comparison: p['ComparisonOperator'],
          threshold: p['Threshold'],
          evaluationPeriods: p['EvaluationPeriods'],
          datapointsToAlarm: p['DatapointsToAlarm'],
          missingData: p['TreatMissingData'],
          periods: [...new Set(periods)],
        }).toEqual({
          name,
          comparison: comparisons[a.comparison],
          threshold,
          evaluationPeriods: a.evaluationPeriods,
          datapointsToAlarm: a.datapointsToAlarm,
          missingData: a.missingData,
          periods: [a.periodMinutes * 60],
        });
      }
    }
  });

  it('never puts an installation or account id into a metric dimension, in an alarm or on a dashboard', () => {
    // Arrange
    const alarmDimensions = cwAlarms.flatMap((r) =>
      [...JSON.stringify(r.Properties).matchAll(/"Name":"([^"]+)"/g)].map((m) => m[1]!),
    );
    const dashboardDimensions = Object.values(resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Dashboard')
      .flatMap((r) => {
        const body = r.Properties['DashboardBody'] as { 'Fn::Join': [string, unknown[]] };
        const text = body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
        const widgets = (JSON.parse(text) as { widgets: { properties: { metrics?: unknown[][] } }[] }).widgets;
        return widgets.flatMap((w) =>
          (w.properties.metrics ?? []).flatMap((line) => {
            const options = line.findIndex((x) => typeof x === 'object' && x !== null);
            const plain = options === -1 ? line : line.slice(0, options);
            // [namespace, metric name, dimension name, value, ...] or [{ expression }]
            const names = plain.slice(2).filter((_, i) => i % 2 === 0) as string[];
            const expression = (line.find((x) => typeof x === 'object' && x !== null) as { expression?: string })
              ?.expression;
            const searched =
              /SEARCH\('\{([^}]*)\}/
                .exec(expression ?? '')?.[1]
                ?.split(',')
                .slice(1) ?? [];
            return [...names, ...searched];
          }),
        );
      });

    // Assert
    expect(alarmDimensions.length).toBeGreaterThan(0);
    expect(dashboardDimensions).toEqual(expect.arrayContaining(['FunctionName', 'Resource', 'status']));
    for (const name of [...alarmDimensions, ...dashboardDimensions]) expect(name).not.toMatch(/installation|account/i);
  });

  it('watches Presence: the WebSocket stage by ApiId and Stage, the fan-out queue oldest message age, the renewals share', () => {
    // Arrange
    const alarm = (id: string) =>
      JSON.stringify(cwAlarms.find((r) => r.Properties['AlarmName'] === `ucx-test-${regionKey}-${id}`)?.Properties);
    const stateless = stacks[regionKey].stateless;
    const apiId = stateless.getLogicalId(stateless.presenceApi.node.defaultChild as never);
    const dashboard = Object.values(resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Dashboard')
      .map((r) => JSON.stringify(r.Properties['DashboardBody']))
      .join('');

    // Assert
    const stageDimensions = new RegExp(
      `"Dimensions":\\[\\{"Name":"ApiId","Value":\\{"Fn::ImportValue":"[^"]*Ref${apiId}[^"]*"\\}\\},\\{"Name":"Stage","Value":"v1"\\}\\]`,
    );
    for (const id of ['presence-websocket-execution-errors-warning', 'presence-websocket-integration-errors-warning']) {
      expect(alarm(id)).toMatch(stageDimensions);
      expect(alarm(id)).toContain('"Namespace":"AWS/ApiGateway"');
    }
    expect(alarm('presence-websocket-execution-errors-critical')).toContain('"MetricName":"ExecutionError"');
    for (const severity of ['warning', 'critical']) {
      const lag = alarm(`presence-notification-lag-${severity}`);
      expect(lag).toContain('"MetricName":"ApproximateAgeOfOldestMessage","Namespace":"AWS/SQS"');
      expect(lag).toContain('"Stat":"Maximum"');
      // the fan-out queue itself (the stateful stack's export), not its DLQ
      expect(lag).toMatch(/"QueueName","Value":\{"Fn::ImportValue":"[^"]*PresenceFanOutQueue[^"]*QueueName/);
    }
    const allFailing = alarm('presence-renewals-all-failing-critical');
    expect(allFailing).toContain('"Expression":"100 * part / (part + FILL(other0, 0))"');
    expect(allFailing).toContain('"MetricName":"PresenceSubscriptionRenewals"');
    expect(alarm('presence-renewals-failing-warning')).toContain('"MetricName":"PresenceSubscriptionRenewalFailures"');
    expect(alarm('presence-graph-throttles-warning')).toContain('"MetricName":"PresenceGraphThrottles"');
    for (const metric of ['ConnectCount', 'MessageCount', 'IntegrationError', 'ClientError', 'ExecutionError'])
      expect(dashboard).toContain(`"AWS/ApiGateway\\",\\"${metric}\\",\\"ApiId\\",\\"`);
    for (const name of [
      'PresenceSessionsOpened',
      'PresenceSessionsClosed',
      'PresenceUpdatesSent',
      'PresenceGraphReads',
    ])
      expect(dashboard).toContain(name);
    expect(dashboard).toContain('ApproximateAgeOfOldestMessage');
  });

  it('throttles every route on the stage, the poll route sized for a 1M fleet', () => {
    // Arrange
    const stage = Object.values(statelessResources).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage')!;
    const settings = stage.Properties['RouteSettings'] as Record<
      string,
      { ThrottlingRateLimit: number; ThrottlingBurstLimit: number; DetailedMetricsEnabled: boolean }
    >;

    // Assert
    expect(Object.keys(settings).sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of routes) {
      expect(settings[`${route.method} ${route.path}`]).toEqual({
        ThrottlingRateLimit: routeThrottle(route).rateLimit,
        ThrottlingBurstLimit: routeThrottle(route).burstLimit,
        DetailedMetricsEnabled: true,
      });
    }
    // 1M installations / 900 s ≈ 1 111 polls per second
    expect(settings['GET /v1/installations/{id}/license']!.ThrottlingRateLimit).toBeGreaterThan(1_000_000 / 900);
    expect(settings['POST /v1/accounts/{accountId}/activation-keys']!.ThrottlingRateLimit).toBeLessThan(
      settings['GET /v1/installations/{id}/license']!.ThrottlingRateLimit,
    );
  });

  it('logs API access to a log group with retention, in the format the cost model prices', () => {
    // Assert
    statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: JSON.stringify(apiAccessLogFields) },
    });
    // no header or body: context variables only, and no requestTime (the event's timestamp says when)
    expect(Object.values(apiAccessLogFields).every((v) => /^\$context\.[\w.]+$/.test(v))).toBe(true);
    expect(Object.keys(apiAccessLogFields)).not.toContain('requestTime');
    statelessTemplate.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });
});

/** The Presence Service's infrastructure per region: its state, its WebSocket API, and each function's exact grants. */
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { regionKeys, type RegionKey } from '#lib/config';
import { presenceTableActions } from '#lib/constructs/house-function';
import { functionSpecs, presenceQueueConsumer, type FunctionName, type FunctionNeed } from '#lib/routes';
import { presenceWebSocketRoutes } from '#lib/stacks/stateless-stack';
import { parseAppConfig } from '#lib/app';
import { buildTestApp, minimalUcxContext, testAccount, testConfig } from './test-app';

type CfnJson = ReturnType<Template['toJSON']>;
type Resource = { Type: string; Properties: CfnJson; DeletionPolicy?: string };
type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

const { stacks } = buildTestApp();

/** Every function with a presence need, and the WebSocket and queue functions. */
const presenceFunctions = (Object.keys(functionSpecs) as FunctionName[]).filter((name) =>
  (functionSpecs[name].needs as readonly FunctionNeed[]).some(
    (need) => need.startsWith('presence-') || need === 'ms-identity',
  ),
);

describe.each(regionKeys)('the %s Presence Service', (key: RegionKey) => {
  const stateful = stacks[key].stateful;
  const stateless = stacks[key].stateless;
  const statefulResources = Template.fromStack(stateful).toJSON().Resources as Record<string, Resource>;
  const template = Template.fromStack(stateless);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const statefulId = (construct: { node: { defaultChild?: unknown } }) =>
    stateful.getLogicalId(construct.node.defaultChild as never);
  const statelessId = (construct: { node: { defaultChild?: unknown } }) =>
    stateless.getLogicalId(construct.node.defaultChild as never);
  const functionId = (name: FunctionName) =>
    stateless.getLogicalId(stateless.functions[name].function.node.defaultChild as CfnFunction);
  const statementsOf = (name: FunctionName): Statement[] => {
    const roleId = (resources[functionId(name)]!.Properties.Role as { 'Fn::GetAtt': [string, string] })[
      'Fn::GetAtt'
    ][0];
    return Object.values(resources)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
      )
      .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
  };
  const actionsOn = (name: FunctionName, resourcePattern: RegExp) =>
    statementsOf(name)
      .filter((s) => resourcePattern.test(JSON.stringify(s.Resource)))
      .flatMap((s) => [s.Action].flat())
      .sort();
  const variablesOf = (name: FunctionName) =>
    resources[functionId(name)]!.Properties.Environment.Variables as Record<string, unknown>;
  const importOf = (logicalIdPrefix: string) => ({
    'Fn::ImportValue': expect.stringMatching(new RegExp(`^ucx-test-${key}-stateful:ExportsOutput.*${logicalIdPrefix}`)),
  });

  describe('state (stateful stack)', () => {
    it('has a regional presence table: pk/sk, gsi1 (ALL), TTL on expiresAtEpoch, on-demand, no PITR, deletion protection, retained', () => {
      // Arrange
      const table = statefulResources[statefulId(stateful.presenceTable)];

      // Assert
      expect(table).toMatchObject({
        Type: 'AWS::DynamoDB::Table',
        DeletionPolicy: 'Retain',
        Properties: {
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
          DeletionProtectionEnabled: true,
          TimeToLiveSpecification: { AttributeName: 'expiresAtEpoch', Enabled: true },
          GlobalSecondaryIndexes: [
            {
              IndexName: 'gsi1',
              KeySchema: [
                { AttributeName: 'gsi1pk', KeyType: 'HASH' },
                { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
        },
      });
      expect(table?.Properties.TableName).toBeUndefined();
    });

    it('seals refresh tokens with a symmetric key of its own, rotated and retained', () => {
      // Arrange
      const keyResource = statefulResources[statefulId(stateful.presenceTokenKey)];

      // Assert
      expect(keyResource).toMatchObject({
        Type: 'AWS::KMS::Key',
        DeletionPolicy: 'Retain',
        Properties: { EnableKeyRotation: true },
      });
      expect(keyResource?.Properties.KeySpec ?? 'SYMMETRIC_DEFAULT').toBe('SYMMETRIC_DEFAULT');
      expect(keyResource?.Properties.KeyUsage ?? 'ENCRYPT_DECRYPT').toBe('ENCRYPT_DECRYPT');
    });

    it('has the two retained secrets an operator fills: the notification certificate and the app credentials', () => {
      // Arrange
      const secrets = [stateful.presenceNotificationCertificate, stateful.presenceAppCredentials].map(
        (secret) => statefulResources[statefulId(secret)],
      );

      // Assert
      for (const secret of secrets)
        expect(secret).toMatchObject({ Type: 'AWS::SecretsManager::Secret', DeletionPolicy: 'Retain' });
      expect(secrets.map((s) => s?.Properties.Description)).toEqual([
        expect.stringContaining('{ id, certificate, privateKey }'),
        expect.stringContaining('{ clientId, clientSecret }'),
      ]);
    });

    it('queues the fan-out on an encrypted standard queue: 1 h retention, 6× the consumer timeout, DLQ after 5 receives', () => {
      // Arrange
      const queue = statefulResources[statefulId(stateful.presenceFanOutQueue)];
      const dlqId = statefulId(stateful.presenceFanOutDeadLetterQueue);
      const timeoutSeconds = functionSpecs[presenceQueueConsumer.fn].timeoutSeconds;

      // Assert
      expect(queue?.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 3600,
        VisibilityTimeout: 6 * timeoutSeconds,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
      });
      expect(queue?.Properties.FifoQueue).toBeUndefined();
      expect(statefulResources[dlqId]?.Properties).toMatchObject({ SqsManagedSseEnabled: true });
    });
  });

  describe('the WebSocket API (stateless stack)', () => {
    const apiId = statelessId(stateless.presenceApi);

    it("is a WebSocket API selecting routes by the frame's op", () => {
      expect(resources[apiId]?.Properties).toMatchObject({
        ProtocolType: 'WEBSOCKET',
        RouteSelectionExpression: '$request.body.op',
      });
    });

    it.each(Object.entries(presenceWebSocketRoutes))('routes %s to %s, without a route response', (routeKey, fn) => {
      // Arrange
      const [routeId, route] =
        Object.entries(resources).find(
          ([, r]) =>
            r.Type === 'AWS::ApiGatewayV2::Route' &&
            r.Properties.ApiId?.Ref === apiId &&
            r.Properties.RouteKey === routeKey,
        ) ?? [];
      const integrationId = (route!.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] })[
        'Fn::Join'
      ][1][1].Ref;

      // Assert
      expect(routeId).toBeDefined();
      expect(route?.Properties.RouteResponseSelectionExpression).toBeUndefined();
      expect(JSON.stringify(resources[integrationId]?.Properties.IntegrationUri)).toContain(
        JSON.stringify({ 'Fn::GetAtt': [functionId(fn as FunctionName), 'Arn'] }),
      );
      expect(resources[integrationId]?.Properties.IntegrationType).toBe('AWS_PROXY');
      expect(Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::RouteResponse')).toEqual([]);
    });

    it('has exactly the three routes', () => {
      const routeKeys = Object.values(resources)
        .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties.ApiId?.Ref === apiId)
        .map((r) => r.Properties.RouteKey as string);
      expect(routeKeys.sort()).toEqual(['$connect', '$default', '$disconnect']);
    });

    it('serves the stage v1, auto-deployed, throttled, logging every event to a log group with retention', () => {
      // Arrange
      const stage = resources[statelessId(stateless.presenceStage)];
      const logGroupId = statelessId(stateless.presenceAccessLogGroup);

      // Assert
      expect(stage?.Properties).toMatchObject({
        ApiId: { Ref: apiId },
        StageName: 'v1',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000, DetailedMetricsEnabled: true },
        AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] } },
      });
      expect(JSON.parse(stage?.Properties.AccessLogSettings.Format as string)).toMatchObject({
        routeKey: '$context.routeKey',
        eventType: '$context.eventType',
        connectionId: '$context.connectionId',
      });
      expect(resources[logGroupId]?.Properties.RetentionInDays).toBe(30);
    });

    it('outputs the wss URL of stage v1 as PresenceUrl', () => {
      // Arrange
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;

      // Assert
      expect(outputs.PresenceUrl?.Value).toEqual({
        'Fn::Join': [
          '',
          ['wss://', { Ref: apiId }, `.execute-api.${stateless.region}.`, { Ref: 'AWS::URLSuffix' }, '/v1'],
        ],
      });
    });
  });

  describe('the fan-out and the renewal', () => {
    it("feeds presenceFanOut from this region's fan-out queue: batches of 10, no window, item failures reported", () => {
      // Arrange
      const mappings = Object.values(resources).filter(
        (r) =>
          r.Type === 'AWS::Lambda::EventSourceMapping' &&
          JSON.stringify(r.Properties.FunctionName) === JSON.stringify({ Ref: functionId('presenceFanOut') }),
      );

      // Assert
      expect(mappings).toHaveLength(1);
      expect(mappings[0]?.Properties).toEqual({
        FunctionName: { Ref: functionId('presenceFanOut') },
        EventSourceArn: importOf('PresenceFanOutQueue'),
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    });

    it('renews the subscriptions every 10 minutes through EventBridge Scheduler, retrying and dead-lettering like the sweep', () => {
      // Arrange
      const id = statelessId(stateless.presenceRenewalSchedule);
      const dlqId = statelessId(stateless.silentSweepDeadLetterQueue);

      // Assert
      expect(resources[id]?.Properties).toMatchObject({
        ScheduleExpression: 'rate(10 minutes)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Target: {
          Arn: { 'Fn::GetAtt': [functionId('renewPresenceSubscriptions'), 'Arn'] },
          Input: '{}',
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
        },
      });
    });
  });

  it('alarms when the fan-out dead-letters a message', () => {
    // Arrange
    // The alarms are the operations stack's (lib/stacks/operations-stack.ts).
    const operations = Template.fromStack(stacks[key].operations).toJSON().Resources as Record<string, Resource>;
    const alarms = Object.values(operations).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    const onDlq = alarms.filter((a) => JSON.stringify(a.Properties).includes('PresenceFanOutDeadLetterQueue'));

    // Assert
    expect(onDlq).toHaveLength(1);
    expect(onDlq[0]?.Properties).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', Threshold: 0 });
    expect(onDlq[0]?.Properties.Metrics[0].MetricStat.Metric).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: importOf('PresenceFanOutDeadLetterQueue') }],
    });
  });

  describe('least privilege', () => {
    it('names every presence function', () => {
      expect(presenceFunctions.sort()).toEqual(
        [
          'getPresenceSettings',
          'setPresence',
          'connectPresenceTenant',
          'disconnectPresenceTenant',
          'completePresenceConnection',
          'receivePresenceNotifications',
          'receivePresenceLifecycle',
          'presenceSnapshot',
          'presenceConnect',
          'presenceDisconnect',
          'presenceMessage',
          'presenceFanOut',
          'renewPresenceSubscriptions',
          // an account's closure disconnects Presence; its eraser forgets the account's items
          'accountClosure',
          'eraseClosedAccounts',
        ].sort(),
      );
    });

    it.each(presenceFunctions)('%s may do on presence resources exactly what its needs say', (name) => {
      // Arrange
      const needs = new Set<string>(functionSpecs[name].needs);
      const tableAccess = needs.has('presence-table:write')
        ? 'write'
        : needs.has('presence-table:read')
          ? 'read'
          : undefined;
      const onTable = statementsOf(name).filter((s) => JSON.stringify(s.Resource).includes('PresenceTable'));
      const onKey = statementsOf(name).filter((s) => JSON.stringify(s.Resource).includes('PresenceTokenKey'));

      // Assert: the table, with its gsi1 only
      expect(onTable.flatMap((s) => [s.Action].flat()).sort()).toEqual(
        tableAccess ? [...presenceTableActions[tableAccess]].sort() : [],
      );
      for (const s of onTable) {
        expect(s.Resource).toEqual([
          importOf('PresenceTable'),
          { 'Fn::Join': ['', [importOf('PresenceTable'), '/index/gsi1']] },
        ]);
      }
      // the token key, with an accountId encryption context only
      expect(onKey.flatMap((s) => [s.Action].flat()).sort()).toEqual(
        needs.has('presence-token-key') ? ['kms:Decrypt', 'kms:Encrypt'] : [],
      );
      for (const s of onKey) {
        expect(s.Condition).toEqual({
          'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['accountId'] },
          Null: { 'kms:EncryptionContextKeys': 'false' },
        });
      }
      // the secrets: GetSecretValue, nothing more
      expect(actionsOn(name, /PresenceNotificationCertificate/)).toEqual(
        needs.has('presence-certificate') ? ['secretsmanager:GetSecretValue'] : [],
      );
      expect(actionsOn(name, /PresenceAppCredentials/)).toEqual(
        needs.has('ms-identity') ? ['secretsmanager:GetSecretValue'] : [],
      );
      // @connections of this region's stage v1 only
      const manage = statementsOf(name).filter((s) => [s.Action].flat().includes('execute-api:ManageConnections'));
      expect(manage.length).toBe(needs.has('presence-connections') ? 1 : 0);
      for (const s of manage) {
        expect(s.Resource).toEqual({
          'Fn::Join': [
            '',
            [
              `arn:aws:execute-api:${stateless.region}:${testAccount}:`,
              { Ref: statelessId(stateless.presenceApi) },
              '/v1/*/@connections/*',
            ],
          ],
        });
      }
      // the fan-out queue: SendMessage for producers, the poller's actions for its consumer
      const consumes = name === presenceQueueConsumer.fn;
      expect(actionsOn(name, /PresenceFanOutQueue/)).toEqual(
        [
          ...(needs.has('presence-queue:send') ? ['sqs:SendMessage'] : []),
          ...(consumes
            ? [
                'sqs:ChangeMessageVisibility',
                'sqs:DeleteMessage',
                'sqs:GetQueueAttributes',
                'sqs:GetQueueUrl',
                'sqs:ReceiveMessage',
              ]
            : []),
        ].sort(),
      );
    });

    it.each(presenceFunctions)('%s gets the presence variables exactly per its needs', (name) => {
      // Arrange
      const needs = new Set<string>(functionSpecs[name].needs);
      const variables = variablesOf(name);
      const has = (variable: string) => variables[variable] !== undefined;

      // Assert
      expect(has('PRESENCE_TABLE_NAME')).toBe(needs.has('presence-table:read') || needs.has('presence-table:write'));
      expect(has('PRESENCE_TOKEN_KEY')).toBe(needs.has('presence-token-key'));
      expect(has('PRESENCE_CERTIFICATE_SECRET')).toBe(needs.has('presence-certificate'));
      expect([has('PRESENCE_APP_SECRET'), has('MS_AUTHORITY_HOST'), has('MS_GRAPH_URL')]).toEqual(
        Array(3).fill(needs.has('ms-identity')),
      );
      expect(has('PRESENCE_CALLBACK_URL')).toBe(needs.has('presence-connections'));
      expect(has('PRESENCE_FANOUT_QUEUE_URL')).toBe(needs.has('presence-queue:send'));
      expect([has('PRESENCE_NOTIFICATION_URL'), has('PRESENCE_LIFECYCLE_URL'), has('PRESENCE_REDIRECT_URL')]).toEqual(
        Array(3).fill(needs.has('presence-urls')),
      );
      // No portal domain in the test config: the portal's URL is not known at synth.
      expect(has('PORTAL_URL')).toBe(false);
    });

    it("points the functions at Microsoft's default endpoints, this stage's callback URL and the HTTP API's public routes", () => {
      // Arrange
      const variables = variablesOf('presenceMessage');
      const httpApi = { Ref: statelessId(stateless.api) };
      const wsApi = { Ref: statelessId(stateless.presenceApi) };
      const host = `.execute-api.${stateless.region}.`;

      // Assert
      expect(variables).toMatchObject({
        MS_AUTHORITY_HOST: 'https://login.microsoftonline.com',
        MS_GRAPH_URL: 'https://graph.microsoft.com',
        PRESENCE_CALLBACK_URL: { 'Fn::Join': ['', ['https://', wsApi, host, { Ref: 'AWS::URLSuffix' }, '/v1']] },
        PRESENCE_NOTIFICATION_URL: {
          'Fn::Join': ['', ['https://', httpApi, host, { Ref: 'AWS::URLSuffix' }, '/v1/presence/notifications']],
        },
        PRESENCE_LIFECYCLE_URL: {
          'Fn::Join': ['', ['https://', httpApi, host, { Ref: 'AWS::URLSuffix' }, '/v1/presence/lifecycle']],
        },
        PRESENCE_REDIRECT_URL: {
          'Fn::Join': ['', ['https://', httpApi, host, { Ref: 'AWS::URLSuffix' }, '/v1/presence/callback']],
        },
        PRESENCE_TOKEN_KEY: importOf('PresenceTokenKey'),
        PRESENCE_APP_SECRET: importOf('PresenceAppCredentials'),
      });
    });

    it('keeps the fan-out from opening tokens, and the notification receiver from reaching sessions', () => {
      // Arrange
      const actions = (name: FunctionName) => statementsOf(name).flatMap((s) => [s.Action].flat());

      // Assert
      expect(actions('presenceFanOut')).not.toContain('kms:Decrypt');
      expect(actions('receivePresenceNotifications')).not.toContain('execute-api:ManageConnections');
      expect(actions('presenceDisconnect')).not.toContain('secretsmanager:GetSecretValue');
    });

    it('grants no function a wildcard action (no secretsmanager:*, no kms:*)', () => {
      // Arrange
      const actions = (Object.keys(functionSpecs) as FunctionName[]).flatMap((name) =>
        statementsOf(name).flatMap((s) => [s.Action].flat()),
      );

      // Assert
      expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    });
  });
});

describe('Microsoft endpoints from cdk.json context (ucx.presence)', () => {
  it("default to Microsoft's global cloud and refuse a non-https URL", () => {
    expect(parseAppConfig(minimalUcxContext()).presence).toEqual({
      authorityHost: 'https://login.microsoftonline.com',
      graphUrl: 'https://graph.microsoft.com',
    });
    expect(() => parseAppConfig(minimalUcxContext({ presence: { graphUrl: 'http://graph.example' } }))).toThrow(
      /ucx\.presence\.graphUrl/,
    );
  });

  it('reach the functions when set', () => {
    // Arrange
    const { stacks: custom } = buildTestApp({
      ...testConfig,
      presence: { authorityHost: 'https://login.microsoftonline.us', graphUrl: 'https://graph.microsoft.us' },
    });
    const fnId = custom.us.stateless.getLogicalId(
      custom.us.stateless.functions.presenceMessage.function.node.defaultChild as CfnFunction,
    );

    // Act
    const variables = (Template.fromStack(custom.us.stateless).toJSON().Resources as Record<string, Resource>)[fnId]!
      .Properties.Environment.Variables;

    // Assert
    expect(variables).toMatchObject({
      MS_AUTHORITY_HOST: 'https://login.microsoftonline.us',
      MS_GRAPH_URL: 'https://graph.microsoft.us',
    });
  });
});

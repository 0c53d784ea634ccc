import { Match, Template } from 'aws-cdk-lib/assertions';
import { Runtime, RuntimeFamily, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { regionKeys, type RegionKey } from '#lib/config';
import { houseRuntime, userDirectoryActions } from '#lib/constructs/house-function';
import {
  functionSpecs,
  mayWriteAuditItems,
  routes,
  streamConsumers,
  type FunctionName,
  type FunctionSpec,
} from '#lib/routes';
import { envSchema } from '#lambdas/shared/env';
import { buildTestApp, testAccount } from './test-app';

/** CloudFormation JSON as the CDK assertions give it (Template#toJSON): untyped, so each test names the paths it reads. */
type CfnJson = ReturnType<Template['toJSON']>;
type Resource = { Type: string; Properties: CfnJson; DependsOn?: string[] };
type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

const { stacks } = buildTestApp();
const templates = Object.fromEntries(
  regionKeys.map((key) => [key, Template.fromStack(stacks[key].stateless)]),
) as Record<RegionKey, Template>;
const specs = Object.entries(functionSpecs) as [FunctionName, FunctionSpec][];

describe('the newest Node.js runtime', () => {
  it('is the one the house function uses', () => {
    // Arrange: every Node.js runtime this aws-cdk-lib knows, by major version
    const major = (r: Runtime) => Number(/^nodejs(\d+)/.exec(r.name)?.[1] ?? 0);
    const newest = Runtime.ALL.filter((r) => r.family === RuntimeFamily.NODEJS).reduce((a, b) =>
      major(b) > major(a) ? b : a,
    );

    // Assert
    expect(houseRuntime.name).toBe(newest.name);
    expect(houseRuntime.name).toBe('nodejs24.x');
  });
});

describe.each(regionKeys)('the %s stateless stack', (key) => {
  const stack = stacks[key].stateless;
  const template = templates[key];
  const region = stack.region;
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const logicalIdOf = (name: FunctionName) =>
    stack.getLogicalId(stack.functions[name].function.node.defaultChild as CfnFunction);
  const functionOf = (name: FunctionName) => resources[logicalIdOf(name)] as Resource;
  const statementsOf = (name: FunctionName): Statement[] => {
    const roleId = (functionOf(name).Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    return Object.values(resources)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
      )
      .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
  };
  const actionsOf = (name: FunctionName) => statementsOf(name).flatMap((s) => [s.Action].flat());

  describe('routes', () => {
    it('has exactly one route per entry of lib/routes.ts, and none under /local/', () => {
      // Arrange: the HTTP API's (the presence WebSocket API's are tested in presence.test.ts)
      const httpApiId = stack.getLogicalId(stack.api.node.defaultChild as never);
      const routeKeys = Object.values(resources)
        .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties.ApiId?.Ref === httpApiId)
        .map((r) => r.Properties.RouteKey as string);

      // Assert
      expect(routeKeys.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
      expect(routeKeys.filter((k) => k.includes('/local/'))).toEqual([]);
    });

    it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))(
      '%s reaches its function with the right authorisation',
      (routeKey, route) => {
        // Arrange
        const authorizerOf = (type: string) =>
          Object.keys(
            template.findResources('AWS::ApiGatewayV2::Authorizer', { Properties: { AuthorizerType: type } }),
          )[0];
        const [, routeResource] =
          Object.entries(resources).find(
            ([, r]) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties.RouteKey === routeKey,
          ) ?? [];
        const integrationId = (routeResource!.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] })[
          'Fn::Join'
        ][1][1].Ref;

        // Assert
        expect(routeResource?.Properties).toMatchObject(
          route.auth === 'user'
            ? { AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerOf('JWT') } }
            : route.auth === 'staff-or-machine'
              ? { AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerOf('REQUEST') } }
              : { AuthorizationType: 'NONE' },
        );
        if (route.auth === 'agent' || route.auth === 'public')
          expect(routeResource?.Properties.AuthorizerId).toBeUndefined();
        expect(resources[integrationId]?.Properties).toMatchObject({
          IntegrationType: 'AWS_PROXY',
          PayloadFormatVersion: '2.0',
          IntegrationUri: { 'Fn::GetAtt': [logicalIdOf(route.fn), 'Arn'] },
        });
      },
    );

    it("authorises 'user' routes with JWTs of this region's user pool and portal client", () => {
      // Besides the Lambda authorizer of the 'staff-or-machine' routes (machine-clients.test.ts).
      expect(
        Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer', { Properties: { AuthorizerType: 'JWT' } })),
      ).toHaveLength(1);
      template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: {
          Audience: [{ Ref: stack.getLogicalId(stack.userPoolClient.node.defaultChild as never) }],
          Issuer: {
            'Fn::Join': [
              '',
              [
                `https://cognito-idp.${region}.amazonaws.com/`,
                { Ref: stack.getLogicalId(stack.userPool.node.defaultChild as never) },
              ],
            ],
          },
        },
      });
    });

    it('serves them on a throttled $default stage', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      });
    });
  });

  describe('functions', () => {
    it("has one function per entry of functionSpecs, no more (besides CDK's portal upload and cross-region reader providers)", () => {
      const ids = Object.keys(template.findResources('AWS::Lambda::Function'));
      const providers = ids.filter((id) => id.startsWith('CustomCDKBucketDeployment'));
      // The edge stack's web ACL ARN is read from us-east-1 (lib/stacks/edge-stack.ts) unless this is us-east-1.
      const readers = ids.filter((id) => id.startsWith('CustomCrossRegionExportReader'));
      expect(providers).toHaveLength(1);
      expect(readers).toHaveLength(stack.region === 'us-east-1' ? 0 : 1);
      template.resourceCountIs('AWS::Lambda::Function', specs.length + 1 + readers.length);
    });

    it.each(specs)('%s is arm64 on the newest runtime, traced, with the house bundle and variables', (name, spec) => {
      expect(functionOf(name).Properties).toMatchObject({
        Runtime: houseRuntime.name,
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: spec.memoryMb ?? 256,
        Timeout: spec.timeoutSeconds ?? 10,
        TracingConfig: { Mode: spec.tracing === 'pass-through' ? 'PassThrough' : 'Active' },
        Environment: {
          Variables: {
            NODE_OPTIONS: '--enable-source-maps',
            POWERTOOLS_SERVICE_NAME: 'ucx-cloud',
            POWERTOOLS_METRICS_NAMESPACE: 'UcxCloud',
            REGION_KEY: key,
            REGION_ENDPOINTS: JSON.stringify({
              eu: 'https://eu.api.ucx-cloud.example',
              us: 'https://us.api.ucx-cloud.example',
            }),
            NEXT_POLL_SECONDS: '900',
            LICENSE_TTL_DAYS: '30',
            ...(spec.metricsFlushSeconds ? { METRICS_FLUSH_SECONDS: String(spec.metricsFlushSeconds) } : {}),
          },
        },
      });
      expect(functionOf(name).Properties.FunctionName).toBeUndefined();
    });

    it('traces every function but the two hot paths (polls, telemetry batches), which sum their metrics', () => {
      const passThrough = specs
        .filter(([name]) => functionOf(name).Properties.TracingConfig.Mode === 'PassThrough')
        .map(([name]) => name);
      expect(passThrough.sort()).toEqual(['getLicense', 'ingestTelemetry']);
      for (const name of passThrough) {
        expect(functionOf(name).Properties.Environment.Variables.METRICS_FLUSH_SECONDS).toBe('60');
      }
    });

    it('gives the ingest function 256 MB and the archiver 512 MB and 60 s', () => {
      expect(functionOf('ingestTelemetry').Properties).toMatchObject({ MemorySize: 256, Timeout: 10 });
      expect(functionOf('archiveTelemetry').Properties).toMatchObject({ MemorySize: 512, Timeout: 60 });
    });

    it.each(specs)(
      '%s gets TABLE_NAME, SIGNING_KEY_REF, VERIFY_KEY_REFS, TELEMETRY_STREAM_NAME, ARCHIVE_BUCKET, SUPPORT_TABLE_NAME, EVENT_BUS_NAME and VENDOR_EVENT_BUS_NAME exactly per its needs',
      (name, spec) => {
        // Arrange
        const variables = functionOf(name).Properties.Environment.Variables as Record<string, unknown>;
        const needs = new Set<string>(spec.needs);
        const needsTable = spec.needs.includes('table:read') || spec.needs.includes('table:write');
        // The primary region's stateless stack imports the table's name from its stateful stack; the
        // replica region names the replica literally (one physical name for the global table).
        const tableName =
          key === 'eu'
            ? { 'Fn::ImportValue': expect.stringMatching(/^ucx-test-eu-stateful:ExportsOutputRefLicensingTable/) }
            : 'ucx-test-licensing';
        const signingKeyRef = {
          'Fn::ImportValue': expect.stringMatching(
            new RegExp(`^ucx-test-${key}-stateful:ExportsOutputFnGetAttLicenceSigningKey.*Arn`),
          ),
        };
        const verifyKeyRefs = JSON.stringify([
          `arn:aws:kms:eu-central-1:${testAccount}:alias/ucx-test-licence-signing`,
          `arn:aws:kms:us-east-1:${testAccount}:alias/ucx-test-licence-signing`,
        ]);

        // Assert
        expect(variables.TABLE_NAME).toEqual(needsTable ? tableName : undefined);
        expect(variables.SIGNING_KEY_REF).toEqual(spec.needs.includes('signing-key') ? signingKeyRef : undefined);
        expect(variables.VERIFY_KEY_REFS).toEqual(spec.needs.includes('verify-keys') ? verifyKeyRefs : undefined);
        expect(variables.TELEMETRY_STREAM_NAME).toEqual(
          spec.needs.includes('telemetry-stream:write')
            ? {
                'Fn::ImportValue': expect.stringMatching(
                  new RegExp(`^ucx-test-${key}-stateful:ExportsOutputRefTelemetryStream`),
                ),
              }
            : undefined,
        );
        expect(variables.ARCHIVE_BUCKET).toEqual(
          spec.needs.includes('archive:write') || spec.needs.includes('archive:compact')
            ? {
                'Fn::ImportValue': expect.stringMatching(
                  new RegExp(`^ucx-test-${key}-stateful:ExportsOutputRefTelemetryArchiveBucket`),
                ),
              }
            : undefined,
        );
        expect(variables.SUPPORT_TABLE_NAME).toEqual(
          needs.has('support-table:read') || needs.has('support-table:write')
            ? {
                'Fn::ImportValue': expect.stringMatching(
                  new RegExp(`^ucx-test-${key}-stateful:ExportsOutputRefSupportTable`),
                ),
              }
            : undefined,
        );
        expect(variables.EVENT_BUS_NAME).toEqual(
          needs.has('event-bus:put')
            ? {
                'Fn::ImportValue': expect.stringMatching(
                  new RegExp(`^ucx-test-${key}-stateful:ExportsOutputRefSupportEventBus`),
                ),
              }
            : undefined,
        );
        expect(variables.VENDOR_EVENT_BUS_NAME).toEqual(
          mayWriteAuditItems(spec)
            ? {
                'Fn::ImportValue': expect.stringMatching(
                  new RegExp(`^ucx-test-${key}-stateful:ExportsOutputRefVendorEventBus`),
                ),
              }
            : undefined,
        );
        const usesDirectory = [...needs].some((n) => n.startsWith('user-directory:'));
        expect(variables.USER_DIRECTORY).toEqual(
          usesDirectory
            ? { 'Fn::Join': ['', ['cognito:', { Ref: stack.getLogicalId(stack.userPool.node.defaultChild as never) }]] }
            : undefined,
        );
      },
    );

    it.each(specs)("%s's literal variables satisfy the Lambda env contract (lambdas/shared/env.ts)", (name) => {
      // Arrange: deploy-time values (Fn::ImportValue) are checked by the test above
      const variables = functionOf(name).Properties.Environment.Variables as Record<string, unknown>;
      const literal = Object.fromEntries(Object.entries(variables).filter(([, v]) => typeof v === 'string'));

      // Act
      const parsed = envSchema.safeParse(literal);

      // Assert
      expect(parsed.error?.issues ?? []).toEqual([]);
    });

    it.each(specs)('%s may do only what its needs say', (name, spec) => {
      // Arrange
      const actions = actionsOf(name);
      const needs = new Set<string>(spec.needs);
      const consumer = streamConsumers.some((c) => c.fn === name);
      const onSupportTable = statementsOf(name).filter((s) => JSON.stringify(s.Resource).includes('SupportTable'));
      const onLicensingTable = statementsOf(name).filter((s) => JSON.stringify(s.Resource).includes('icensing'));
      const supportActions = onSupportTable.flatMap((s) => [s.Action].flat());
      const licensingActions = onLicensingTable.flatMap((s) => [s.Action].flat());

      // Assert
      expect(licensingActions.includes('dynamodb:Query')).toBe(needs.has('table:read') || needs.has('table:write'));
      expect(licensingActions.includes('dynamodb:PutItem')).toBe(needs.has('table:write'));
      expect(supportActions.includes('dynamodb:Query')).toBe(
        needs.has('support-table:read') || needs.has('support-table:write'),
      );
      expect(supportActions.includes('dynamodb:PutItem')).toBe(needs.has('support-table:write'));
      const dynamoResources = statementsOf(name)
        .filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')))
        .map((s) => JSON.stringify(s.Resource));
      // The presence table's grants are tested in presence.test.ts.
      expect(dynamoResources.filter((r) => !/icensing|SupportTable|PresenceTable/.test(r))).toEqual([]);
      expect(actions.includes('kms:Sign')).toBe(needs.has('signing-key'));
      expect(actions.includes('kms:GetPublicKey')).toBe(needs.has('signing-key') || needs.has('verify-keys'));
      expect(actions.includes('kinesis:PutRecords')).toBe(needs.has('telemetry-stream:write'));
      expect(actions.includes('s3:PutObject')).toBe(needs.has('archive:write') || needs.has('archive:compact'));
      // Athena and Glue for the archive compaction only (lib/constructs/archive-compaction.ts)
      expect(actions.some((a) => /^(athena|glue):/.test(a))).toBe(needs.has('archive:compact'));
      const putsOn = (bus: string) =>
        statementsOf(name).some(
          (s) => [s.Action].flat().includes('events:PutEvents') && JSON.stringify(s.Resource).includes(bus),
        );
      expect(putsOn('SupportEventBus')).toBe(needs.has('event-bus:put'));
      // Whatever may write an audit item publishes it (docs/events.md); no other writer gets the bus.
      expect(putsOn('VendorEventBus')).toBe(mayWriteAuditItems(spec));
      expect(actions.includes('events:PutEvents')).toBe(needs.has('event-bus:put') || mayWriteAuditItems(spec));
      expect(actions.includes('kinesis:GetRecords')).toBe(consumer);
      expect(actions.includes('sqs:SendMessage')).toBe(consumer || needs.has('presence-queue:send'));
      const cognitoActions = statementsOf(name).filter((st) =>
        [st.Action].flat().some((a) => a.startsWith('cognito-idp:')),
      );
      const expectedCognito = [
        ...new Set(
          (['invite', 'list', 'remove', 'link'] as const)
            .filter((a) => needs.has(`user-directory:${a}`))
            .flatMap((a) => userDirectoryActions[a])
            // The Pre Token Generation trigger reads MFA settings, by a policy of the stack's (identity.test.ts).
            .concat(name === 'preTokenGeneration' ? ['cognito-idp:AdminGetUser'] : [])
            .concat(
              needs.has('machine-clients')
                ? ['cognito-idp:CreateUserPoolClient', 'cognito-idp:DeleteUserPoolClient']
                : [],
            ),
        ),
      ].sort();
      expect(cognitoActions.flatMap((st) => [st.Action].flat()).sort()).toEqual(expectedCognito);
      // An account's users are one query of the user index: nothing may page through the pool.
      expect(actions.filter((a) => a === 'cognito-idp:ListUsers' || a === 'cognito-idp:*')).toEqual([]);
      // On this region's user pool only.
      for (const st of cognitoActions)
        expect(st.Resource).toEqual({
          'Fn::GetAtt': [stack.getLogicalId(stack.userPool.node.defaultChild as never), 'Arn'],
        });
      expect(
        actions.filter(
          (a) =>
            !/^(dynamodb|kms|xray|kinesis|s3|sqs|events|cognito-idp|secretsmanager|execute-api|ses|athena|glue):/.test(
              a,
            ),
        ),
      ).toEqual([]);
      // Reading and deleting in S3: the compaction, through Athena (the archive and the query results)
      expect([...new Set(actions.filter((a) => /^s3:(Get|List|Delete)/.test(a)))].sort()).toEqual(
        needs.has('archive:compact')
          ? ['s3:DeleteObject', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket']
          : [],
      );
      // Mail only for the functions that need it, and only SendEmail (mail.test.ts: on which resources).
      expect(actions.filter((a) => a.startsWith('ses:'))).toEqual(needs.has('mail:send') ? ['ses:SendEmail'] : []);
    });

    it("grants table access on this region's table and its indexes", () => {
      // Arrange
      const tableStatement = statementsOf('getAccount').find((s) => [s.Action].flat().includes('dynamodb:Query'));
      const tableArn =
        key === 'eu'
          ? {
              'Fn::ImportValue': expect.stringMatching(
                /^ucx-test-eu-stateful:ExportsOutputFnGetAttLicensingTable.*Arn/,
              ),
            }
          : `arn:aws:dynamodb:us-east-1:${testAccount}:table/ucx-test-licensing`;

      // Assert
      expect(tableStatement?.Resource).toEqual([
        tableArn,
        key === 'eu' ? { 'Fn::Join': ['', [tableArn, '/index/*']] } : `${tableArn as string}/index/*`,
      ]);
    });

    it("signs with this region's key only", () => {
      // Arrange
      const kmsStatement = statementsOf('getLicense').find((s) => [s.Action].flat().includes('kms:Sign'));

      // Assert
      expect(kmsStatement?.Resource).toEqual({
        'Fn::ImportValue': expect.stringMatching(new RegExp(`^ucx-test-${key}-stateful:`)),
      });
    });

    it("reads every region's public key only through the shared alias", () => {
      // Arrange
      const statement = statementsOf('jwks').find((s) => [s.Action].flat().includes('kms:GetPublicKey'));

      // Assert
      expect(statement).toEqual({
        Action: 'kms:GetPublicKey',
        Effect: 'Allow',
        Resource: [`arn:aws:kms:eu-central-1:${testAccount}:key/*`, `arn:aws:kms:us-east-1:${testAccount}:key/*`],
        Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/ucx-test-licence-signing'] } },
      });
    });

    it("lets the ingest function put records on this region's telemetry stream only", () => {
      // Arrange
      const kinesisStatements = statementsOf('ingestTelemetry').filter((s) =>
        [s.Action].flat().some((a) => a.startsWith('kinesis:')),
      );

      // Assert
      expect(kinesisStatements).toEqual([
        {
          Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
          Effect: 'Allow',
          Resource: {
            'Fn::ImportValue': expect.stringMatching(
              new RegExp(`^ucx-test-${key}-stateful:ExportsOutputFnGetAttTelemetryStream.*Arn`),
            ),
          },
        },
      ]);
    });

    it("grants support-table access on this region's support table and its indexes only", () => {
      // Arrange
      const supportTableArn = {
        'Fn::ImportValue': expect.stringMatching(
          new RegExp(`^ucx-test-${key}-stateful:ExportsOutputFnGetAttSupportTable.*Arn`),
        ),
      };
      const onSupportTable = (name: FunctionName) =>
        statementsOf(name).filter((s) => JSON.stringify(s.Resource).includes('SupportTable'));

      // Assert
      for (const name of ['evaluateRules', 'sweepSilent'] as const) {
        expect(onSupportTable(name)).toHaveLength(1);
        expect(onSupportTable(name)[0]?.Resource).toEqual([
          supportTableArn,
          { 'Fn::Join': ['', [supportTableArn, '/index/*']] },
        ]);
        expect([onSupportTable(name)[0]?.Action].flat()).toEqual(
          expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem']),
        );
      }
    });

    it.each(['evaluateRules', 'sweepSilent'] as const)(
      "lets %s put events on this region's support bus only",
      (name) => {
        // Arrange
        const eventStatements = statementsOf(name).filter((s) =>
          [s.Action].flat().some((a) => a.startsWith('events:')),
        );

        // Assert
        expect(eventStatements).toEqual([
          {
            Action: 'events:PutEvents',
            Effect: 'Allow',
            Resource: {
              'Fn::ImportValue': expect.stringMatching(
                new RegExp(`^ucx-test-${key}-stateful:ExportsOutputFnGetAttSupportEventBus.*Arn`),
              ),
            },
          },
        ]);
      },
    );

    it("grants the archive key only to the archiver (data keys for its PUTs) and the compaction (Athena's reads and writes)", () => {
      // Arrange: CT.S3.PR.10 and CT.ATHENA.PR.2, the archive and results buckets are SSE-KMS under it
      const keyActions = (name: FunctionName) =>
        statementsOf(name)
          .filter((s) => JSON.stringify(s.Resource).includes('TelemetryArchiveKey'))
          .flatMap((s) => [s.Action].flat())
          .sort();

      // Assert
      expect(keyActions('archiveTelemetry')).toEqual(['kms:GenerateDataKey']);
      expect(keyActions('compactArchive')).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      expect(
        specs
          .map(([name]) => name)
          .filter((name) => name !== 'archiveTelemetry' && name !== 'compactArchive' && keyActions(name).length > 0),
      ).toEqual([]);
    });

    it('gives the rules 1024 MB and 60 s, and the sweep 300 s', () => {
      expect(functionOf('evaluateRules').Properties).toMatchObject({ MemorySize: 1024, Timeout: 60 });
      expect(functionOf('sweepSilent').Properties).toMatchObject({ MemorySize: 256, Timeout: 300 });
    });

    it("lets the archiver write under beats/ of this region's archive bucket only", () => {
      // Arrange
      const s3Statements = statementsOf('archiveTelemetry').filter((s) =>
        [s.Action].flat().some((a) => a.startsWith('s3:')),
      );

      // Assert
      expect(s3Statements).toHaveLength(1);
      expect(s3Statements[0]?.Resource).toEqual({
        'Fn::Join': [
          '',
          [
            {
              'Fn::ImportValue': expect.stringMatching(
                new RegExp(`^ucx-test-${key}-stateful:ExportsOutputFnGetAttTelemetryArchiveBucket.*Arn`),
              ),
            },
            '/beats/*',
          ],
        ],
      });
    });

    it.each(specs)('%s logs to its own log group, kept 30 days', (name) => {
      // Arrange
      const logGroupId = (functionOf(name).Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;

      // Assert
      expect(resources[logGroupId]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
      expect(resources[logGroupId]?.Properties.LogGroupName).toBeUndefined();
    });
  });

  describe('stream consumers', () => {
    const mappings = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');

    it("has one event source mapping per entry of streamConsumers, and the presence fan-out queue's, no more", () => {
      expect(mappings).toHaveLength(streamConsumers.length + 1);
    });

    it.each(streamConsumers.map((c) => [c.fn, c] as const))(
      "%s reads this region's telemetry stream, reports item failures, bisects, and gives up into its own queue",
      (fn, consumer) => {
        // Arrange
        const mapping = mappings.find(
          (m) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: logicalIdOf(fn) }),
        );
        const queueId = stack.getLogicalId(stack.functions[fn].onFailureQueue?.node.defaultChild as never);

        // Assert
        expect(mapping?.Properties).toEqual({
          FunctionName: { Ref: logicalIdOf(fn) },
          EventSourceArn: {
            'Fn::ImportValue': expect.stringMatching(
              new RegExp(`^ucx-test-${key}-stateful:ExportsOutputFnGetAttTelemetryStream.*Arn`),
            ),
          },
          StartingPosition: 'TRIM_HORIZON',
          BatchSize: consumer.batchSize,
          MaximumBatchingWindowInSeconds: consumer.maxBatchingWindowSeconds,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          BisectBatchOnFunctionError: true,
          MaximumRetryAttempts: consumer.retryAttempts,
          MaximumRecordAgeInSeconds: consumer.maxRecordAgeSeconds,
          ParallelizationFactor: 1,
          DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
        });
        expect(consumer.retryAttempts).toBeGreaterThanOrEqual(0);
        expect(consumer.maxRecordAgeSeconds).toBeLessThanOrEqual(48 * 3600);
      },
    );

    it('feeds the archiver and the rules from the same stream, each with its own on-failure queue', () => {
      // Arrange
      const consumers = ['archiveTelemetry', 'evaluateRules'] as const;
      const queueIds = consumers.map((fn) =>
        stack.getLogicalId(stack.functions[fn].onFailureQueue?.node.defaultChild as never),
      );
      const destinations = consumers.map(
        (fn) =>
          mappings.find((m) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: logicalIdOf(fn) }))
            ?.Properties.DestinationConfig.OnFailure.Destination,
      );

      // Assert
      expect(streamConsumers.map((c) => c.fn).sort()).toEqual([...consumers].sort());
      const streamMappings = mappings.filter((m) => m.Properties.StartingPosition !== undefined);
      expect(new Set(streamMappings.map((m) => JSON.stringify(m.Properties.EventSourceArn))).size).toBe(1);
      expect(new Set(queueIds).size).toBe(2);
      expect(destinations).toEqual(queueIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })));
    });

    it('evaluates rules within seconds, with bounded retries and a record age inside the stream retention', () => {
      // Arrange
      const rules = streamConsumers.find((c) => c.fn === 'evaluateRules');

      // Assert
      expect(rules).toMatchObject({
        batchSize: 100,
        maxBatchingWindowSeconds: 5,
        retryAttempts: 5,
        maxRecordAgeSeconds: 6 * 3600,
        bisect: true,
      });
    });

    it('archives in the largest batches Lambda offers: 10 000 records, a 300 s window', () => {
      // Arrange
      const archiver = streamConsumers.find((c) => c.fn === 'archiveTelemetry');

      // Assert
      expect(archiver).toMatchObject({ batchSize: 10_000, maxBatchingWindowSeconds: 300, bisect: true });
    });

    it.each(['archiveTelemetry', 'evaluateRules'] as const)(
      '%s sends what it gives up on to an encrypted, TLS-only queue that keeps messages 14 days',
      (fn) => {
        // Arrange
        const queueId = stack.getLogicalId(stack.functions[fn].onFailureQueue?.node.defaultChild as never);

        // Assert
        expect(resources[queueId]).toMatchObject({
          Type: 'AWS::SQS::Queue',
          Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 },
        });
        template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: queueId }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Effect: 'Deny',
                Action: 'sqs:*',
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              }),
            ]),
          },
        });
      },
    );
  });

  describe('the stale-installation release', () => {
    it('runs releaseStale every hour through EventBridge Scheduler, dead-lettering beside the sweep', () => {
      // Arrange
      const id = stack.getLogicalId(stack.staleReleaseSchedule.node.defaultChild as never);
      const dlqId = stack.getLogicalId(stack.silentSweepDeadLetterQueue.node.defaultChild as never);

      // Assert
      expect(resources[id]?.Properties).toMatchObject({
        ScheduleExpression: 'rate(1 hour)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: { 'Fn::GetAtt': [logicalIdOf('releaseStale'), 'Arn'] },
          Input: '{}',
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
        },
      });
    });
  });

  describe('the account view repair', () => {
    it("runs releaseStale's repair alone every 5 minutes, with its input, dead-lettering beside the sweep", () => {
      // Arrange
      const id = stack.getLogicalId(stack.accountViewRepairSchedule.node.defaultChild as never);
      const dlqId = stack.getLogicalId(stack.silentSweepDeadLetterQueue.node.defaultChild as never);

      // Assert
      expect(resources[id]?.Properties).toMatchObject({
        ScheduleExpression: 'rate(5 minutes)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: { 'Fn::GetAtt': [logicalIdOf('releaseStale'), 'Arn'] },
          Input: JSON.stringify({ job: 'account-views' }),
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 300 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
        },
      });
    });
  });

  describe('the archive compaction', () => {
    it('runs compactArchive every hour through EventBridge Scheduler, dead-lettering beside the sweep, 15 minutes a run', () => {
      // Arrange
      const [id] =
        Object.entries(resources).find(
          ([rid, r]) => r.Type === 'AWS::Scheduler::Schedule' && rid.startsWith('ArchiveCompactionSchedule'),
        ) ?? [];
      const dlqId = stack.getLogicalId(stack.silentSweepDeadLetterQueue.node.defaultChild as never);

      // Assert
      expect(resources[id!]?.Properties).toMatchObject({
        ScheduleExpression: 'rate(1 hour)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: { 'Fn::GetAtt': [logicalIdOf('compactArchive'), 'Arn'] },
          Input: '{}',
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
        },
      });
      expect(functionOf('compactArchive').Properties).toMatchObject({
        Timeout: 900,
        Environment: {
          Variables: expect.objectContaining({
            TELEMETRY_DATABASE: 'ucx_test_telemetry',
            ATHENA_WORKGROUP: 'ucx-test-telemetry',
            ARCHIVE_RAW_DAYS: '7',
          }),
        },
      });
    });

    it('may start queries in the telemetry workgroup only, and write only the Parquet runs and manifests', () => {
      // Arrange
      const statements = statementsOf('compactArchive');
      const on = (action: string) =>
        statements.filter((s) => [s.Action].flat().includes(action)).map((s) => JSON.stringify(s.Resource));

      // Assert
      expect(on('athena:StartQueryExecution')).toEqual([expect.stringContaining(':workgroup/ucx-test-telemetry')]);
      expect(on('s3:DeleteObject').join()).toMatch(/parquet-runs\/\*.*parquet\/\*/);
      expect(on('s3:DeleteObject').join()).not.toContain('beats/');
    });
  });

  describe('the missing-beat sweep', () => {
    const [scheduleId, schedule] =
      Object.entries(resources).find(([, r]) => r.Type === 'AWS::Scheduler::Schedule') ?? [];
    const roleId = (schedule!.Properties.Target.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const dlqId = stack.getLogicalId(stack.silentSweepDeadLetterQueue.node.defaultChild as never);

    it('runs sweepSilent every 15 minutes through EventBridge Scheduler, on time, with {} as its event', () => {
      // Assert
      // This one, the stale-installation release's and its account-view repair's (below), the presence
      // renewal's (presence.test.ts), the terms job's and the account eraser's (retention.test.ts), the
      // archive compaction's (below).
      template.resourceCountIs('AWS::Scheduler::Schedule', 7);
      expect(scheduleId).toBe(stack.getLogicalId(stack.silentSweepSchedule.node.defaultChild as never));
      expect(schedule?.Properties).toMatchObject({
        ScheduleExpression: 'rate(15 minutes)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Target: { Arn: { 'Fn::GetAtt': [logicalIdOf('sweepSilent'), 'Arn'] }, Input: '{}' },
      });
    });

    it('retries a failed delivery a bounded number of times, then dead-letters it into an encrypted queue', () => {
      // Assert
      expect(schedule?.Properties.Target).toMatchObject({
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 900 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
      });
      expect(resources[dlqId]).toMatchObject({
        Type: 'AWS::SQS::Queue',
        Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 },
      });
    });

    it('assumes a role that only the scheduler of this account may assume, and that may only invoke sweepSilent and dead-letter', () => {
      // Arrange
      const policies = Object.values(resources).filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
      );
      const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);

      // Assert
      expect(resources[roleId]?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        expect.objectContaining({
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: {
              'aws:SourceAccount': testAccount,
              'aws:SourceArn': `arn:aws:scheduler:${region}:${testAccount}:schedule-group/default`,
            },
          },
        }),
      ]);
      expect(statements).toEqual([
        expect.objectContaining({
          Action: 'lambda:InvokeFunction',
          Resource: [
            { 'Fn::GetAtt': [logicalIdOf('sweepSilent'), 'Arn'] },
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf('sweepSilent'), 'Arn'] }, ':*']] },
          ],
        }),
        expect.objectContaining({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [dlqId, 'Arn'] } }),
      ]);
    });
  });

  it("references no other region's stacks (EU telemetry is never written in the US, nor the reverse)", () => {
    // Arrange
    const other = regionKeys.find((k) => k !== key) as RegionKey;
    const otherRegion = stacks[other].stateless.region;

    // Act
    const text = JSON.stringify(template.toJSON());

    // Assert
    expect(text).not.toContain(`ucx-test-${other}-stateful`);
    // The other region appears only in the JWKS's KMS ARNs (its public signing key, by alias).
    const mentions = [...text.matchAll(new RegExp(`arn:aws:[a-z0-9-]+:${otherRegion}:`, 'g'))].map((m) => m[0]);
    expect(mentions.length).toBeGreaterThan(0);
    expect(mentions.filter((m) => m !== `arn:aws:kms:${otherRegion}:`)).toEqual([]);
  });

  describe('the user pool', () => {
    it('lets users sign up and in with a verified e-mail, a strong password and e-mail recovery', () => {
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        Policies: {
          PasswordPolicy: Match.objectLike({
            MinimumLength: 12,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
          }),
        },
        AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
        Schema: Match.arrayWith([
          Match.objectLike({ Name: 'accountId', AttributeDataType: 'String' }),
          Match.objectLike({ Name: 'resellerId', AttributeDataType: 'String' }),
        ]),
        DeletionProtection: 'ACTIVE',
      });
      // Users are state: a stack deletion or replacement must not take them along.
      template.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    });

    it('has the backoffice, support, reseller and customer groups', () => {
      // Arrange
      const groups = Object.values(template.findResources('AWS::Cognito::UserPoolGroup')).map(
        (r) => r.Properties.GroupName as string,
      );

      // Assert
      expect(groups.sort()).toEqual(['backoffice', 'customer', 'reseller', 'support']);
    });

    it('has a public client (SRP only) that cannot write accountId or resellerId', () => {
      template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        GenerateSecret: false,
        ExplicitAuthFlows: Match.arrayEquals(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
        WriteAttributes: ['email'],
        ReadAttributes: Match.arrayWith(['custom:accountId', 'custom:resellerId']),
        PreventUserExistenceErrors: 'ENABLED',
      });
    });
  });

  it('outputs the API URL, the user pool id and the client id (the on-call topic: the operations stack)', () => {
    // Arrange
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown; Export?: unknown }>;

    // Assert
    expect(
      Object.keys(outputs)
        .filter((k) => outputs[k]?.Export === undefined)
        .sort(),
    ).toEqual(['ApiUrl', 'PortalUrl', 'PresenceUrl', 'UserPoolClientId', 'UserPoolId']);
    expect(outputs.PortalUrl?.Value).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { 'Fn::GetAtt': [stack.getLogicalId(stack.portal.distribution.node.defaultChild as never), 'DomainName'] },
        ],
      ],
    });
    expect(outputs.ApiUrl?.Value).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { Ref: stack.getLogicalId(stack.api.node.defaultChild as never) },
          `.execute-api.${region}.`,
          { Ref: 'AWS::URLSuffix' },
          '/',
        ],
      ],
    });
  });
});

describe.each(regionKeys)('the %s portal', (key) => {
  const stack = stacks[key].stateless;
  const template = templates[key];
  const region = stack.region;
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const idOf = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);

  it('keeps its bucket private, encrypted and TLS-only', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: Match.objectLike({}),
    });
    const policy = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::S3::BucketPolicy' &&
        JSON.stringify(r.Properties.Bucket) === JSON.stringify({ Ref: idOf(stack.portal.bucket) }),
    );
    const statements = policy?.Properties.PolicyDocument.Statement as {
      Effect: string;
      Principal: unknown;
      Condition?: unknown;
    }[];
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]),
    );
    // Only CloudFront (and CDK's auto-delete, none here) may read: no '*' principal allowed.
    expect(statements.filter((st) => st.Effect === 'Allow').map((st) => st.Principal)).toEqual([
      { Service: 'cloudfront.amazonaws.com' },
    ]);
  });

  it('is served through origin access control, HTTPS only, with the security headers and Cognito of its own region in the CSP', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const distribution = resources[idOf(stack.portal.distribution)]!.Properties.DistributionConfig as CfnJson;
    expect(distribution.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      ResponseHeadersPolicyId: { Ref: idOf(stack.portal.responseHeadersPolicy) },
    });
    expect(distribution.Origins).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          OriginAccessControlId: expect.anything(),
          S3OriginConfig: { OriginAccessIdentity: '' },
        }),
      ]),
    );
    const behaviours = distribution.CacheBehaviors as {
      PathPattern: string;
      ViewerProtocolPolicy: string;
      ResponseHeadersPolicyId: unknown;
    }[];
    expect(behaviours.map((b) => [b.PathPattern, b.ViewerProtocolPolicy])).toEqual([
      ['/v1/*', 'https-only'],
      ['/.well-known/*', 'https-only'],
    ]);
    const apiOrigin = (
      distribution.Origins as { DomainName: unknown; CustomOriginConfig?: { OriginProtocolPolicy: string } }[]
    ).find((o) => o.CustomOriginConfig);
    expect(apiOrigin).toMatchObject({ CustomOriginConfig: { OriginProtocolPolicy: 'https-only' } });
    expect(JSON.stringify(apiOrigin?.DomainName)).toContain(idOf(stack.api));
    const headers =
      resources[idOf(stack.portal.responseHeadersPolicy)]!.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(headers).toMatchObject({
      FrameOptions: { FrameOption: 'DENY' },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31536000 },
      ContentTypeOptions: { Override: true },
    });
    expect(headers.ContentSecurityPolicy.ContentSecurityPolicy).toContain(
      `connect-src 'self' https://cognito-idp.${region}.amazonaws.com;`,
    );
  });

  it("deploys the built portal and a config.json naming this region's API, user pool and client", () => {
    const [deployment] = Object.values(template.findResources('Custom::CDKBucketDeployment')) as Resource[];
    expect(deployment?.Properties).toMatchObject({
      DestinationBucketName: { Ref: idOf(stack.portal.bucket) },
      DistributionId: { Ref: idOf(stack.portal.distribution) },
    });
    // Two sources: the esbuild-built app and the generated config.json (with its deploy-time markers).
    expect(deployment?.Properties.SourceObjectKeys).toHaveLength(2);
    const markers = JSON.stringify(deployment?.Properties.SourceMarkers);
    expect(markers).toContain(idOf(stack.userPool));
    expect(markers).toContain(idOf(stack.userPoolClient));
    expect(markers).toContain(idOf(stack.api));
  });

  it('lets the upload write only the portal bucket and invalidate only its distribution', () => {
    const [deployment] = Object.values(template.findResources('Custom::CDKBucketDeployment')) as Resource[];
    const providerId = (deployment!.Properties.ServiceToken as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const roleId = (resources[providerId]!.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = Object.values(resources)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
      )
      .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
    const actions = statements.flatMap((st) => [st.Action].flat()).sort();
    expect(actions).toEqual(
      [
        'cloudfront:CreateInvalidation',
        'cloudfront:GetInvalidation',
        's3:DeleteObject',
        's3:GetObject',
        's3:GetObject',
        's3:ListBucket',
        's3:PutObject',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ].sort(),
    );
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    expect(resources[roleId]!.Properties.ManagedPolicyArns).toBeUndefined();
    expect(JSON.stringify(statements)).toContain(`cdk-hnb659fds-assets-${testAccount}-${region}/*`);
  });
});

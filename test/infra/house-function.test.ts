import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Stream } from 'aws-cdk-lib/aws-kinesis';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { HouseFunction, type ConsumeStreamOptions, type HouseFunctionProps } from '#lib/constructs/house-function';
import { testAppContext } from './test-app';

const baseProps: HouseFunctionProps = {
  entry: 'openapi',
  regionKey: 'eu',
  regionEndpoints: { eu: 'https://eu.example', us: 'https://us.example' },
  nextPollSeconds: 900,
  licenseTtlDays: 30,
};

const consumeOptions: ConsumeStreamOptions = {
  batchSize: 100,
  maxBatchingWindow: Duration.seconds(5),
  retryAttempts: 3,
  maxRecordAge: Duration.hours(1),
  bisectBatchOnError: true,
};

const newStack = (context = testAppContext()) =>
  new Stack(new App({ context }), 'HouseFunctionTest', { env: { account: '123456789012', region: 'eu-central-1' } });

describe('HouseFunction', () => {
  it.each([
    [{ memoryMb: 100 }, 'HouseFunction Fn: memoryMb must be an integer from 128 to 10240, got 100'],
    [{ memoryMb: 256.5 }, 'HouseFunction Fn: memoryMb must be an integer from 128 to 10240, got 256.5'],
    [
      { logRetentionDays: 31 },
      'HouseFunction Fn: logRetentionDays 31 is not a CloudWatch retention (e.g. 7, 14, 30, 60, 90, 365)',
    ],
    [{ timeout: Duration.minutes(16) }, 'HouseFunction Fn: timeout must be from 1 to 900 s, got 960 s'],
    [
      { regionKey: 'us' as const, regionEndpoints: { eu: 'https://eu.example' } as never },
      'HouseFunction Fn: regionEndpoints has no endpoint for its own region us',
    ],
    [{ metricsFlushSeconds: 0.5 }, 'HouseFunction Fn: metricsFlushSeconds must be an integer from 1 to 3600, got 0.5'],
    [
      { entry: 'no-such-handler' },
      `HouseFunction Fn: handler file ${path.resolve('lambdas/handlers/no-such-handler.ts')} does not exist`,
    ],
  ])('refuses %j at synth', (override, message) => {
    // Arrange
    const stack = newStack();

    // Act / Assert
    expect(() => new HouseFunction(stack, 'Fn', { ...baseProps, ...override })).toThrow(message);
  });

  it('refuses a second table, a second signing key and malformed verify-key refs', () => {
    // Arrange
    const stack = newStack();
    const fn = new HouseFunction(stack, 'Fn', baseProps);
    const table = TableV2.fromTableName(stack, 'A', 'a-table');

    // Act
    fn.bindTable(table, 'read');

    // Assert
    expect(() => fn.bindTable(TableV2.fromTableName(stack, 'B', 'b-table'), 'write')).toThrow(
      'HouseFunction Fn: bindTable called with a second table; TABLE_NAME holds one',
    );
    expect(() => fn.bindVerifyKeys([])).toThrow('HouseFunction Fn: bindVerifyKeys needs at least one KMS alias ARN');
    expect(() => fn.bindVerifyKeys(['arn:aws:kms:eu-central-1:123456789012:key/abc'])).toThrow(
      'HouseFunction Fn: bindVerifyKeys expects KMS alias ARNs (arn:…:kms:<region>:<account>:alias/<name>), got arn:aws:kms:eu-central-1:123456789012:key/abc',
    );
  });

  it('upgrades read to write on the same table without a second TABLE_NAME', () => {
    // Arrange
    const stack = newStack();
    const fn = new HouseFunction(stack, 'Fn', baseProps);
    const table = TableV2.fromTableName(stack, 'A', 'a-table');

    // Act
    fn.bindTable(table, 'read').bindTable(table, 'write');

    // Assert
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { TABLE_NAME: 'a-table' } },
    });
  });

  it('binds a telemetry stream for writing: PutRecord(s) only, and TELEMETRY_STREAM_NAME', () => {
    // Arrange
    const stack = newStack();
    const fn = new HouseFunction(stack, 'Fn', baseProps);
    const stream = Stream.fromStreamArn(stack, 'S', 'arn:aws:kinesis:eu-central-1:123456789012:stream/beats');

    // Act
    fn.bindTelemetryStream(stream, 'write');

    // Assert
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TELEMETRY_STREAM_NAME: 'beats' }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
            Effect: 'Allow',
            Resource: 'arn:aws:kinesis:eu-central-1:123456789012:stream/beats',
          },
        ]),
      },
    });
    expect(() => fn.bindTelemetryStream(stream, 'write')).toThrow(
      'HouseFunction Fn: bindTelemetryStream called twice; TELEMETRY_STREAM_NAME holds one stream',
    );
  });

  it('binds an archive bucket for writing under beats/ only, and ARCHIVE_BUCKET', () => {
    // Arrange
    const stack = newStack();
    const fn = new HouseFunction(stack, 'Fn', baseProps);
    const bucket = Bucket.fromBucketName(stack, 'B', 'archive');

    // Act
    fn.bindArchiveBucket(bucket, 'write');

    // Assert
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ARCHIVE_BUCKET: 'archive' }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            // PutObject alone: not grantPut's Abort*, tagging, legal hold or retention
            Action: 's3:PutObject',
            Resource: 'arn:aws:s3:::archive/beats/*',
          }),
        ]),
      },
    });
    expect(() => fn.bindArchiveBucket(bucket, 'write')).toThrow(
      'HouseFunction Fn: bindArchiveBucket called twice; ARCHIVE_BUCKET holds one bucket',
    );
  });

  it('binds a support table for reading (GetItem, Query on the table and its indexes, no writes) and SUPPORT_TABLE_NAME', () => {
    // Arrange
    const stack = newStack();
    const fn = new HouseFunction(stack, 'Fn', baseProps);
    const table = new Table(stack, 'Support', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    table.addGlobalSecondaryIndex({ indexName: 'gsi1', partitionKey: { name: 'gsi1pk', type: AttributeType.STRING } });
    const tableArn = { 'Fn::GetAtt': [stack.getLogicalId(table.node.defaultChild as never), 'Arn'] };

    // Act
    fn.bindSupportTable(table, 'read');

    // Assert
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          SUPPORT_TABLE_NAME: { Ref: stack.getLogicalId(table.node.defaultChild as never) },
        }),
      },
    });
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy'));
    const statement = (policy!.Properties.PolicyDocument.Statement as { Action: string[]; Resource: unknown }[]).find(
      (s) => [s.Action].flat().includes('dynamodb:Query'),
    );
    expect(statement?.Resource).toEqual([tableArn, { 'Fn::Join': ['', [tableArn, '/index/*']] }]);
    expect(statement?.Action).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
    expect(statement?.Action).not.toContain('dynamodb:PutItem');
  });

  it('upgrades a support table to write and refuses a second one', () => {
    // Arrange
    const stack = newStack();
    const fn = new HouseFunction(stack, 'Fn', baseProps);
    const table = TableV2.fromTableName(stack, 'A', 'support-a');

    // Act
    fn.bindSupportTable(table, 'read').bindSupportTable(table, 'write');

    // Assert
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['dynamodb:PutItem']) })]),
      },
    });
    expect(() => fn.bindSupportTable(TableV2.fromTableName(stack, 'B', 'support-b'), 'read')).toThrow(
      'HouseFunction Fn: bindSupportTable called with a second table; SUPPORT_TABLE_NAME holds one',
    );
  });

  it('binds an event bus: PutEvents on that bus only, and EVENT_BUS_NAME', () => {
    // Arrange
    const stack = newStack();
    const fn = new HouseFunction(stack, 'Fn', baseProps);
    const bus = EventBus.fromEventBusArn(stack, 'Bus', 'arn:aws:events:eu-central-1:123456789012:event-bus/support');

    // Act
    fn.bindEventBus(bus);

    // Assert
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ EVENT_BUS_NAME: 'support' }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'events:PutEvents',
            Effect: 'Allow',
            Resource: 'arn:aws:events:eu-central-1:123456789012:event-bus/support',
          },
        ]),
      },
    });
    expect(() => fn.bindEventBus(bus)).toThrow(
      'HouseFunction Fn: bindEventBus called twice; EVENT_BUS_NAME holds one bus',
    );
  });

  it('consumes a stream with item failures, bisect, bounded retries and age, and its own on-failure queue', () => {
    // Arrange
    const stack = newStack();
    const fn = new HouseFunction(stack, 'Fn', baseProps);
    const stream = Stream.fromStreamArn(stack, 'S', 'arn:aws:kinesis:eu-central-1:123456789012:stream/beats');

    // Act
    fn.consumeStream(stream, consumeOptions);

    // Assert
    const template = Template.fromStack(stack);
    const queueId = stack.getLogicalId(fn.onFailureQueue?.node.defaultChild as never);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: 'arn:aws:kinesis:eu-central-1:123456789012:stream/beats',
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 3,
      MaximumRecordAgeInSeconds: 3600,
      ParallelizationFactor: 1,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    expect(fn.streamEventSource).toBeDefined();
    expect(() => fn.consumeStream(stream, consumeOptions)).toThrow(
      'HouseFunction Fn: consumeStream called twice; a house function consumes one stream',
    );
  });

  it.each([
    [{ batchSize: 0 }, 'batchSize must be an integer from 1 to 10000, got 0'],
    [{ maxBatchingWindow: Duration.minutes(6) }, 'maxBatchingWindow must be from 0 to 300 s, got 360 s'],
    [{ retryAttempts: -1 }, 'retryAttempts must be an integer from 0 to 10000, got -1'],
    [{ maxRecordAge: Duration.seconds(30) }, 'maxRecordAge must be from 60 s to 7 days, got 30 s'],
    [{ maxRecordAge: Duration.days(8) }, 'maxRecordAge must be from 60 s to 7 days, got 691200 s'],
  ])('refuses to consume a stream with %j', (override, message) => {
    // Arrange
    const stack = newStack();
    const fn = new HouseFunction(stack, 'Fn', baseProps);
    const stream = Stream.fromStreamArn(stack, 'S', 'arn:aws:kinesis:eu-central-1:123456789012:stream/beats');

    // Act / Assert
    expect(() => fn.consumeStream(stream, { ...consumeOptions, ...override })).toThrow(
      `HouseFunction Fn: consumeStream: ${message}`,
    );
    expect(fn.onFailureQueue).toBeUndefined();
  });

  it('takes memory and retention from its props', () => {
    // Arrange
    const stack = newStack();

    // Act
    new HouseFunction(stack, 'Fn', { ...baseProps, memoryMb: 1024, logRetentionDays: 90 });

    // Assert
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 1024 });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('logs JSON without the platform START/END/REPORT lines, and sums metrics only when asked', () => {
    // Arrange
    const stack = newStack();

    // Act
    new HouseFunction(stack, 'Plain', baseProps);
    new HouseFunction(stack, 'Hot', { ...baseProps, metricsFlushSeconds: 60 });

    // Assert
    const template = Template.fromStack(stack);
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
      Properties: { LoggingConfig: unknown; Environment: { Variables: Record<string, string> } };
    }[];
    expect(functions).toHaveLength(2);
    for (const fn of functions) {
      expect(fn.Properties.LoggingConfig).toMatchObject({
        LogFormat: 'JSON',
        SystemLogLevel: 'WARN',
        ApplicationLogLevel: 'INFO',
      });
    }
    expect(functions.map((f) => f.Properties.Environment.Variables.METRICS_FLUSH_SECONDS).sort()).toEqual([
      '60',
      undefined,
    ]);
  });

  /** Synthesizes these functions with real bundling into a temp dir: each one's index.mjs by id. */
  function synthBundles(stackName: string, functions: Record<string, Partial<HouseFunctionProps>>) {
    const outdir = mkdtempSync(path.join(tmpdir(), 'ucx-bundle-'));
    // The CLI sets enable-asset-metadata; it tells where the bundle landed (and the local cloud reads it).
    const app = new App({
      context: { ...testAppContext({ bundle: true }), 'aws:cdk:enable-asset-metadata': true },
      outdir,
    });
    const stack = new Stack(app, stackName, { env: { account: '123456789012', region: 'eu-central-1' } });
    for (const [id, props] of Object.entries(functions)) new HouseFunction(stack, id, { ...baseProps, ...props });
    const assembly = app.synth();
    const resources = Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    const bundleOf = (id: string) => {
      const [, fn] = resources.find(([logicalId]) => logicalId.startsWith(id)) ?? [];
      return path.join(assembly.directory, fn?.Metadata['aws:asset:path'] as string, 'index.mjs');
    };
    const tracingOf = (id: string) =>
      resources.find(([logicalId]) => logicalId.startsWith(id))?.[1].Properties.TracingConfig;
    return { bundleOf, tracingOf, remove: () => rmSync(outdir, { recursive: true, force: true }) };
  }

  it('bundles a real handler offline with the local esbuild into an ESM bundle with a source map', () => {
    // Arrange, Act
    const { bundleOf, remove } = synthBundles('BundleTest', { Jwks: { entry: 'jwks' } });

    try {
      // Assert
      const bundle = readFileSync(bundleOf('Jwks'), 'utf8');
      expect(
        bundle.startsWith("import { createRequire } from 'module'; const require = createRequire(import.meta.url);"),
      ).toBe(true);
      expect(bundle).toMatch(/export\s*\{[^}]*\bhandler\b/);
      expect(existsSync(`${bundleOf('Jwks')}.map`)).toBe(true);
    } finally {
      remove();
    }
  }, 60_000);

  it('leaves the X-Ray SDK out of a pass-through or invocation-only function’s bundle (the default), and keeps it in an active one’s', () => {
    // Arrange, Act: the same handler, traced with SDK subsegments, by default, traced by Lambda alone and pass-through
    const { bundleOf, tracingOf, remove } = synthBundles('TracingBundleTest', {
      Traced: { entry: 'jwks', tracing: 'active' },
      Unset: { entry: 'jwks' },
      Invocation: { entry: 'jwks', tracing: 'invocation' },
      PassThrough: { entry: 'jwks', tracing: 'pass-through' },
    });

    try {
      // Assert: the packages each bundle was built from, by its source map
      const sourcesOf = (id: string) =>
        (JSON.parse(readFileSync(`${bundleOf(id)}.map`, 'utf8')) as { sources: string[] }).sources;
      const xray = (sources: string[]) =>
        sources.filter((s) => /aws-xray-sdk-core|cls-hooked|lambdas\/shared\/xray\.ts/.test(s));
      expect(xray(sourcesOf('Traced')).length).toBeGreaterThan(0);
      for (const id of ['Unset', 'Invocation', 'PassThrough']) {
        expect(xray(sourcesOf(id))).toEqual([]);
        expect(sourcesOf(id).some((s) => s.endsWith('lambdas/shared/xray-off.ts'))).toBe(true);
      }
      // Lambda still samples the invocation-only function
      expect([tracingOf('Traced'), tracingOf('Unset'), tracingOf('Invocation'), tracingOf('PassThrough')]).toEqual([
        { Mode: 'Active' },
        { Mode: 'Active' },
        { Mode: 'Active' },
        { Mode: 'PassThrough' },
      ]);
      // and all load: the untraced ones are built without a tracing middleware
      for (const id of ['Traced', 'Unset', 'Invocation', 'PassThrough']) {
        const script = `import(${JSON.stringify(bundleOf(id))}).then((m) => console.log(typeof m.handler))`;
        expect(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim()).toBe(
          'function',
        );
      }
    } finally {
      remove();
    }
  }, 120_000);
});

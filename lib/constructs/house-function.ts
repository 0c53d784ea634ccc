/**
 * The one function construct every Lambda uses: fixes the shared defaults (newest Node.js runtime,
 * arm64, ESM bundle with the SDK inside, source maps, tracing, log retention) and binds what a
 * function needs from the stateful stack with helpers that grant *and* set the variable together,
 * and feeds stream and queue consumers with the house event source settings.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IWebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITable, ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  StartingPosition,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { archiveBeatsPrefix, type RegionKey } from '../config';

/**
 * Newest Node.js runtime aws-cdk-lib offers. Pinned, not NODEJS_LATEST: that one moves with the
 * library and lets a dependency bump change every function's runtime unnoticed.
 */
export const houseRuntime = Runtime.NODEJS_24_X;

/** esbuild target matching the runtime, e.g. `node24`. */
const esbuildTarget = houseRuntime.name.replace(/^nodejs(\d+)\.x$/, 'node$1');

/**
 * An ESM bundle has no `require`; CommonJS dependencies bundled into it (parts of the SDK) still
 * call it, so the bundle defines one first.
 */
const esmRequireBanner = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

const validRetentionDays = new Set<number>(
  Object.values(RetentionDays).filter((v): v is number => typeof v === 'number'),
);

export type TableAccess = 'read' | 'write';
/** Producers only: consumers read through `consumeStream`. */
export type StreamAccess = 'write';
/** The archiver writes; readers (Athena) are people, granted outside the functions. */
export type ArchiveAccess = 'write';

/** What a function does with the account users' directory (the region's Cognito user pool). */
export type UserDirectoryAccess = 'invite' | 'list' | 'remove' | 'link';

/** No ListUsers: an account's users are one query of the user index (docs/accounts.md). */
export const userDirectoryActions: Readonly<Record<UserDirectoryAccess, readonly string[]>> = {
  invite: [
    'cognito-idp:AdminGetUser',
    'cognito-idp:AdminCreateUser',
    'cognito-idp:AdminAddUserToGroup',
    'cognito-idp:AdminDeleteUser',
    'cognito-idp:AdminUpdateUserAttributes',
    'cognito-idp:AdminListGroupsForUser',
  ],
  list: ['cognito-idp:AdminGetUser'],
  remove: ['cognito-idp:AdminDeleteUser'],
  link: [
    'cognito-idp:AdminGetUser',
    'cognito-idp:AdminListGroupsForUser',
    'cognito-idp:AdminUpdateUserAttributes',
    'cognito-idp:AdminAddUserToGroup',
  ],
};

/** DynamoDB actions of the presence table per access; a transaction needs no action of its own. */
export const presenceTableActions: Readonly<Record<TableAccess, readonly string[]>> = {
  read: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'],
  write: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:BatchGetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:ConditionCheckItem',
  ],
};

/**
 * The items of a table a writer may touch, as `dynamodb:LeadingKeys` patterns (StringLike: `ACC#*`
 * or one fixed key) of their partition keys.
 */
export interface TableItemScope {
  /** partitions it only reads */
  readonly reads: readonly string[];
  /** partitions it writes, and reads (conditions, replays) */
  readonly writes: readonly string[];
  /**
   * indexes it queries; index entries are not guarded by LeadingKeys
   * @default none
   */
  readonly indexes?: readonly string[];
  /**
   * a whole-table Scan (a Scan has no leading key to check)
   * @default false
   */
  readonly scan?: boolean;
}

/** Item reads (ConditionCheckItem: a transaction's condition on an item it does not write). */
export const tableItemReadActions = [
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
] as const;
/** Item writes; a transaction needs no action of its own, each of its items is checked as one of these. */
export const tableItemWriteActions = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;

/**
 * Reads on the read and written partitions, writes on the written ones, each held to its
 * partitions by `ForAllValues:StringLike` on `dynamodb:LeadingKeys`. ForAllValues holds for a
 * request without keys too (a Scan, PartiQL): `Null` requires them. Queried indexes and a Scan,
 * where declared, are statements of their own.
 */
export function tableItemStatements(tableArn: string, items: TableItemScope): PolicyStatement[] {
  const onPartitions = (patterns: readonly string[]) => ({
    'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...new Set(patterns)] },
    Null: { 'dynamodb:LeadingKeys': 'false' },
  });
  if (items.writes.length === 0) throw new Error('tableItemStatements: a writer writes at least one partition');
  const statements = [
    new PolicyStatement({
      actions: [...tableItemReadActions],
      resources: [tableArn],
      conditions: onPartitions([...items.reads, ...items.writes]),
    }),
    new PolicyStatement({
      actions: [...tableItemWriteActions],
      resources: [tableArn],
      conditions: onPartitions(items.writes),
    }),
  ];
  if (items.indexes?.length)
    statements.push(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: items.indexes.map((name) => `${tableArn}/index/${name}`),
      }),
    );
  if (items.scan) statements.push(new PolicyStatement({ actions: ['dynamodb:Scan'], resources: [tableArn] }));
  return statements;
}

/** Microsoft's endpoints a function signs tenants in and calls Graph at. */
export interface MicrosoftEndpoints {
  /** the identity platform's host, e.g. `https://login.microsoftonline.com` (MS_AUTHORITY_HOST) */
  readonly authorityHost: string;
  /** Graph's base URL without the version, e.g. `https://graph.microsoft.com` (MS_GRAPH_URL) */
  readonly graphUrl: string;
}

/** How a house function consumes an SQS queue (see `presenceQueueConsumer` in lib/routes.ts). */
export interface ConsumeQueueOptions {
  /** messages per invocation at most, 1 to 10 without a batching window */
  readonly batchSize: number;
  /** time to gather messages before invoking, at most 300 s */
  readonly maxBatchingWindow: Duration;
}

/** How a house function consumes a stream (see `streamConsumers` in lib/routes.ts). */
export interface ConsumeStreamOptions {
  /** records per invocation at most, 1 to 10 000 */
  readonly batchSize: number;
  /** time to gather records before invoking with a partial batch, at most 300 s */
  readonly maxBatchingWindow: Duration;
  /** retries of a failing batch, 0 to 10 000: bounded, never the infinite default */
  readonly retryAttempts: number;
  /** records older than this are given up on, 60 s to 7 days: bounded, never the infinite default */
  readonly maxRecordAge: Duration;
  /** split a failing batch in two and retry each half, to isolate a poison record */
  readonly bisectBatchOnError: boolean;
}

export interface HouseFunctionProps {
  /** handler file under `handlersDir`, without extension, e.g. `get-license` */
  readonly entry: string;
  /** region key this function answers for (REGION_KEY) */
  readonly regionKey: RegionKey;
  /** public API base URL of every region (REGION_ENDPOINTS), for 421 answers */
  readonly regionEndpoints: Readonly<Record<RegionKey, string>>;
  /** seconds between licence polls told to agents (NEXT_POLL_SECONDS) */
  readonly nextPollSeconds: number;
  /** days a signed licence stays valid offline (LICENSE_TTL_DAYS) */
  readonly licenseTtlDays: number;
  /**
   * days an uncovered allocation is kept before it is taken back (SHORTFALL_GRACE_DAYS)
   * @default 30
   */
  readonly shortfallGraceDays?: number;
  /**
   * days without a licence poll before an active installation is stale (STALE_AFTER_DAYS)
   * @default 30
   */
  readonly staleAfterDays?: number;
  /**
   * days CloudWatch keeps this function's logs; one of the values CloudWatch accepts
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * memory in MB (CPU scales with it)
   * @default 256
   */
  readonly memoryMb?: number;
  /**
   * how long one invocation may run; behind the HTTP API anything beyond 29 s is cut off anyway
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * sum business metrics per container and write them at most once per this many seconds
   * (METRICS_FLUSH_SECONDS); for the hot paths, see lambdas/shared/business-metrics.ts
   * @default each count written with its request
   */
  readonly metricsFlushSeconds?: number;
  /**
   * X-Ray tracing: 'invocation' samples (Lambda's fixed 1 request/s + 5 %) and records Lambda's own
   * segments (no X-Ray SDK in the bundle); 'active' samples the same with the SDK calls as
   * subsegments (the X-Ray SDK bundled: ~110 KB, and its async hook on every await); 'pass-through'
   * traces only requests a caller already sampled, without the X-Ray SDK
   * @default 'invocation'
   */
  readonly tracing?: HouseTracing;
  /**
   * Powertools service name (the `service` of every log line and metric)
   * @default 'ucx-cloud'
   */
  readonly serviceName?: string;
  /**
   * folder of the handler files; relative paths resolve against the working directory, which is
   * the repository root for both the CDK CLI and jest
   * @default 'lambdas/handlers'
   */
  readonly handlersDir?: string;
}

/** X-Ray of a house function (HouseFunctionProps.tracing). */
export type HouseTracing = 'active' | 'invocation' | 'pass-through';
/** the build condition under which `#xray` is lambdas/shared/xray-off.ts (package.json imports) */
export const untracedCondition = 'ucx-untraced';
/** whether the bundle leaves the X-Ray SDK out: no SDK subsegments */
export const withoutXraySdk = (tracing: HouseTracing | undefined) => tracing !== 'active';

/** esbuild aliases of every house bundle: the SDK's default credential chain (SSO, INI, process,
 * container providers) replaced by the environment provider (lambdas/shared/lambda-credentials.ts) */
export const houseAliases: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': path.resolve('lambdas/shared/lambda-credentials.ts'),
};
/** esbuild conditions of a bundle without the X-Ray SDK ('module' kept: custom conditions drop it) */
export const untracedConditions: readonly string[] = [untracedCondition, 'module'];

export class HouseFunction extends Construct {
  /** the Lambda function */
  public readonly function: NodejsFunction;
  /** its log group, with the configured retention */
  public readonly logGroup: LogGroup;
  private boundTable?: ITableV2;
  private boundSigningKey?: IKey;
  private verifyKeysBound = false;
  private jwksSigningKeysBound = false;
  private boundTelemetryStream?: IStream;
  private boundArchiveBucket?: IBucket;
  private boundSupportTable?: ITable;
  private boundEventBus?: IEventBus;
  private consumed?: { readonly eventSource: KinesisEventSource; readonly onFailureQueue: Queue };
  private consumedQueue?: SqsEventSource;
  private readonly boundOnce = new Set<string>();

  constructor(scope: Construct, id: string, props: HouseFunctionProps) {
    super(scope, id);
    const memoryMb = props.memoryMb ?? 256;
    const logRetentionDays = props.logRetentionDays ?? 30;
    const timeout = props.timeout ?? Duration.seconds(10);
    const entry = path.resolve(props.handlersDir ?? 'lambdas/handlers', `${props.entry}.ts`);

    if (!Number.isInteger(memoryMb) || memoryMb < 128 || memoryMb > 10240) {
      throw new Error(`HouseFunction ${id}: memoryMb must be an integer from 128 to 10240, got ${memoryMb}`);
    }
    if (!validRetentionDays.has(logRetentionDays)) {
      throw new Error(
        `HouseFunction ${id}: logRetentionDays ${logRetentionDays} is not a CloudWatch retention (e.g. 7, 14, 30, 60, 90, 365)`,
      );
    }
    if (timeout.toSeconds() < 1 || timeout.toSeconds() > 900) {
      throw new Error(`HouseFunction ${id}: timeout must be from 1 to 900 s, got ${timeout.toSeconds()} s`);
    }
    const flush = props.metricsFlushSeconds;
    if (flush !== undefined && (!Number.isInteger(flush) || flush < 1 || flush > 3600)) {
      throw new Error(`HouseFunction ${id}: metricsFlushSeconds must be an integer from 1 to 3600, got ${flush}`);
    }
    if (!props.regionEndpoints[props.regionKey]) {
      throw new Error(`HouseFunction ${id}: regionEndpoints has no endpoint for its own region ${props.regionKey}`);
    }
    if (!existsSync(entry)) {
      throw new Error(`HouseFunction ${id}: handler file ${entry} does not exist`);
    }

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: logRetentionDays as RetentionDays,
      // The group has a generated name and belongs to this function only; kept, it would be
      // orphaned by every replacement. Retention bounds how long logs live anyway.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.function = new NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      description: `UCX ${props.entry}`,
      runtime: houseRuntime,
      architecture: Architecture.ARM_64,
      memorySize: memoryMb,
      timeout,
      tracing: props.tracing === 'pass-through' ? Tracing.PASS_THROUGH : Tracing.ACTIVE,
      logGroup: this.logGroup,
      // JSON logs, and the platform's own lines only from WARN up: no START/END/REPORT line per
      // invocation (Lambda's Duration/Errors/Throttles metrics do not come from them), which is a
      // third of the log bytes of a 304 poll. Our lines (Powertools JSON, EMF) stay as they are.
      loggingFormat: LoggingFormat.JSON,
      systemLogLevelV2: SystemLogLevel.WARN,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      bundling: {
        format: OutputFormat.ESM,
        banner: esmRequireBanner,
        target: esbuildTarget,
        minify: true,
        sourceMap: true,
        // Stack traces need the mappings, not a copy of every source file: a third of the map's
        // size, and less for --enable-source-maps to parse at cold start.
        sourcesContent: false,
        // The bundled SDK is the version we tested, and tree-shaken it starts faster than the
        // runtime's copy.
        bundleAwsSDK: true,
        // Prefer ESM entry points so esbuild can tree-shake.
        mainFields: ['module', 'main'],
        // Lambda passes its credentials in the environment: the SDK's default chain is replaced
        // by the environment provider alone. A function without SDK subsegments does not load
        // the X-Ray SDK (its async hook costs every await): `#xray` resolves to
        // lambdas/shared/xray-off.ts.
        esbuildArgs: {
          ...Object.fromEntries(Object.entries(houseAliases).map(([from, to]) => [`--alias:${from}`, to])),
          ...(withoutXraySdk(props.tracing) ? { '--conditions': untracedConditions.join(',') } : {}),
        },
      },
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? 'ucx-cloud',
        POWERTOOLS_METRICS_NAMESPACE: 'UcxCloud',
        REGION_KEY: props.regionKey,
        REGION_ENDPOINTS: JSON.stringify(props.regionEndpoints),
        NEXT_POLL_SECONDS: String(props.nextPollSeconds),
        LICENSE_TTL_DAYS: String(props.licenseTtlDays),
        SHORTFALL_GRACE_DAYS: String(props.shortfallGraceDays ?? 30),
        STALE_AFTER_DAYS: String(props.staleAfterDays ?? 30),
        ...(props.metricsFlushSeconds ? { METRICS_FLUSH_SECONDS: String(props.metricsFlushSeconds) } : {}),
      },
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'AWS-maintained logs-only policy (CreateLogGroup, CreateLogStream, PutLogEvents); no data access',
    });
  }

  /**
   * Grants access to the licensing table and sets TABLE_NAME. 'write' includes read: every
   * writer reads first (conditional writes, idempotent replays). With `items`, a writer gets only
   * the item actions on the partitions named there (`tableItemStatements`), not the whole table.
   */
  public bindTable(table: ITableV2, access: TableAccess, items?: TableItemScope): this {
    if (this.boundTable && this.boundTable !== table) {
      throw new Error(`HouseFunction ${this.node.id}: bindTable called with a second table; TABLE_NAME holds one`);
    }
    this.boundTable = table;
    if (items && access !== 'write') {
      throw new Error(`HouseFunction ${this.node.id}: bindTable items scope a writer; a reader reads the table`);
    }
    if (items)
      for (const statement of tableItemStatements(table.tableArn, items)) this.function.addToRolePolicy(statement);
    else if (access === 'write') table.grantReadWriteData(this.function);
    else table.grantReadData(this.function);
    this.function.addEnvironment('TABLE_NAME', table.tableName);
    return this;
  }

  /** Grants signing with this region's current licence key and sets SIGNING_KEY_REF to its ARN. */
  public bindSigningKey(key: IKey): this {
    if (this.boundSigningKey) {
      throw new Error(`HouseFunction ${this.node.id}: bindSigningKey called twice; SIGNING_KEY_REF holds one key`);
    }
    this.boundSigningKey = key;
    key.grant(this.function, 'kms:Sign', 'kms:GetPublicKey');
    this.function.addEnvironment('SIGNING_KEY_REF', key.keyArn);
    return this;
  }

  /**
   * Grants reading the public keys behind the given KMS alias ARNs (every key of the set, in every
   * region) and sets VERIFY_KEY_REFS to them.
   */
  public bindVerifyKeys(refs: readonly string[]): this {
    if (this.verifyKeysBound) {
      throw new Error(
        `HouseFunction ${this.node.id}: bindVerifyKeys called twice; pass every region's alias ARN in one call`,
      );
    }
    if (refs.length === 0) {
      throw new Error(`HouseFunction ${this.node.id}: bindVerifyKeys needs at least one KMS alias ARN`);
    }
    this.grantOnAliases('bindVerifyKeys', refs, ['kms:GetPublicKey']);
    this.verifyKeysBound = true;
    this.function.addEnvironment('VERIFY_KEY_REFS', this.function.stack.toJsonString([...refs]));
    return this;
  }

  /**
   * Grants signing with this region's next and retiring keys, named by alias ARN, and sets
   * SIGNING_KEY_REFS to them: the signed JWKS answers with a signature by any key of the set an
   * agent may have pinned (the current one comes with bindSigningKey). Aliases, not key ARNs: a
   * key leaving the set must not delete an export this stack imports. With none, the variable is
   * `[]` and nothing is granted.
   */
  public bindJwksSigningKeys(refs: readonly string[]): this {
    if (this.jwksSigningKeysBound) {
      throw new Error(
        `HouseFunction ${this.node.id}: bindJwksSigningKeys called twice; pass every key of the region in one call`,
      );
    }
    if (refs.length > 0) this.grantOnAliases('bindJwksSigningKeys', refs, ['kms:Sign', 'kms:GetPublicKey']);
    this.jwksSigningKeysBound = true;
    this.function.addEnvironment('SIGNING_KEY_REFS', this.function.stack.toJsonString([...refs]));
    return this;
  }

  /**
   * IAM cannot authorise a key use by alias ARN, so the grant is on the account's keys in the
   * aliases' regions, narrowed by the `kms:ResourceAliases` condition.
   */
  private grantOnAliases(caller: string, refs: readonly string[], actions: string[]): void {
    // The refs may hold tokens (account, partition), but the alias part at the end is literal.
    const parsed = refs.map((ref) => {
      const match = /^(arn:.+:kms:.+):(alias\/[A-Za-z0-9/_-]+)$/.exec(ref);
      if (!match)
        throw new Error(
          `HouseFunction ${this.node.id}: ${caller} expects KMS alias ARNs (arn:…:kms:<region>:<account>:alias/<name>), got ${ref}`,
        );
      return { keysInRegion: `${match[1]}:key/*`, aliasName: match[2] as string };
    });
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions,
        resources: [...new Set(parsed.map((p) => p.keysInRegion))],
        conditions: {
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': [...new Set(parsed.map((p) => p.aliasName))] },
        },
      }),
    );
  }

  /** Grants PutRecord and PutRecords on the region's telemetry stream and sets TELEMETRY_STREAM_NAME. */
  public bindTelemetryStream(stream: IStream, access: StreamAccess): this {
    if (this.boundTelemetryStream) {
      throw new Error(
        `HouseFunction ${this.node.id}: bindTelemetryStream called twice; TELEMETRY_STREAM_NAME holds one stream`,
      );
    }
    this.boundTelemetryStream = stream;
    // Not grantWrite: the producer needs neither ListShards nor DescribeStreamSummary. The stream
    // uses the AWS-managed key (aws/kinesis), which needs no KMS grant.
    if (access === 'write') stream.grant(this.function, 'kinesis:PutRecord', 'kinesis:PutRecords');
    this.function.addEnvironment('TELEMETRY_STREAM_NAME', stream.streamName);
    return this;
  }

  /** Grants writing objects under `beats/` of the region's archive bucket only, and sets ARCHIVE_BUCKET. */
  public bindArchiveBucket(bucket: IBucket, access: ArchiveAccess): this {
    if (this.boundArchiveBucket) {
      throw new Error(`HouseFunction ${this.node.id}: bindArchiveBucket called twice; ARCHIVE_BUCKET holds one bucket`);
    }
    this.boundArchiveBucket = bucket;
    // PutObject only (not grantPut's Abort*, tagging, legal hold, retention): objects are single PUTs.
    if (access === 'write') {
      this.function.addToRolePolicy(
        new PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects(`${archiveBeatsPrefix}*`)] }),
      );
      // SSE-KMS: S3 asks the bucket's key for a data key on the writer's behalf.
      if (bucket.encryptionKey) {
        this.function.addToRolePolicy(
          new PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [bucket.encryptionKey.keyArn] }),
        );
      }
    }
    this.function.addEnvironment('ARCHIVE_BUCKET', bucket.bucketName);
    return this;
  }

  /**
   * Grants access to the region's support table and sets SUPPORT_TABLE_NAME. 'read' is GetItem
   * and Query on the table and its indexes (no writes); 'write' adds the item writes the rules and
   * support's acknowledgements make. Binding 'read' then 'write' upgrades.
   */
  public bindSupportTable(table: ITable, access: TableAccess): this {
    if (this.boundSupportTable && this.boundSupportTable !== table) {
      throw new Error(
        `HouseFunction ${this.node.id}: bindSupportTable called with a second table; SUPPORT_TABLE_NAME holds one`,
      );
    }
    this.boundSupportTable = table;
    if (access === 'write') table.grantReadWriteData(this.function);
    else table.grantReadData(this.function);
    this.function.addEnvironment('SUPPORT_TABLE_NAME', table.tableName);
    return this;
  }

  /**
   * Grants exactly the Cognito actions the account-users adapter makes on this pool and sets
   * USER_DIRECTORY (`cognito:<pool id>`), as `userDirectoryActions` lists them per access.
   */
  public bindUserDirectory(pool: IUserPool, access: readonly UserDirectoryAccess[]): this {
    const actions = new Set<string>();
    for (const a of access) for (const action of userDirectoryActions[a]) actions.add(action);
    pool.grant(this.function, ...[...actions].sort());
    this.function.addEnvironment('USER_DIRECTORY', `cognito:${pool.userPoolId}`);
    return this;
  }

  /** Grants events:PutEvents on this one bus (never the default bus) and sets EVENT_BUS_NAME. */
  public bindEventBus(bus: IEventBus): this {
    if (this.boundEventBus) {
      throw new Error(`HouseFunction ${this.node.id}: bindEventBus called twice; EVENT_BUS_NAME holds one bus`);
    }
    this.boundEventBus = bus;
    bus.grantPutEventsTo(this.function);
    this.function.addEnvironment('EVENT_BUS_NAME', bus.eventBusName);
    return this;
  }

  /**
   * Grants events:PutEvents on the vendor's bus and sets VENDOR_EVENT_BUS_NAME: the audit items the
   * function writes are published there (lambdas/adapters/eventbridge-vendor-events.ts).
   */
  public bindVendorEventBus(bus: IEventBus): this {
    this.once('bindVendorEventBus', 'VENDOR_EVENT_BUS_NAME');
    bus.grantPutEventsTo(this.function);
    this.function.addEnvironment('VENDOR_EVENT_BUS_NAME', bus.eventBusName);
    return this;
  }

  /** Throws when `what` was bound already: each variable holds one resource. */
  private once(what: string, variable: string): void {
    if (this.boundOnce.has(what)) {
      throw new Error(`HouseFunction ${this.node.id}: ${what} called twice; ${variable} holds one`);
    }
    this.boundOnce.add(what);
  }

  /**
   * Grants exactly the item reads ('read': GetItem, Query, BatchGetItem) or reads and writes
   * ('write') on the region's presence table and its gsi1, and sets PRESENCE_TABLE_NAME.
   */
  public bindPresenceTable(table: ITable, access: TableAccess, indexName = 'gsi1'): this {
    this.once('bindPresenceTable', 'PRESENCE_TABLE_NAME');
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: [...presenceTableActions[access]],
        resources: [table.tableArn, `${table.tableArn}/index/${indexName}`],
      }),
    );
    this.function.addEnvironment('PRESENCE_TABLE_NAME', table.tableName);
    return this;
  }

  /**
   * Grants kms:Encrypt and kms:Decrypt with the presence token key, only with an encryption
   * context whose sole key is `accountId` (a sealed token opens only for its account), and sets
   * PRESENCE_TOKEN_KEY to the key's ARN.
   */
  public bindPresenceTokenKey(key: IKey): this {
    this.once('bindPresenceTokenKey', 'PRESENCE_TOKEN_KEY');
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['kms:Encrypt', 'kms:Decrypt'],
        resources: [key.keyArn],
        conditions: {
          'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['accountId'] },
          // ForAllValues holds for an empty context too: require one.
          Null: { 'kms:EncryptionContextKeys': 'false' },
        },
      }),
    );
    this.function.addEnvironment('PRESENCE_TOKEN_KEY', key.keyArn);
    return this;
  }

  /** Grants GetSecretValue on the notification certificate's secret and sets PRESENCE_CERTIFICATE_SECRET to its ARN. */
  public bindPresenceCertificate(secret: ISecret): this {
    this.once('bindPresenceCertificate', 'PRESENCE_CERTIFICATE_SECRET');
    this.grantSecretValue(secret);
    this.function.addEnvironment('PRESENCE_CERTIFICATE_SECRET', secret.secretArn);
    return this;
  }

  /**
   * Grants GetSecretValue on the Entra app's credentials and sets PRESENCE_APP_SECRET to the
   * secret's ARN, MS_AUTHORITY_HOST and MS_GRAPH_URL.
   */
  public bindMicrosoftIdentity(appCredentials: ISecret, endpoints: MicrosoftEndpoints): this {
    this.once('bindMicrosoftIdentity', 'PRESENCE_APP_SECRET');
    this.grantSecretValue(appCredentials);
    this.function.addEnvironment('PRESENCE_APP_SECRET', appCredentials.secretArn);
    this.function.addEnvironment('MS_AUTHORITY_HOST', endpoints.authorityHost);
    this.function.addEnvironment('MS_GRAPH_URL', endpoints.graphUrl);
    return this;
  }

  /** GetSecretValue only (not grantRead's DescribeSecret); the AWS-managed key needs no grant. */
  private grantSecretValue(secret: ISecret): void {
    this.function.addToRolePolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
    );
  }

  /**
   * Grants execute-api:ManageConnections (POST, GET, DELETE of @connections) on this one stage
   * of the WebSocket API, not its other stages, and sets PRESENCE_CALLBACK_URL to the stage's
   * callback URL (`https://<api>.execute-api.<region>.<suffix>/<stage>`).
   */
  public bindPresenceConnections(stage: IWebSocketStage): this {
    this.once('bindPresenceConnections', 'PRESENCE_CALLBACK_URL');
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['execute-api:ManageConnections'],
        resources: [
          Stack.of(this).formatArn({
            service: 'execute-api',
            resource: stage.api.apiId,
            resourceName: `${stage.stageName}/*/@connections/*`,
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        ],
      }),
    );
    this.function.addEnvironment('PRESENCE_CALLBACK_URL', stage.callbackUrl);
    return this;
  }

  /** Grants sqs:SendMessage on the fan-out queue (SSE-SQS: no key grant) and sets PRESENCE_FANOUT_QUEUE_URL. */
  public bindPresenceFanOutQueue(queue: IQueue): this {
    this.once('bindPresenceFanOutQueue', 'PRESENCE_FANOUT_QUEUE_URL');
    this.function.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    this.function.addEnvironment('PRESENCE_FANOUT_QUEUE_URL', queue.queueUrl);
    return this;
  }

  /**
   * Sets PRESENCE_NOTIFICATION_URL and PRESENCE_LIFECYCLE_URL (the URLs Graph posts to),
   * PRESENCE_REDIRECT_URL (the OAuth redirect URI) and, when known, PORTAL_URL (where the browser
   * returns after consent). No grant: they are public routes.
   */
  public setPresenceUrls(urls: {
    readonly notificationUrl: string;
    readonly lifecycleUrl: string;
    readonly redirectUrl: string;
    readonly portalUrl?: string;
  }): this {
    this.once('setPresenceUrls', 'PRESENCE_NOTIFICATION_URL');
    this.function.addEnvironment('PRESENCE_NOTIFICATION_URL', urls.notificationUrl);
    this.function.addEnvironment('PRESENCE_LIFECYCLE_URL', urls.lifecycleUrl);
    this.function.addEnvironment('PRESENCE_REDIRECT_URL', urls.redirectUrl);
    if (urls.portalUrl) this.function.addEnvironment('PORTAL_URL', urls.portalUrl);
    return this;
  }

  /**
   * Feeds the function from an SQS queue: batch item failures reported by the handler (only the
   * failed messages come back, after the queue's visibility timeout; its redrive policy bounds
   * the retries). The queue's visibility timeout must be at least 6× the function's timeout, as
   * Lambda advises, or a slow batch reappears while it still runs.
   */
  public consumeQueue(queue: Queue, options: ConsumeQueueOptions): this {
    const where = `HouseFunction ${this.node.id}: consumeQueue`;
    if (this.consumedQueue) throw new Error(`${where} called twice; a house function consumes one queue`);
    const windowSeconds = options.maxBatchingWindow.toSeconds();
    const maxBatch = windowSeconds > 0 ? 10_000 : 10;
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1 || options.batchSize > maxBatch) {
      throw new Error(`${where}: batchSize must be an integer from 1 to ${maxBatch}, got ${options.batchSize}`);
    }
    if (windowSeconds < 0 || windowSeconds > 300) {
      throw new Error(`${where}: maxBatchingWindow must be from 0 to 300 s, got ${windowSeconds} s`);
    }
    const visibility = queue.node.defaultChild
      ? Stack.of(queue).resolve((queue.node.defaultChild as { visibilityTimeout?: unknown }).visibilityTimeout)
      : undefined;
    const timeoutSeconds = this.function.timeout?.toSeconds() ?? 3;
    if (typeof visibility !== 'number' || visibility < 6 * timeoutSeconds) {
      throw new Error(
        `${where}: the queue's visibility timeout must be at least 6× the function's ${timeoutSeconds} s, got ${String(visibility ?? 'the default 30')} s`,
      );
    }
    const eventSource = new SqsEventSource(queue, {
      batchSize: options.batchSize,
      ...(windowSeconds > 0 && { maxBatchingWindow: options.maxBatchingWindow }),
      reportBatchItemFailures: true,
    });
    this.function.addEventSource(eventSource);
    this.consumedQueue = eventSource;
    return this;
  }

  /** the event source `consumeQueue` added; undefined until it is called */
  public get queueEventSource(): SqsEventSource | undefined {
    return this.consumedQueue;
  }

  /**
   * Feeds the function from a Kinesis stream with the house settings: batch item failures
   * reported by the handler, bounded retries and record age, oldest records first, one batch per
   * shard at a time (per-shard order, and the archive's object keys name the shard's sequence
   * range), and an encrypted on-failure queue created here (`onFailureQueue`) that receives the
   * shard and sequence range of every batch given up on.
   */
  public consumeStream(stream: IStream, options: ConsumeStreamOptions): this {
    const where = `HouseFunction ${this.node.id}: consumeStream`;
    if (this.consumed) throw new Error(`${where} called twice; a house function consumes one stream`);
    const { batchSize, retryAttempts } = options;
    const windowSeconds = options.maxBatchingWindow.toSeconds();
    const maxRecordAgeSeconds = options.maxRecordAge.toSeconds();
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
      throw new Error(`${where}: batchSize must be an integer from 1 to 10000, got ${batchSize}`);
    }
    if (windowSeconds < 0 || windowSeconds > 300) {
      throw new Error(`${where}: maxBatchingWindow must be from 0 to 300 s, got ${windowSeconds} s`);
    }
    if (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 10_000) {
      throw new Error(`${where}: retryAttempts must be an integer from 0 to 10000, got ${retryAttempts}`);
    }
    if (maxRecordAgeSeconds < 60 || maxRecordAgeSeconds > 604_800) {
      throw new Error(`${where}: maxRecordAge must be from 60 s to 7 days, got ${maxRecordAgeSeconds} s`);
    }

    const onFailureQueue = new Queue(this, 'OnFailureQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The longest SQS allows: time to replay the range from the stream (within its retention)
      // or to inspect what was given up on.
      retentionPeriod: Duration.days(14),
    });
    Validations.of(onFailureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'this queue is itself the on-failure destination of the stream consumer',
    });
    const eventSource = new KinesisEventSource(stream, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize,
      maxBatchingWindow: options.maxBatchingWindow,
      reportBatchItemFailures: true,
      bisectBatchOnError: options.bisectBatchOnError,
      retryAttempts,
      maxRecordAge: options.maxRecordAge,
      parallelizationFactor: 1,
      onFailure: new SqsDlq(onFailureQueue),
    });
    this.function.addEventSource(eventSource);
    this.consumed = { eventSource, onFailureQueue };
    return this;
  }

  /** the on-failure queue `consumeStream` created; undefined until it is called */
  public get onFailureQueue(): Queue | undefined {
    return this.consumed?.onFailureQueue;
  }

  /** the event source `consumeStream` added; undefined until it is called */
  public get streamEventSource(): KinesisEventSource | undefined {
    return this.consumed?.eventSource;
  }
}

/**
 * What must outlive a deployment, per region: the licensing table (one DynamoDB global table,
 * created by the primary region, replicated to the others), the licence signing key, and the
 * region's telemetry: its Kinesis stream, the S3 archive, and the Glue catalogue and Athena
 * workgroup that query the archive; and the region's proactive support: its support table and
 * the event bus that finding notifications go to; and the region's Presence Service state: its
 * presence table, the key that seals tenants' refresh tokens, Microsoft's secrets and the fan-out
 * queue. Telemetry, presence and all derived from them never leave their region.
 */
import { Duration, RemovalPolicy, Size, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import {
  AttributeType,
  Billing,
  BillingMode,
  Capacity,
  ProjectionType,
  Table,
  TableEncryption,
  TableEncryptionV2,
  TableV2,
  type ITableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { Stream, StreamEncryption, StreamMode } from 'aws-cdk-lib/aws-kinesis';
import { Key, KeySpec, KeyUsage, type IKey } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  StorageClass,
  TransitionDefaultMinimumObjectSize,
} from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  archiveDataColumns,
  archivePartitionColumns,
  beatsViewColumns,
  beatsViewName,
  beatsViewSql,
  compactedHoursTableName,
  manifestsPrefix,
  parquetBeatsTableName,
  parquetRunsPrefix,
  parquetRunsTableName,
  rawBeatsTableName,
  typePartitionedBeatsTableName,
  typePartitionedDataColumns,
  typePartitionedPartitionColumns,
  uniqueBeatsViewColumns,
  uniqueBeatsViewName,
  uniqueBeatsViewSql,
} from '../../lambdas/core/telemetry/archive-tables';
import { beatTypes } from '../../lambdas/core/telemetry/catalogue';
import {
  archiveBeatsPrefix,
  initialSigningKeyId,
  regionKeys,
  signingKeyIds,
  type AppConfig,
  type RegionKey,
  type TableCapacity,
} from '../config';
import { functionSpecs, presenceQueueConsumer } from '../routes';

/**
 * The one hard-coded physical table name: a global table has the same name in every region, and
 * the replica region's stack can only find it by that name (a token would be cross-region).
 */
export const licensingTableName = (stage: string): string => `ucx-${stage}-licensing`;

/**
 * Alias of a signing key, the same in every region. Fixed so a function can name another region's
 * key (for the JWKS) without a cross-region reference. The initial key keeps its alias.
 */
export const signingKeyAliasName = (stage: string, keyId: string = initialSigningKeyId): string =>
  `alias/ucx-${stage}-licence-signing${keyId === initialSigningKeyId ? '' : `-${keyId}`}`;

/** Construct id of a signing key; the initial key keeps the one it was deployed with. */
export const signingKeyConstructId = (keyId: string): string =>
  keyId === initialSigningKeyId
    ? 'LicenceSigningKey'
    : `LicenceSigningKey${keyId
        .split('-')
        .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
        .join('')}`;

/** Name of the table's one global secondary index. */
export const licensingTableGsi1 = 'gsi1';

/**
 * Indexes of the support table (layout: lambdas/adapters/dynamodb-support-store.ts). gsi1 holds
 * `SILENT#<bucket>` / last beat time down to 3 hours: the missing-beat sweep reads installation
 * ids from it, so it projects the keys and `installationId` only. gsi2 holds `ACC#<account>` /
 * `INST#…` or `FINDING#…`: support lists an account's installations and findings from it without
 * the state item's rule memory. `lastBeatAt` is projected for items written before: the state
 * item no longer carries it (the exact `beatAt`, projected by neither, is read from the table).
 */
export const supportTableGsi1 = 'gsi1';
export const supportTableGsi2 = 'gsi2';
/** The indexes of each table `ucx.tableCapacity` may provision: each holds the table's minimum capacity too (bench/cost.ts). */
export const provisionedTableIndexes = {
  licensing: [licensingTableGsi1],
  support: [supportTableGsi1, supportTableGsi2],
};
export const supportTableGsi1Attributes = ['installationId'] as const;
export const supportTableGsi2Attributes = [
  'installationId',
  'accountId',
  'lastBeatAt',
  'careLevel',
  'openFindings',
  'findingId',
  'ruleId',
  'subject',
  'severity',
  'status',
  'openedAt',
  'updatedAt',
  'resolvedAt',
  'audience',
  'evidence',
  'history',
] as const;

/** The presence table's one index (layout: the lead's presence store adapter). */
export const presenceTableGsi1 = 'gsi1';
/** The presence table's TTL attribute: epoch seconds, as DynamoDB's TTL wants them. */
export const presenceTableTtlAttribute = 'expiresAtEpoch';
/** Graph's change notifications older than this are worthless to the suite: the fan-out queue's retention. */
export const presenceFanOutRetention = Duration.hours(1);
/** A fan-out message is moved to the DLQ after this many receives. */
export const presenceFanOutMaxReceiveCount = 5;

/**
 * The state buckets are versioned (CT.S3.PR.11) but keep no history: an overwritten or deleted
 * object's old version (archiver retries, compaction manifests, expiry, erasure) is gone a day
 * later, and the delete markers left behind are removed with it (docs/retention.md).
 */
const noncurrentVersionRules = [
  { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(1) },
  { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
];

/** `Source` of every proactive-support notification (lambdas/adapters/eventbridge-notification-bus.ts). */
export const supportEventSource = 'ucx-cloud.proactive-support';
/** The sources of the vendor bus's events (lambdas/core/events/vendor-events.ts). */
export const vendorEventSources = ['ucx.licensing', 'ucx.accounts'] as const;
/** Its detail types: `Finding <kind>`. */
export const supportEventDetailTypes = [
  'Finding opened',
  'Finding escalated',
  'Finding deescalated',
  'Finding resolved',
] as const;

/**
 * Glue database of the telemetry archive. Named, not generated, so the README's queries can name
 * it; each region has its own Data Catalog, so the regions cannot collide, and the stage keeps
 * two deployments in one account apart. Underscores: Athena wants no dashes in names.
 */
export const telemetryDatabaseName = (stage: string): string => `ucx_${stage.replace(/-/g, '_')}_telemetry`;
/**
 * What queries read: the `beats` view (every archived row, each hour from its Parquet once
 * compacted, else raw) and `beats_unique` (one row per installation and beat id). The tables
 * beneath, their SQL and the layout are lambdas/core/telemetry/archive-tables.ts.
 */
export const beatsTableName = beatsViewName;
export { typePartitionedBeatsTableName, uniqueBeatsViewName, uniqueBeatsViewSql };
/** Athena workgroup of the telemetry queries (workgroups are regional, like the catalog). */
export const telemetryWorkGroupName = (stage: string): string => `ucx-${stage}-telemetry`;
export interface StatefulStackProps extends StackProps {
  /** the validated app configuration */
  readonly config: AppConfig;
  /** region this stack deploys to */
  readonly regionKey: RegionKey;
}

export class StatefulStack extends Stack {
  /** the licensing table as seen from this region (the primary table or the local replica) */
  public readonly table: ITableV2;
  /** this region's `current` ES256 licence signing key: it signs licences */
  public readonly signingKey: IKey;
  /** this region's key of every id of the key set (current, next, retiring), by id */
  public readonly signingKeys: Readonly<Record<string, IKey>>;
  /** whether this stack owns the global table (false: it references the replica) */
  public readonly isPrimary: boolean;
  /** this region's telemetry stream: ingest writes, the archiver (and later the rules) read */
  public readonly telemetryStream: Stream;
  /** this region's telemetry archive: gzip NDJSON under `beats/` */
  public readonly archiveBucket: Bucket;
  /** where this region's Athena workgroup writes query results */
  public readonly athenaResultsBucket: Bucket;
  /** encrypts the archive and the Athena results (SSE-KMS with the bucket key): every reader and writer needs it */
  public readonly archiveKey: Key;
  /** Glue database holding the archive table and its view */
  public readonly telemetryDatabaseName: string;
  /** Glue table over `s3://<archive>/beats/`, partition-projected */
  public readonly beatsTableName: string;
  /** Glue table over the type-partitioned objects of the v1 layout */
  public readonly typePartitionedBeatsTableName: string;
  /** Glue view with one row per beat id */
  public readonly uniqueBeatsViewName: string;
  /** the Athena workgroup (enforced, encrypted results) for telemetry queries */
  public readonly athenaWorkGroupName: string;
  /** this region's support table: rules state, snapshots, findings (a regional table, never replicated) */
  public readonly supportTable: Table;
  /** this region's proactive-support bus: finding notifications; support's routing hangs off it */
  public readonly supportEventBus: EventBus;
  /** the vendor's licence and account events (docs/events.md), published from the audit log's writes */
  public readonly vendorEventBus: EventBus;
  /** where the example rule sends critical findings of proactive (Gold, Platinum) accounts */
  public readonly supportAlertsTopic: Topic;
  /** this region's presence state: tenants, subscriptions, sessions, last presences (regional, ephemeral) */
  public readonly presenceTable: Table;
  /** seals connected tenants' refresh tokens (symmetric, `accountId` encryption context) */
  public readonly presenceTokenKey: Key;
  /** `{ id, certificate, privateKey }` PEMs: Graph encrypts notification data to this certificate */
  public readonly presenceNotificationCertificate: Secret;
  /** `{ clientId, clientSecret }` of the multi-tenant Entra app */
  public readonly presenceAppCredentials: Secret;
  /** changes received from Graph, waiting for the fan-out to the sessions */
  public readonly presenceFanOutQueue: Queue;
  /** what the fan-out gave up on after `presenceFanOutMaxReceiveCount` receives */
  public readonly presenceFanOutDeadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config, regionKey } = props;
    const tableName = licensingTableName(config.stage);
    this.isPrimary = regionKey === config.primary;

    if (this.isPrimary) {
      const replicaRegions = Object.values(config.regions)
        .filter((r) => r.key !== regionKey)
        .map((r) => ({ region: r.region }));
      this.table = new TableV2(this, 'LicensingTable', {
        tableName,
        partitionKey: { name: 'pk', type: AttributeType.STRING },
        sortKey: { name: 'sk', type: AttributeType.STRING },
        globalSecondaryIndexes: [
          {
            indexName: licensingTableGsi1,
            partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
            sortKey: { name: 'gsi1sk', type: AttributeType.STRING },
            projectionType: ProjectionType.ALL,
          },
        ],
        billing: billingOf(config.tableCapacity.licensing),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        encryption: TableEncryptionV2.awsManagedKey(),
        timeToLiveAttribute: 'ttl',
        removalPolicy: RemovalPolicy.RETAIN,
        replicas: replicaRegions,
      });
    } else {
      // fromTableAttributes rather than fromTableName: only it can grant on the GSI (index/*),
      // which the account and reseller queries need. The ARN resolves to this region's replica.
      this.table = TableV2.fromTableAttributes(this, 'LicensingTable', {
        tableName,
        grantIndexPermissions: true,
      });
    }

    this.signingKeys = Object.fromEntries(
      signingKeyIds(config.signingKeys).map((keyId) => [keyId, this.buildSigningKey(config, regionKey, keyId)]),
    );
    this.signingKey = this.signingKeys[config.signingKeys.current]!;

    this.telemetryStream = this.buildTelemetryStream(config);
    const accessLogs = this.buildAccessLogBucket();
    this.archiveKey = new Key(this, 'TelemetryArchiveKey', {
      description: `UCX ${config.stage} ${regionKey}: the telemetry archive and its Athena query results`,
      enableKeyRotation: true,
      // Without it every archived object and query result is unreadable.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.archiveBucket = this.buildArchiveBucket(config, accessLogs);
    this.athenaResultsBucket = this.buildAthenaResultsBucket(accessLogs);
    this.telemetryDatabaseName = telemetryDatabaseName(config.stage);
    this.beatsTableName = beatsTableName;
    this.typePartitionedBeatsTableName = typePartitionedBeatsTableName;
    this.uniqueBeatsViewName = uniqueBeatsViewName;
    this.athenaWorkGroupName = telemetryWorkGroupName(config.stage);
    this.buildTelemetryCatalog(regionKey);
    this.buildAthenaWorkGroup(config);

    this.supportTable = this.buildSupportTable(config.tableCapacity.support);
    ({ bus: this.supportEventBus, topic: this.supportAlertsTopic } = this.buildSupportNotifications(config, regionKey));
    this.vendorEventBus = this.buildVendorEventBus(config, regionKey);

    this.presenceTable = this.buildPresenceTable();
    this.presenceTokenKey = new Key(this, 'PresenceTokenKey', {
      description: `UCX ${config.stage} ${regionKey}: seals Presence tenants' refresh tokens`,
      enableKeyRotation: true,
      // Without it every sealed refresh token is lost: each tenant's administrator must consent again.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    ({ certificate: this.presenceNotificationCertificate, app: this.presenceAppCredentials } =
      this.buildPresenceSecrets(config, regionKey));
    ({ queue: this.presenceFanOutQueue, deadLetterQueue: this.presenceFanOutDeadLetterQueue } =
      this.buildPresenceFanOutQueue());
  }

  /**
   * Ephemeral personal data (who is busy, who watches whom): TTL removes what nobody renews, and
   * deletion protection guards against a slip; everything here is rebuilt from Graph when lost.
   */
  private buildPresenceTable(): Table {
    const table = new Table(this, 'PresenceTable', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      // No PITR on purpose: ephemeral personal data must not linger 35 days in backups.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },
      deletionProtection: true,
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: presenceTableTtlAttribute,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    table.addGlobalSecondaryIndex({
      indexName: presenceTableGsi1,
      partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
    Validations.of(table).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason: 'no PITR on purpose: ephemeral personal presence data must not linger 35 days in backups',
    });
    return table;
  }

  /**
   * Created empty (a generated random string): an operator puts the values before the first
   * Presence connection (docs/deploying.md). Retained: the certificate's id is named by live
   * Graph subscriptions, and the app's secret is not recoverable from Entra.
   */
  private buildPresenceSecrets(config: AppConfig, regionKey: RegionKey): { certificate: Secret; app: Secret } {
    const certificate = new Secret(this, 'PresenceNotificationCertificate', {
      description: `UCX ${config.stage} ${regionKey}: { id, certificate, privateKey } PEMs Graph encrypts presence notifications to`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const app = new Secret(this, 'PresenceAppCredentials', {
      description: `UCX ${config.stage} ${regionKey}: { clientId, clientSecret } of the multi-tenant Presence Entra app`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(certificate).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'rotated by hand with a new certificate id (docs/deploying.md): Graph subscriptions name the old one until renewed',
    });
    Validations.of(app).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'an Entra client secret is issued by Entra, not generated here: rotated by hand before it expires (docs/deploying.md)',
    });
    return { certificate, app };
  }

  /**
   * Standard (order does not matter: each change carries its time), SSE-SQS. Retention 1 h:
   * presence older than that is worthless. The DLQ keeps a day to inspect, not to keep: a standard
   * queue's retention counts from the first send, so it must outlast the source's hour.
   */
  private buildPresenceFanOutQueue(): { queue: Queue; deadLetterQueue: Queue } {
    const deadLetterQueue = new Queue(this, 'PresenceFanOutDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(1),
    });
    Validations.of(deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'this queue is itself the dead-letter queue of the presence fan-out queue',
    });
    const fanOutTimeoutSeconds = functionSpecs[presenceQueueConsumer.fn].timeoutSeconds;
    const queue = new Queue(this, 'PresenceFanOutQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: presenceFanOutRetention,
      // 6× the consumer's timeout, as Lambda advises for an SQS event source.
      visibilityTimeout: Duration.seconds(6 * fanOutTimeoutSeconds),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: presenceFanOutMaxReceiveCount },
    });
    return { queue, deadLetterQueue };
  }

  /**
   * One licence-signing key of the set. Retained when its id leaves the set: agents pin its public
   * key, and deleting a KMS key is a decision for a person (docs/deploying.md). Its ARN is exported
   * whether a function uses it or not, so promoting another key (which moves SIGNING_KEY_REF)
   * never deletes an export the deployed stateless stack still imports.
   */
  private buildSigningKey(config: AppConfig, regionKey: RegionKey, keyId: string): Key {
    const key = new Key(this, signingKeyConstructId(keyId), {
      description:
        keyId === initialSigningKeyId
          ? `UCX ${config.stage} ${regionKey}: signs licences (ES256)`
          : `UCX ${config.stage} ${regionKey}: signs licences (ES256), key ${keyId}`,
      keySpec: KeySpec.ECC_NIST_P256,
      keyUsage: KeyUsage.SIGN_VERIFY,
      alias: signingKeyAliasName(config.stage, keyId),
      // Agents pin its public key: losing it would orphan every licence signed with it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.exportValue(key.keyArn);
    return key;
  }

  /**
   * A regional table, not a global one: what it holds is derived from telemetry, which stays in
   * its region. The same durability as the licensing table (PITR, deletion protection, retained);
   * TTL lets the rules expire what they no longer need.
   */
  private buildSupportTable(capacity: TableCapacity): Table {
    const indexCapacity =
      capacity.mode === 'provisioned' ? { readCapacity: capacity.read.min, writeCapacity: capacity.write.min } : {};
    const table = new Table(this, 'SupportTable', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      ...(capacity.mode === 'provisioned'
        ? { billingMode: BillingMode.PROVISIONED, readCapacity: capacity.read.min, writeCapacity: capacity.write.min }
        : { billingMode: BillingMode.PAY_PER_REQUEST }),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: 'ttl',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    table.addGlobalSecondaryIndex({
      indexName: supportTableGsi1,
      partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...supportTableGsi1Attributes],
      ...indexCapacity,
    });
    table.addGlobalSecondaryIndex({
      indexName: supportTableGsi2,
      partitionKey: { name: 'gsi2pk', type: AttributeType.STRING },
      sortKey: { name: 'gsi2sk', type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...supportTableGsi2Attributes],
      ...indexCapacity,
    });
    if (capacity.mode === 'provisioned') {
      const scaling = { targetUtilizationPercent: capacity.targetUtilisationPercent };
      const read = { minCapacity: capacity.read.min, maxCapacity: capacity.read.max };
      const write = { minCapacity: capacity.write.min, maxCapacity: capacity.write.max };
      table.autoScaleReadCapacity(read).scaleOnUtilization(scaling);
      table.autoScaleWriteCapacity(write).scaleOnUtilization(scaling);
      for (const index of provisionedTableIndexes.support) {
        table.autoScaleGlobalSecondaryIndexReadCapacity(index, read).scaleOnUtilization(scaling);
        table.autoScaleGlobalSecondaryIndexWriteCapacity(index, write).scaleOnUtilization(scaling);
      }
    }
    return table;
  }

  /**
   * The vendor's systems (ERP, CRM) subscribe to licence and account events here, with rules of
   * their own; an archive of every event lets a subscriber that was down replay what it missed.
   */
  private buildVendorEventBus(config: AppConfig, regionKey: RegionKey): EventBus {
    const bus = new EventBus(this, 'VendorEventBus', {
      description: `UCX ${config.stage} ${regionKey}: licence and account events for the vendor's systems`,
    });
    bus.archive('VendorEventArchive', {
      description: 'Every licence and account event, replayable into the bus',
      eventPattern: { source: [...vendorEventSources] },
      // 365 days: an ERP integration found broken at a year-end reconciliation can still replay the year.
      retention: Duration.days(365),
    });
    return bus;
  }

  /**
   * The region's bus for finding notifications, an archive of them (replayable into the bus after
   * a consumer's outage), and one example route: critical findings of proactive accounts to an
   * encrypted SNS topic that support subscribes to. Further routes are rules on the same bus.
   */
  private buildSupportNotifications(config: AppConfig, regionKey: RegionKey): { bus: EventBus; topic: Topic } {
    const bus = new EventBus(this, 'SupportEventBus', {
      description: `UCX ${config.stage} ${regionKey}: proactive-support finding notifications`,
    });
    bus.archive('SupportEventArchive', {
      description: 'Every finding notification, replayable into the bus',
      eventPattern: { source: [supportEventSource] },
      // 30 days: a month to notice a broken subscriber and replay what it missed.
      retention: Duration.days(30),
    });

    // A key of our own: EventBridge cannot publish to a topic under the AWS-managed SNS key. The
    // SnsTopic target grants events.amazonaws.com its use in the key policy.
    const topicKey = new Key(this, 'SupportAlertsKey', {
      description: `UCX ${config.stage} ${regionKey}: encrypts the support alerts topic`,
      enableKeyRotation: true,
    });
    const topic = new Topic(this, 'SupportAlertsTopic', {
      displayName: `UCX ${regionKey} critical findings`,
      masterKey: topicKey,
      enforceSSL: true,
    });
    new Rule(this, 'CriticalFindingsRule', {
      eventBus: bus,
      description: 'Critical findings of Gold and Platinum accounts, opened or escalated: to support',
      eventPattern: {
        source: [supportEventSource],
        detailType: ['Finding opened', 'Finding escalated'],
        detail: { finding: { severity: ['critical'], audience: ['proactive'] } },
      },
      targets: [new SnsTopic(topic)],
    });
    return { bus, topic };
  }

  /**
   * PROVISIONED, not on-demand, by the cost model: 1M installations sending ~10 beats per
   * 5-minute batch make ~33 000 records/s, ~50 MB/s at 1.5 KB a beat (~130 TB a month). On-demand
   * bills every GB written ($0.08) and read ($0.04): ~$15 000 a month. Provisioned needs ~50-60
   * shards ($0.015 per shard-hour) and one 25 KB PUT unit per beat ($0.014 per million), ~$2 000
   * a month, plus ~$900 for the 48 h retention: many times cheaper for a load that is steady and
   * predictable (agents send on a timer), which is what provisioned capacity suits. It scales
   * with `telemetryShards` in the config (CloudFormation applies it with UpdateShardCount).
   * AWS-managed key: encrypted at rest at no key cost, and producers and consumers need no KMS
   * grant.
   */
  private buildTelemetryStream(config: AppConfig): Stream {
    return new Stream(this, 'TelemetryStream', {
      streamMode: StreamMode.PROVISIONED,
      shardCount: config.telemetryShards,
      encryption: StreamEncryption.MANAGED,
      // 48 h: the archiver gives up on a record after 24 h (streamConsumers), which leaves a day to
      // replay it from the stream; retention beyond 24 h is billed per shard-hour.
      retentionPeriod: Duration.hours(48),
      // Beats not archived yet live only here.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * SSE-KMS with the stack's archive key (CT.S3.PR.10), the bucket key keeping KMS requests to
   * one per data key rather than one per archiver PUT and Athena GET; every reader and writer is
   * granted the key (house-function, archive-compaction). Versioned for the landing zone, but a retried batch
   * overwrites its object by design (keys name the shard's sequence range), so noncurrent versions
   * expire after a day. Access logs go to the stack's access-log bucket. Raw landing objects (`beats/`) expire after
   * rawDays, by when the compaction has rewritten their hour into Parquet; the Parquet runs and
   * their manifests age through the storage classes (the deployed config: straight to Glacier IR at
   * day 30, docs/telemetry.md "Archive lifecycle"). Glacier *Instant Retrieval*, not Flexible:
   * Athena cannot read objects in Flexible Retrieval without a restore, so the view would
   * silently lose everything older than glacierDays; Instant Retrieval keeps the whole archive
   * queryable at a fraction of Standard-IA's storage price.
   */
  private buildArchiveBucket(config: AppConfig, accessLogs: Bucket): Bucket {
    const { infrequentAccessDays, glacierDays, expireDays, rawDays } = config.archive;
    const storageClasses = (prefix: string) => ({
      id: `${prefix.replace(/\/$/, '')}-storage-classes`,
      prefix,
      transitions: [
        ...(infrequentAccessDays !== undefined
          ? [{ storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(infrequentAccessDays) }]
          : []),
        { storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(glacierDays) },
      ],
      expiration: Duration.days(expireDays),
      abortIncompleteMultipartUploadAfter: Duration.days(7),
    });
    return new Bucket(this, 'TelemetryArchiveBucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: this.archiveKey,
      // One data key per bucket and period instead of a KMS request per object.
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'archive/',
      // Standard-IA and Glacier IR bill at least 128 KB per object: a smaller object (a quiet
      // shard's hour of one beat type) is cheaper left in Standard until it expires.
      transitionDefaultMinimumObjectSize: TransitionDefaultMinimumObjectSize.ALL_STORAGE_CLASSES_128_K,
      lifecycleRules: [
        {
          id: 'raw-landing',
          prefix: archiveBeatsPrefix,
          expiration: Duration.days(rawDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        storageClasses(parquetRunsPrefix),
        storageClasses(manifestsPrefix),
        ...noncurrentVersionRules,
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * The S3 server access logs of the archive and Athena results buckets (CT.S3.PR.2). SSE-S3:
   * S3 log delivery cannot write to an SSE-KMS bucket. Bucket owner enforced: log delivery is
   * granted by the bucket policy CDK writes, not by ACLs. Logs of IAM-only access, kept 90 days.
   */
  private buildAccessLogBucket(): Bucket {
    const bucket = new Bucket(this, 'AccessLogBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(90),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'the access-log bucket itself: logging it into itself would loop, and a second log bucket only moves the question',
    });
    return bucket;
  }

  /** Query results: disposable, so they expire; retained only so a stack deletion cannot fail on them. */
  private buildAthenaResultsBucket(accessLogs: Bucket): Bucket {
    return new Bucket(this, 'AthenaResultsBucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: this.archiveKey,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'athena-results/',
      lifecycleRules: [
        { id: 'expire-results', expiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) },
        ...noncurrentVersionRules,
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * The archive's tables with partition projection (Athena computes the partitions from these
   * parameters, so no crawler and no ALTER TABLE ADD PARTITION): raw NDJSON in both layouts, the
   * compacted hours' Parquet (through each hour's manifest) and every compaction run's Parquet; and
   * the views `beats` and `beats_unique` over them.
   */
  private buildTelemetryCatalog(regionKey: RegionKey): void {
    const catalogId = this.account;
    const databaseName = this.telemetryDatabaseName;
    const database = new CfnDatabase(this, 'TelemetryDatabase', {
      catalogId,
      databaseInput: { name: databaseName, description: `UCX telemetry archive (${regionKey})` },
    });

    const formats = {
      json: {
        classification: 'json',
        inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
        serde: 'org.openx.data.jsonserde.JsonSerDe',
      },
      parquet: {
        classification: 'parquet',
        inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
        serde: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
      },
      // the partition's folder holds a manifest of Parquet files, not the files
      symlinkedParquet: {
        classification: 'parquet',
        inputFormat: 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat',
        serde: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
      },
      lines: {
        classification: 'csv',
        inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
        serde: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
      },
    } as const;
    const projectedTable = (props: {
      id: string;
      name: string;
      description: string;
      prefix: string;
      format: keyof typeof formats;
      dataColumns: readonly string[];
      partitionColumns: readonly string[];
    }) => {
      const location = `s3://${this.archiveBucket.bucketName}/${props.prefix}`;
      const format = formats[props.format];
      const folders = props.partitionColumns.map((c) => `${c}=\${${c}}/`).join('');
      const table = new CfnTable(this, props.id, {
        catalogId,
        databaseName,
        tableInput: {
          name: props.name,
          description: props.description,
          tableType: 'EXTERNAL_TABLE',
          partitionKeys: props.partitionColumns.map((name) => ({ name, type: 'string' })),
          parameters: {
            EXTERNAL: 'TRUE',
            classification: format.classification,
            ...(props.format === 'json' && { compressionType: 'gzip' }),
            'projection.enabled': 'true',
            // Every region's value, though this archive holds only its own: the same DDL everywhere.
            'projection.region.type': 'enum',
            'projection.region.values': regionKeys.join(','),
            ...(props.partitionColumns.includes('type') && {
              'projection.type.type': 'enum',
              'projection.type.values': beatTypes.join(','),
            }),
            'projection.dt.type': 'date',
            'projection.dt.format': 'yyyy-MM-dd',
            'projection.dt.range': 'NOW-3YEARS,NOW',
            'projection.dt.interval': '1',
            'projection.dt.interval.unit': 'DAYS',
            'projection.hour.type': 'integer',
            'projection.hour.range': '0,23',
            'projection.hour.digits': '2',
            // a query must name the run (the compaction counts its own)
            ...(props.partitionColumns.includes('run') && { 'projection.run.type': 'injected' }),
            'storage.location.template': `${location}${folders}`,
          },
          storageDescriptor: {
            location,
            columns: props.dataColumns.map((name) => ({ name, type: 'string' })),
            inputFormat: format.inputFormat,
            outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
            compressed: props.format === 'json',
            serdeInfo: { serializationLibrary: format.serde },
          },
        },
      });
      table.addResourceDependency(database);
      return table;
    };
    const tables = [
      projectedTable({
        id: 'RawBeatsTable',
        name: rawBeatsTableName,
        description:
          'Raw landing objects (gzip NDJSON, kept archive.rawDays): one per archiver run of records and arrival hour, ' +
          'every beat type together. Query the beats or beats_unique view',
        prefix: archiveBeatsPrefix,
        format: 'json',
        dataColumns: archiveDataColumns,
        partitionColumns: archivePartitionColumns,
      }),
      projectedTable({
        id: 'TypePartitionedBeatsTable',
        name: typePartitionedBeatsTableName,
        description:
          'Beats archived in the v1 layout, one object per beat type and hour (read-only; the views read it too)',
        prefix: archiveBeatsPrefix,
        format: 'json',
        dataColumns: typePartitionedDataColumns,
        partitionColumns: typePartitionedPartitionColumns,
      }),
      projectedTable({
        id: 'ParquetBeatsTable',
        name: parquetBeatsTableName,
        description:
          'Compacted hours: Parquet (zstd, sorted by type and installation) of the run in force, through its manifest',
        prefix: manifestsPrefix,
        format: 'symlinkedParquet',
        dataColumns: archiveDataColumns,
        partitionColumns: archivePartitionColumns,
      }),
      projectedTable({
        id: 'ParquetRunsTable',
        name: parquetRunsTableName,
        description: 'Every compaction run by run id (WHERE run = ...): the compaction counts what it wrote here',
        prefix: parquetRunsPrefix,
        format: 'parquet',
        dataColumns: archiveDataColumns,
        partitionColumns: [...archivePartitionColumns, 'run'],
      }),
      projectedTable({
        id: 'CompactedHoursTable',
        name: compactedHoursTableName,
        description: 'The manifests: one row (a Parquet file URI) per file of each compacted hour',
        prefix: manifestsPrefix,
        format: 'lines',
        dataColumns: ['path'],
        partitionColumns: archivePartitionColumns,
      }),
    ];

    const view = (id: string, name: string, description: string, sql: string, columns: readonly string[]) => {
      const resource = new CfnTable(this, id, {
        catalogId,
        databaseName,
        tableInput: {
          name,
          description,
          tableType: 'VIRTUAL_VIEW',
          parameters: { presto_view: 'true', comment: 'Presto View' },
          viewOriginalText: `/* Presto View: ${prestoViewBase64(databaseName, sql, columns)} */`,
          viewExpandedText: '/* Presto View */',
          storageDescriptor: { columns: columns.map((c) => ({ name: c, type: 'string' })), serdeInfo: {} },
        },
      });
      for (const table of tables) resource.addResourceDependency(table);
      return resource;
    };
    // 'BeatsTable': the id the raw table had under this name, so the name passes to the view in place
    const beats = view(
      'BeatsTable',
      beatsViewName,
      'Every archived row (a re-sent beat appears more than once), each hour once: Parquet when compacted, else raw',
      beatsViewSql(),
      beatsViewColumns,
    );
    view(
      'UniqueBeatsView',
      uniqueBeatsViewName,
      'One row per installation and beat id: the first received (an agent may re-send a beat whose answer it lost)',
      uniqueBeatsViewSql(),
      uniqueBeatsViewColumns,
    ).addResourceDependency(beats);
  }

  private buildAthenaWorkGroup(config: AppConfig): void {
    new CfnWorkGroup(this, 'TelemetryWorkGroup', {
      name: this.athenaWorkGroupName,
      description: `UCX ${config.stage}: telemetry archive queries`,
      state: 'ENABLED',
      // Saved queries and history go with the workgroup; the data and results stay in S3.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        // Clients cannot send results elsewhere or unencrypted.
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        // 1 TiB: ~$5 at Athena's price per TB scanned; a query without a dt filter stops there.
        bytesScannedCutoffPerQuery: Size.tebibytes(1).toBytes(),
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.athenaResultsBucket.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: this.archiveKey.keyArn },
        },
      },
    });
  }
}

/** Athena stores a view as base64 JSON in ViewOriginalText; every column here is a varchar. */
function prestoViewBase64(databaseName: string, sql: string, columns: readonly string[]): string {
  const view = {
    originalSql: sql,
    catalog: 'awsdatacatalog',
    schema: databaseName,
    columns: columns.map((name) => ({ name, type: 'varchar' })),
  };
  return Buffer.from(JSON.stringify(view), 'utf8').toString('base64');
}

/** The global table's billing: on-demand, or provisioned with both dimensions autoscaled (its replicas and index inherit it). */
function billingOf(capacity: TableCapacity): Billing {
  if (capacity.mode === 'on-demand') return Billing.onDemand();
  const scaled = (b: { min: number; max: number }) =>
    Capacity.autoscaled({
      minCapacity: b.min,
      maxCapacity: b.max,
      targetUtilizationPercent: capacity.targetUtilisationPercent,
    });
  return Billing.provisioned({ readCapacity: scaled(capacity.read), writeCapacity: scaled(capacity.write) });
}

import { Match, Template } from 'aws-cdk-lib/assertions';
import { beatTypes } from '#lambdas/core/telemetry/catalogue';
import { buildTestApp, testConfig } from './test-app';
import { gsi2ReadAttributes } from '#lambdas/adapters/dynamodb-support-reads';
import type { AppConfig } from '#lib/config';
import { provisionedTableIndexes, supportTableGsi2Attributes } from '#lib/stacks/stateful-stack';

// Logical ids of retained resources must never change: a new id means CloudFormation creates a
// second table with the same name (and fails) or a second key (and orphans the first). The local
// cloud finds them by these ids too.
const tableLogicalId = 'LicensingTable97FC9AE0';
const keyLogicalId = 'LicenceSigningKey6C3BDB59';
const streamLogicalId = 'TelemetryStream9D62E5EC';
const archiveBucketLogicalId = 'TelemetryArchiveBucket74526FF4';
const supportTableLogicalId = 'SupportTable9EE0E7DF';
const supportBusLogicalId = 'SupportEventBusCBC7E9E7';
const presenceTableLogicalId = 'PresenceTable3ADAA3E7';
/** The state buckets' lifecycle rules for CT.S3.PR.11's versions: gone a day after they stop being current. */
const noncurrentVersionRules = [
  expect.objectContaining({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 1 } }),
  expect.objectContaining({ Status: 'Enabled', ExpiredObjectDeleteMarker: true }),
];

/** CloudFormation JSON as the CDK assertions give it (Template#toJSON): untyped, so each test names the paths it reads. */
type CfnJson = ReturnType<Template['toJSON']>;
type Resource = { Type: string; Properties: CfnJson; DeletionPolicy?: string };

describe('stateful stacks', () => {
  const { stacks } = buildTestApp();
  const primary = Template.fromStack(stacks.eu.stateful);
  const replica = Template.fromStack(stacks.us.stateful);

  describe('the licensing table', () => {
    it('is one global table, created by the primary region with a replica in the other', () => {
      // Assert
      expect(Object.keys(primary.findResources('AWS::DynamoDB::GlobalTable'))).toEqual([tableLogicalId]);
      replica.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
      // The replica region's only tables of its own are its support and presence tables.
      expect(Object.keys(replica.findResources('AWS::DynamoDB::Table')).sort()).toEqual(
        [supportTableLogicalId, presenceTableLogicalId].sort(),
      );
      primary.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        TableName: 'ucx-test-licensing',
        Replicas: Match.arrayWith([Match.objectLike({ Region: 'eu-central-1' })]),
      });
      primary.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        Replicas: Match.arrayWith([Match.objectLike({ Region: 'us-east-1' })]),
      });
    });

    it('has pk/sk, the gsi1 index, TTL and AWS-managed encryption', () => {
      primary.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'gsi1pk', AttributeType: 'S' },
          { AttributeName: 'gsi1sk', AttributeType: 'S' },
        ]),
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
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      });
    });

    it('has point-in-time recovery and deletion protection in every region, and is retained', () => {
      // Arrange
      const table = primary.findResources('AWS::DynamoDB::GlobalTable')[tableLogicalId];
      const replicas = table?.Properties.Replicas as {
        Region: string;
        PointInTimeRecoverySpecification: unknown;
        DeletionProtectionEnabled: boolean;
      }[];

      // Assert
      expect(replicas).toHaveLength(2);
      for (const r of replicas) {
        expect(r.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
        expect(r.DeletionProtectionEnabled).toBe(true);
      }
      expect(table?.DeletionPolicy).toBe('Retain');
      expect(table?.UpdateReplacePolicy).toBe('Retain');
    });

    it("is referenced by name in the replica region, so grants target that region's replica", () => {
      // Act
      const tableArn = stacks.us.stateful.resolve(stacks.us.stateful.table.tableArn) as unknown;

      // Assert
      expect(stacks.us.stateful.resolve(stacks.us.stateful.table.tableName)).toBe('ucx-test-licensing');
      expect(tableArn).toBe('arn:aws:dynamodb:us-east-1:123456789012:table/ucx-test-licensing');
    });
  });

  describe.each([
    ['eu', primary],
    ['us', replica],
  ])('the %s signing key', (_region, template) => {
    it('is an ECC P-256 signing key under the shared alias, retained', () => {
      // Assert
      // The other keys of the stack encrypt the support alerts topic, seal presence tokens and encrypt the archive.
      expect(Object.keys(template.findResources('AWS::KMS::Key', { Properties: { KeyUsage: 'SIGN_VERIFY' } }))).toEqual(
        [keyLogicalId],
      );
      template.resourceCountIs('AWS::KMS::Key', 4);
      template.hasResource('AWS::KMS::Key', {
        Properties: Match.objectLike({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
      template.hasResourceProperties('AWS::KMS::Alias', {
        AliasName: 'alias/ucx-test-licence-signing',
        TargetKeyId: { 'Fn::GetAtt': [keyLogicalId, 'Arn'] },
      });
    });
  });

  describe.each([
    ['eu', primary],
    ['us', replica],
  ])('the %s telemetry', (regionKey, template) => {
    const resources = template.toJSON().Resources as Record<string, Resource>;
    const glueTables = Object.values(resources).filter((r) => r.Type === 'AWS::Glue::Table');
    const tableNamed = (name: string) => glueTables.find((r) => r.Properties.TableInput.Name === name);
    const beatsTable = tableNamed('beats_raw');
    const beatsView = tableNamed('beats');
    const typePartitionedTable = glueTables.find((r) => r.Properties.TableInput.Name === 'beats_v1');
    const view = glueTables.find((r) => r.Properties.TableInput.Name === 'beats_unique');
    const bucketIdStartingWith = (prefix: string) =>
      Object.keys(resources).find((id) => id.startsWith(prefix) && resources[id]?.Type === 'AWS::S3::Bucket');
    const accessLogBucketLogicalId = () => bucketIdStartingWith('AccessLogBucket');
    const archiveKeyLogicalId = Object.keys(resources).find(
      (id) => id.startsWith('TelemetryArchiveKey') && resources[id]?.Type === 'AWS::KMS::Key',
    );
    // CT.S3.PR.10: SSE-KMS under the archive key, with the bucket key
    const archiveKeyEncryption = {
      ServerSideEncryptionConfiguration: [
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: { 'Fn::GetAtt': [archiveKeyLogicalId, 'Arn'] },
          },
        },
      ],
    };
    const archiveLocation = { 'Fn::Join': ['', ['s3://', { Ref: archiveBucketLogicalId }, '/beats/']] };

    it('has one provisioned stream with the configured shards, the AWS-managed key and 48 h retention, retained', () => {
      // Assert
      expect(Object.keys(template.findResources('AWS::Kinesis::Stream'))).toEqual([streamLogicalId]);
      template.hasResource('AWS::Kinesis::Stream', {
        Properties: {
          StreamModeDetails: { StreamMode: 'PROVISIONED' },
          ShardCount: testConfig.telemetryShards,
          StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
          RetentionPeriodHours: 48,
        },
        DeletionPolicy: 'Retain',
      });
      expect(resources[streamLogicalId]?.Properties.Name).toBeUndefined();
    });

    it('archives into a KMS-encrypted, private, versioned, access-logged, retained bucket', () => {
      // Assert
      expect(resources[archiveKeyLogicalId!]).toMatchObject({
        Properties: { EnableKeyRotation: true },
        DeletionPolicy: 'Retain',
      });
      expect(resources[archiveBucketLogicalId]).toMatchObject({
        Type: 'AWS::S3::Bucket',
        Properties: {
          BucketEncryption: archiveKeyEncryption,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
        },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
      expect(resources[archiveBucketLogicalId]?.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(resources[archiveBucketLogicalId]?.Properties.LoggingConfiguration).toEqual({
        DestinationBucketName: { Ref: accessLogBucketLogicalId() },
        LogFilePrefix: 'archive/',
      });
      expect(resources[archiveBucketLogicalId]?.Properties.BucketName).toBeUndefined();
    });

    /** the archive bucket's lifecycle rules as a stack set built with this config synthesizes them */
    const archiveRules = (template: Template) =>
      (template.toJSON().Resources as Record<string, Resource>)[archiveBucketLogicalId]?.Properties
        .LifecycleConfiguration.Rules as Record<string, unknown>[];
    const aging = (prefix: string, transitions: unknown[], expireDays: number) =>
      expect.objectContaining({
        Status: 'Enabled',
        Prefix: prefix,
        Transitions: transitions,
        ExpirationInDays: expireDays,
      });

    it('expires raw landing objects after rawDays, and moves Parquet runs and manifests to Glacier Instant Retrieval, then expires them, per the config', () => {
      // Arrange
      const { infrequentAccessDays, glacierDays, expireDays, rawDays } = testConfig.archive;
      const transitions = [{ StorageClass: 'GLACIER_IR', TransitionInDays: glacierDays }];

      // Assert
      const rules = archiveRules(primary);
      expect(rules).toEqual([
        expect.objectContaining({ Status: 'Enabled', Prefix: 'beats/', ExpirationInDays: rawDays }),
        aging('parquet-runs/', transitions, expireDays),
        aging('parquet/', transitions, expireDays),
        ...noncurrentVersionRules,
      ]);
      expect(rules[0]!.Transitions).toBeUndefined();
      expect([infrequentAccessDays, glacierDays, expireDays, rawDays]).toEqual([undefined, 30, 395, 7]);
    });

    it('moves them through Standard-IA first when infrequentAccessDays is set', () => {
      // Arrange
      const archive = { ...testConfig.archive, infrequentAccessDays: 30, glacierDays: 90 };
      const { stacks: withIa } = buildTestApp({ ...testConfig, archive });

      // Assert
      const transitions = [
        { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
        { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
      ];
      expect(archiveRules(Template.fromStack(withIa.eu.stateful))).toEqual(
        expect.arrayContaining([
          aging('parquet-runs/', transitions, archive.expireDays),
          aging('parquet/', transitions, archive.expireDays),
        ]),
      );
    });

    it('keeps the Athena results versioned and access-logged, noncurrent versions a day (CT.S3.PR.11, PR.2)', () => {
      // Assert
      const results = resources[bucketIdStartingWith('AthenaResultsBucket')!]!;
      expect(results.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(results.Properties.LoggingConfiguration).toEqual({
        DestinationBucketName: { Ref: accessLogBucketLogicalId() },
        LogFilePrefix: 'athena-results/',
      });
      expect(results.Properties.LifecycleConfiguration.Rules).toEqual([
        expect.objectContaining({ Status: 'Enabled', ExpirationInDays: 30 }),
        ...noncurrentVersionRules,
      ]);
    });

    it('writes the access logs into one SSE-S3, bucket-owner-enforced bucket that expires them after 90 days, retained', () => {
      // Assert
      expect(
        Object.keys(resources).filter(
          (id) => id.startsWith('AccessLogBucket') && resources[id]?.Type === 'AWS::S3::Bucket',
        ),
      ).toHaveLength(1);
      expect(resources[accessLogBucketLogicalId()!]).toMatchObject({
        Properties: {
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
          },
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
          LifecycleConfiguration: { Rules: [expect.objectContaining({ Status: 'Enabled', ExpirationInDays: 90 })] },
        },
        DeletionPolicy: 'Retain',
      });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: accessLogBucketLogicalId() },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'logging.s3.amazonaws.com' },
              Action: 's3:PutObject',
            }),
          ]),
        },
      });
    });

    it.each([archiveBucketLogicalId, 'athena results'])(
      'denies every request without TLS to the %s bucket',
      (bucket) => {
        // Arrange
        const bucketId =
          bucket === archiveBucketLogicalId
            ? bucket
            : Object.keys(resources).find(
                (id) => id.startsWith('AthenaResultsBucket') && resources[id]?.Type === 'AWS::S3::Bucket',
              );

        // Assert
        template.hasResourceProperties('AWS::S3::BucketPolicy', {
          Bucket: { Ref: bucketId },
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Effect: 'Deny',
                Principal: { AWS: '*' },
                Action: 's3:*',
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              }),
            ]),
          },
        });
      },
    );

    it('catalogues the raw archive in a Glue table of gzip JSON lines over s3://<archive>/beats/, the beat type a column', () => {
      // Assert
      template.hasResourceProperties('AWS::Glue::Database', {
        DatabaseInput: Match.objectLike({ Name: 'ucx_test_telemetry' }),
      });
      expect(beatsTable?.Properties).toMatchObject({
        DatabaseName: 'ucx_test_telemetry',
        TableInput: {
          TableType: 'EXTERNAL_TABLE',
          PartitionKeys: ['region', 'dt', 'hour'].map((Name) => ({ Name, Type: 'string' })),
          StorageDescriptor: {
            Location: archiveLocation,
            Columns: [
              'beat_id',
              'type',
              'installation_id',
              'account_id',
              'collected_at',
              'received_at',
              'catalogue',
              'data',
            ].map((Name) => ({ Name, Type: 'string' })),
            SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
            InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          },
        },
      });
    });

    it('projects its partitions (no crawler): region, the day and the hour', () => {
      // Assert
      const parameters = beatsTable?.Properties.TableInput.Parameters as Record<string, unknown>;
      expect(parameters).toMatchObject({
        'projection.enabled': 'true',
        'projection.region.type': 'enum',
        'projection.region.values': 'eu,us',
        'projection.dt.type': 'date',
        'projection.dt.format': 'yyyy-MM-dd',
        'projection.dt.range': 'NOW-3YEARS,NOW',
        'projection.hour.type': 'integer',
        'projection.hour.range': '0,23',
        'projection.hour.digits': '2',
        'storage.location.template': {
          'Fn::Join': [
            '',
            // biome-ignore lint/suspicious/noTemplateCurlyInString: Athena's partition-projection placeholders, filled at query time
            ['s3://', { Ref: archiveBucketLogicalId }, '/beats/region=${region}/dt=${dt}/hour=${hour}/'],
          ],
        },
      });
      expect(Object.keys(parameters).filter((k) => k.startsWith('projection.type'))).toEqual([]);
    });

    it('keeps the objects of the v1 layout (one per beat type) readable in a type-partitioned table', () => {
      // Assert
      expect(typePartitionedTable?.Properties.TableInput).toMatchObject({
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: ['region', 'type', 'dt', 'hour'].map((Name) => ({ Name, Type: 'string' })),
        StorageDescriptor: {
          Location: archiveLocation,
          Columns: ['beat_id', 'installation_id', 'account_id', 'collected_at', 'received_at', 'catalogue', 'data'].map(
            (Name) => ({ Name, Type: 'string' }),
          ),
        },
        Parameters: {
          'projection.type.type': 'enum',
          'projection.type.values': beatTypes.join(','),
          'storage.location.template': {
            'Fn::Join': [
              '',
              // biome-ignore lint/suspicious/noTemplateCurlyInString: Athena's partition-projection placeholders, filled at query time
              ['s3://', { Ref: archiveBucketLogicalId }, '/beats/region=${region}/type=${type}/dt=${dt}/hour=${hour}/'],
            ],
          },
        },
      });
      expect(beatTypes).toHaveLength(25);
    });

    const decodedView = (table: Resource | undefined) => {
      const original = table?.Properties.TableInput.ViewOriginalText as string;
      const encoded = /^\/\* Presto View: ([A-Za-z0-9+/=]+) \*\/$/.exec(original)?.[1] ?? '';
      return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as {
        originalSql: string;
        catalog: string;
        schema: string;
        columns: { name: string; type: string }[];
      };
    };

    it("catalogues the compacted hours: Parquet through each hour's manifest, every run by run id, the manifests' lines", () => {
      // Arrange
      const location = (prefix: string, folders: string) => ({
        'Fn::Join': [
          '',
          ['s3://', { Ref: archiveBucketLogicalId }, `/${prefix}region=\${region}/dt=\${dt}/hour=\${hour}/${folders}`],
        ],
      });

      // Assert
      expect(tableNamed('beats_parquet')?.Properties.TableInput).toMatchObject({
        PartitionKeys: ['region', 'dt', 'hour'].map((Name) => ({ Name, Type: 'string' })),
        Parameters: { 'storage.location.template': location('parquet/', '') },
        StorageDescriptor: {
          InputFormat: 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat',
          SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        },
      });
      expect(tableNamed('beats_parquet_runs')?.Properties.TableInput).toMatchObject({
        PartitionKeys: ['region', 'dt', 'hour', 'run'].map((Name) => ({ Name, Type: 'string' })),
        Parameters: {
          'projection.run.type': 'injected',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: Athena's partition-projection placeholder
          'storage.location.template': location('parquet-runs/', 'run=${run}/'),
        },
        StorageDescriptor: { InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat' },
      });
      expect(tableNamed('compacted_hours')?.Properties.TableInput).toMatchObject({
        Parameters: { 'storage.location.template': location('parquet/', '') },
        StorageDescriptor: { Columns: [{ Name: 'path', Type: 'string' }] },
      });
    });

    it('has a beats view reading each hour once: Parquet when compacted, else raw (both layouts)', () => {
      // Act
      const decoded = decodedView(beatsView);

      // Assert
      expect(beatsView?.Properties.TableInput.TableType).toBe('VIRTUAL_VIEW');
      expect(decoded).toMatchObject({ catalog: 'awsdatacatalog', schema: 'ucx_test_telemetry' });
      expect(decoded.originalSql).toMatch(
        /^SELECT .* FROM "beats_parquet" UNION ALL SELECT .* FROM "beats_raw" r WHERE NOT EXISTS \(SELECT 1 FROM "compacted_hours" c WHERE .*\) UNION ALL SELECT .* FROM "beats_v1" v WHERE NOT EXISTS/,
      );
      expect(decoded.columns.map((c) => c.name)).toEqual([
        'beat_id',
        'type',
        'installation_id',
        'account_id',
        'collected_at',
        'received_at',
        'catalogue',
        'data',
        'region',
        'dt',
        'hour',
      ]);
    });

    it('has an Athena view with one row per installation and beat id, the first received', () => {
      // Act
      const decoded = decodedView(view);

      // Assert
      expect(view?.Properties.TableInput).toMatchObject({
        TableType: 'VIRTUAL_VIEW',
        ViewExpandedText: '/* Presto View */',
        Parameters: { presto_view: 'true' },
      });
      expect(decoded).toMatchObject({ catalog: 'awsdatacatalog', schema: 'ucx_test_telemetry' });
      expect(decoded.originalSql).toMatch(
        /row_number\(\) OVER \(PARTITION BY "installation_id", "beat_id" ORDER BY "received_at" ASC\) AS "rn" FROM "beats"\) WHERE "rn" = 1$/,
      );
      expect(decoded.columns.map((c) => c.name)).toEqual([
        'beat_id',
        'installation_id',
        'account_id',
        'collected_at',
        'received_at',
        'catalogue',
        'data',
        'region',
        'type',
        'dt',
        'hour',
      ]);
      expect(decoded.columns.map((c) => c.name)).toEqual(
        (view!.Properties.TableInput.StorageDescriptor.Columns as { Name: string }[]).map((c) => c.Name),
      );
      expect(decoded.columns.map((c) => c.name)).not.toContain('rn');
    });

    it('queries through an enforced Athena workgroup with results SSE-KMS encrypted under the archive key', () => {
      // Arrange
      const resultsBucketId = Object.keys(resources).find(
        (id) => id.startsWith('AthenaResultsBucket') && resources[id]?.Type === 'AWS::S3::Bucket',
      );

      // Assert
      template.hasResourceProperties('AWS::Athena::WorkGroup', {
        Name: 'ucx-test-telemetry',
        WorkGroupConfiguration: Match.objectLike({
          EnforceWorkGroupConfiguration: true,
          ResultConfiguration: {
            OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: resultsBucketId }, '/results/']] },
            EncryptionConfiguration: {
              EncryptionOption: 'SSE_KMS',
              KmsKey: { 'Fn::GetAtt': [archiveKeyLogicalId, 'Arn'] },
            },
          },
        }),
      });
      expect(resources[resultsBucketId as string]?.Properties).toMatchObject({
        BucketEncryption: archiveKeyEncryption,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
    });

    it(`exposes this region's stream, bucket and catalogue names`, () => {
      // Arrange
      const stack = regionKey === 'eu' ? stacks.eu.stateful : stacks.us.stateful;

      // Assert
      expect(stack.resolve(stack.telemetryStream.streamName)).toEqual({ Ref: streamLogicalId });
      expect(stack.resolve(stack.archiveBucket.bucketName)).toEqual({ Ref: archiveBucketLogicalId });
      expect([
        stack.telemetryDatabaseName,
        stack.beatsTableName,
        stack.uniqueBeatsViewName,
        stack.athenaWorkGroupName,
      ]).toEqual(['ucx_test_telemetry', 'beats', 'beats_unique', 'ucx-test-telemetry']);
    });
  });

  describe.each([
    ['eu', primary],
    ['us', replica],
  ])('the %s proactive support', (regionKey, template) => {
    const resources = template.toJSON().Resources as Record<string, Resource & { UpdateReplacePolicy?: string }>;
    const stack = regionKey === 'eu' ? stacks.eu.stateful : stacks.us.stateful;

    it('has its own regional support table (never a global one): pk/sk, TTL, encrypted, PITR, deletion protection, retained', () => {
      // Assert
      expect(Object.keys(template.findResources('AWS::DynamoDB::Table')).sort()).toEqual(
        [supportTableLogicalId, presenceTableLogicalId].sort(),
      );
      expect(resources[supportTableLogicalId]).toMatchObject({
        Properties: {
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
          SSESpecification: { SSEEnabled: true },
          TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
      // No physical name: the two regions' tables (maybe in one account) cannot collide.
      expect(resources[supportTableLogicalId]?.Properties.TableName).toBeUndefined();
      expect(resources[supportTableLogicalId]?.Properties.Replicas).toBeUndefined();
    });

    it("has the indexes the cost model holds each table's minimum capacity for (bench/cost.ts)", () => {
      // Assert
      const names = (indexes: CfnJson[] | undefined) => (indexes ?? []).map((i) => i.IndexName as string);
      const licensing = primary.findResources('AWS::DynamoDB::GlobalTable')[tableLogicalId]?.Properties;
      expect(names(licensing?.GlobalSecondaryIndexes)).toEqual(provisionedTableIndexes.licensing);
      expect(names(resources[supportTableLogicalId]?.Properties.GlobalSecondaryIndexes)).toEqual(
        provisionedTableIndexes.support,
      );
    });

    it('indexes silent installations (keys and installationId) in gsi1 and accounts (the listed attributes) in gsi2', () => {
      // Assert
      expect(resources[supportTableLogicalId]?.Properties.AttributeDefinitions).toEqual(
        ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'].map((AttributeName) => ({
          AttributeName,
          AttributeType: 'S',
        })),
      );
      const indexes = resources[supportTableLogicalId]?.Properties.GlobalSecondaryIndexes as CfnJson[];
      expect(indexes.map(({ ProvisionedThroughput: _capacity, ...index }) => index)).toEqual([
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['installationId'] },
        },
        {
          IndexName: 'gsi2',
          KeySchema: [
            { AttributeName: 'gsi2pk', KeyType: 'HASH' },
            { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
          ],
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: [
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
            ],
          },
        },
      ]);
    });

    it('has one event bus for finding notifications, archived 30 days', () => {
      // Assert
      // the other bus is the vendor's (below)
      const vendorBusLogicalId = stack.getLogicalId(stack.vendorEventBus.node.defaultChild as never);
      expect(Object.keys(template.findResources('AWS::Events::EventBus')).sort()).toEqual(
        [supportBusLogicalId, vendorBusLogicalId].sort(),
      );
      template.hasResourceProperties('AWS::Events::Archive', {
        SourceArn: { 'Fn::GetAtt': [supportBusLogicalId, 'Arn'] },
        EventPattern: { source: ['ucx-cloud.proactive-support'] },
        RetentionDays: 30,
      });
      expect(stack.resolve(stack.supportEventBus.eventBusName)).toEqual({ Ref: supportBusLogicalId });
      expect(stack.resolve(stack.supportTable.tableName)).toEqual({ Ref: supportTableLogicalId });
    });

    it("has the vendor's bus for licence and account events, every event archived a year (docs/events.md)", () => {
      // Arrange
      const vendorBusLogicalId = stack.getLogicalId(stack.vendorEventBus.node.defaultChild as never);

      // Assert
      template.hasResourceProperties('AWS::Events::Archive', {
        SourceArn: { 'Fn::GetAtt': [vendorBusLogicalId, 'Arn'] },
        EventPattern: { source: ['ucx.licensing', 'ucx.accounts'] },
        RetentionDays: 365,
      });
      // no rule of ours on it: the vendor's systems add their own
      expect(
        Object.values(template.findResources('AWS::Events::Rule')).filter((rule) =>
          JSON.stringify(rule.Properties.EventBusName).includes(vendorBusLogicalId),
        ),
      ).toEqual([]);
    });

    it("routes critical findings of proactive accounts, opened or escalated, from this bus to support's encrypted topic", () => {
      // Arrange
      const topicId = stack.getLogicalId(stack.supportAlertsTopic.node.defaultChild as never);
      const keyArn = resources[topicId]?.Properties.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] };

      // Assert
      template.resourceCountIs('AWS::Events::Rule', 1);
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: supportBusLogicalId },
        EventPattern: {
          source: ['ucx-cloud.proactive-support'],
          'detail-type': ['Finding opened', 'Finding escalated'],
          detail: { finding: { severity: ['critical'], audience: ['proactive'] } },
        },
        State: 'ENABLED',
        Targets: [Match.objectLike({ Arn: { Ref: topicId } })],
      });
      expect(resources[keyArn['Fn::GetAtt'][0]]?.Type).toBe('AWS::KMS::Key');
      expect(resources[keyArn['Fn::GetAtt'][0]]?.Properties.EnableKeyRotation).toBe(true);
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'events.amazonaws.com' },
              Action: Match.arrayWith(['kms:GenerateDataKey*']),
            }),
          ]),
        },
      });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topicId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sns:Publish',
            }),
          ]),
        },
      });
    });

    it('mentions no other region (telemetry-derived data stays in its region)', () => {
      // Arrange
      const otherRegion = regionKey === 'eu' ? 'us-east-1' : 'eu-central-1';
      const text = JSON.stringify(
        Object.fromEntries(Object.entries(resources).filter(([id]) => /^(Support|CriticalFindings)/.test(id))),
      );

      // Assert
      expect(text).not.toContain(otherRegion);
      expect(text).not.toContain(`ucx-test-${regionKey === 'eu' ? 'us' : 'eu'}-`);
    });
  });

  describe('DynamoDB capacity (ucx.tableCapacity)', () => {
    const provisioned = (c: AppConfig['tableCapacity']['support']) => {
      if (c.mode !== 'provisioned') throw new Error('cdk.json provisions its tables');
      return c;
    };
    const licensing = provisioned(testConfig.tableCapacity.licensing);
    const support = provisioned(testConfig.tableCapacity.support);

    it('provisions the global table as cdk.json says: both dimensions autoscaled to the target, replicas included', () => {
      // Arrange
      const scaled = (b: { min: number; max: number }) => ({
        MinCapacity: b.min,
        MaxCapacity: b.max,
        TargetTrackingScalingPolicyConfiguration: { TargetValue: licensing.targetUtilisationPercent },
      });
      // Assert
      primary.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        BillingMode: 'PROVISIONED',
        WriteProvisionedThroughputSettings: { WriteCapacityAutoScalingSettings: scaled(licensing.write) },
        Replicas: Match.arrayWith([
          Match.objectLike({
            Region: 'us-east-1',
            ReadProvisionedThroughputSettings: { ReadCapacityAutoScalingSettings: scaled(licensing.read) },
          }),
        ]),
      });
    });

    it.each([
      ['eu', primary],
      ['us', replica],
    ])(
      'provisions the %s support table and both its indexes, each dimension autoscaled between its bounds',
      (_region, template) => {
        // Arrange
        const targets = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalableTarget')).map(
          (r) =>
            r['Properties'] as {
              ScalableDimension: string;
              MinCapacity: number;
              MaxCapacity: number;
              ResourceId: CfnJson;
            },
        );
        const policies = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy')).map(
          (r) => r['Properties']['TargetTrackingScalingPolicyConfiguration'] as { TargetValue: number },
        );
        // Assert
        // CloudFormation's default billing is PROVISIONED: the table names its starting capacity.
        expect(template.toJSON().Resources[supportTableLogicalId].Properties.ProvisionedThroughput).toEqual({
          ReadCapacityUnits: support.read.min,
          WriteCapacityUnits: support.write.min,
        });
        expect(targets.map((t) => [t.ScalableDimension, t.MinCapacity, t.MaxCapacity]).sort()).toEqual(
          [
            ...['table', 'index', 'index'].map((on) => [
              `dynamodb:${on}:ReadCapacityUnits`,
              support.read.min,
              support.read.max,
            ]),
            ...['table', 'index', 'index'].map((on) => [
              `dynamodb:${on}:WriteCapacityUnits`,
              support.write.min,
              support.write.max,
            ]),
          ].sort(),
        );
        expect(policies.map((p) => p.TargetValue)).toEqual(Array(6).fill(support.targetUtilisationPercent));
        expect(JSON.stringify(targets.map((t) => t.ResourceId))).toContain('/index/gsi2');
      },
    );

    it('bills both tables on demand, with nothing to autoscale, when the config says on-demand', () => {
      // Arrange
      const onDemand = { mode: 'on-demand' } as const;
      const { stacks: built } = buildTestApp({
        ...testConfig,
        tableCapacity: { licensing: onDemand, support: onDemand },
      });
      const eu = Template.fromStack(built.eu.stateful);
      const us = Template.fromStack(built.us.stateful);
      // Assert
      eu.hasResourceProperties('AWS::DynamoDB::GlobalTable', { BillingMode: 'PAY_PER_REQUEST' });
      for (const template of [eu, us]) {
        const table = template.toJSON().Resources[supportTableLogicalId].Properties;
        expect(table.BillingMode).toBe('PAY_PER_REQUEST');
        expect(JSON.stringify(table)).not.toContain('ProvisionedThroughput');
        template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
      }
    });
  });

  it('matches the snapshot of the primary region (retained resources change rarely)', () => {
    expect(primary.toJSON()).toMatchSnapshot();
  });
});

describe('support table gsi2 projection', () => {
  it('projects every attribute the support API reads from the index (a projection cannot change after deploy)', () => {
    const projected = new Set<string>(supportTableGsi2Attributes);

    const missing = gsi2ReadAttributes.filter((attribute) => !projected.has(attribute));

    expect(missing).toEqual([]);
  });
});

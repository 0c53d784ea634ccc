/**
 * What must outlive a deployment, per region: the licensing table (one DynamoDB global table,
 * created by the primary region, replicated to the others) and the licence signing key.
 */
import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2, type ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Key, KeySpec, KeyUsage, type IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { AppConfig, RegionKey } from '../config';

/**
 * The one hard-coded physical table name: a global table has the same name in every region, and
 * the replica region's stack can only find it by that name (a token would be cross-region).
 */
export const licensingTableName = (stage: string): string => `ucx-${stage}-licensing`;

/**
 * Alias of every region's signing key. Fixed so a function can name another region's key
 * (for the JWKS) without a cross-region reference.
 */
export const signingKeyAliasName = (stage: string): string => `alias/ucx-${stage}-licence-signing`;

/** Name of the table's one global secondary index. */
export const licensingTableGsi1 = 'gsi1';

export interface StatefulStackProps extends StackProps {
  /** the validated app configuration */
  readonly config: AppConfig;
  /** region this stack deploys to */
  readonly regionKey: RegionKey;
}

export class StatefulStack extends Stack {
  /** the licensing table as seen from this region (the primary table or the local replica) */
  public readonly table: ITableV2;
  /** this region's ES256 licence signing key */
  public readonly signingKey: IKey;
  /** whether this stack owns the global table (false: it references the replica) */
  public readonly isPrimary: boolean;

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
        billing: Billing.onDemand(),
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

    this.signingKey = new Key(this, 'LicenceSigningKey', {
      description: `UCX ${config.stage} ${regionKey}: signs licences (ES256)`,
      keySpec: KeySpec.ECC_NIST_P256,
      keyUsage: KeyUsage.SIGN_VERIFY,
      alias: signingKeyAliasName(config.stage),
      // Agents pin its public key: losing it would orphan every licence signed with it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}

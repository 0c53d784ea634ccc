import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildTestApp } from './test-app';

// Logical ids of retained resources must never change: a new id means CloudFormation creates a
// second table with the same name (and fails) or a second key (and orphans the first). The local
// cloud finds them by these ids too.
const tableLogicalId = 'LicensingTable97FC9AE0';
const keyLogicalId = 'LicenceSigningKey6C3BDB59';

describe('stateful stacks', () => {
  const { stacks } = buildTestApp();
  const primary = Template.fromStack(stacks.eu.stateful);
  const replica = Template.fromStack(stacks.us.stateful);

  describe('the licensing table', () => {
    it('is one global table, created by the primary region with a replica in the other', () => {
      // Assert
      expect(Object.keys(primary.findResources('AWS::DynamoDB::GlobalTable'))).toEqual([tableLogicalId]);
      replica.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
      replica.resourceCountIs('AWS::DynamoDB::Table', 0);
      primary.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        TableName: 'ucx-test-licensing',
        Replicas: Match.arrayWith([Match.objectLike({ Region: 'eu-central-1' })]),
      });
      primary.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        Replicas: Match.arrayWith([Match.objectLike({ Region: 'us-east-1' })]),
      });
    });

    it('has pk/sk, the gsi1 index, on-demand billing, TTL and AWS-managed encryption', () => {
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
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      });
    });

    it('has point-in-time recovery and deletion protection in every region, and is retained', () => {
      // Arrange
      const table = primary.findResources('AWS::DynamoDB::GlobalTable')[tableLogicalId];
      const replicas = table?.Properties.Replicas as { Region: string; PointInTimeRecoverySpecification: unknown; DeletionProtectionEnabled: boolean }[];

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
      expect(Object.keys(template.findResources('AWS::KMS::Key'))).toEqual([keyLogicalId]);
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

  it('matches the snapshot of the primary region (retained resources change rarely)', () => {
    expect(primary.toJSON()).toMatchSnapshot();
  });
});

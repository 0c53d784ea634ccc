/**
 * A table of its own with the support table's key layout (pk/sk, gsi1, gsi2) on the local cloud's
 * DynamoDB Local, for adapter tests that write and read the real thing. `drop()` deletes it.
 */
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cloud } from '#test/support/local-cloud';

export interface SupportTable {
  readonly tableName: string;
  readonly raw: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  drop(): Promise<void>;
}

export async function createSupportTable(tableName: string): Promise<SupportTable> {
  const region = cloud().regions.eu;
  const raw = new DynamoDBClient({
    endpoint: region.endpoints.dynamodb,
    region: region.region,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const s = (name: string) => ({ AttributeName: name, AttributeType: 'S' as const });
  const index = (name: string) => ({
    IndexName: name,
    KeySchema: [
      { AttributeName: `${name}pk`, KeyType: 'HASH' as const },
      { AttributeName: `${name}sk`, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  });
  await raw.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'].map(s),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [index('gsi1'), index('gsi2')],
    }),
  );
  return {
    tableName,
    raw,
    documents: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }),
    async drop() {
      await raw.send(new DeleteTableCommand({ TableName: tableName }));
      raw.destroy();
    },
  };
}

/**
 * Tables of their own with the licensing or support table's key layout on the local cloud's
 * DynamoDB Local, for adapter tests that write and read the real thing. `drop()` deletes one.
 */
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cloud } from '#test/support/local-cloud';

export interface TestTable {
  readonly tableName: string;
  readonly raw: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  drop(): Promise<void>;
}
export type SupportTable = TestTable;
export type LicensingTable = TestTable;

/** pk/sk with these string-keyed GSIs (`<name>pk`/`<name>sk`, all attributes projected) */
async function createTable(tableName: string, indexes: readonly string[]): Promise<TestTable> {
  const region = cloud().regions.eu;
  const raw = new DynamoDBClient({
    endpoint: region.endpoints.dynamodb,
    region: region.region,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const s = (name: string) => ({ AttributeName: name, AttributeType: 'S' as const });
  await raw.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ['pk', 'sk', ...indexes.flatMap((i) => [`${i}pk`, `${i}sk`])].map(s),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: indexes.map((name) => ({
        IndexName: name,
        KeySchema: [
          { AttributeName: `${name}pk`, KeyType: 'HASH' as const },
          { AttributeName: `${name}sk`, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      })),
    }),
  );
  return {
    tableName,
    raw,
    // the documents client the Lambdas build (lambdas/adapters/aws-clients.ts) drops undefined values too
    documents: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }),
    async drop() {
      await raw.send(new DeleteTableCommand({ TableName: tableName }));
      raw.destroy();
    },
  };
}

export const createSupportTable = (tableName: string) => createTable(tableName, ['gsi1', 'gsi2']);
export const createLicensingTable = (tableName: string) => createTable(tableName, ['gsi1']);

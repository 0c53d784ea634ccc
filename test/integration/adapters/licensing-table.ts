/**
 * A table of its own with the licensing table's key layout (pk/sk, gsi1) on the local cloud's
 * DynamoDB Local, for the licensing adapters' tests. `drop()` deletes it.
 */
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cloud } from '#test/support/local-cloud';

export interface LicensingTable {
  readonly tableName: string;
  readonly documents: DynamoDBDocumentClient;
  drop(): Promise<void>;
}

export async function createLicensingTable(tableName: string): Promise<LicensingTable> {
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
      AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk'].map(s),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
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
    }),
  );
  return {
    tableName,
    // the documents client the Lambdas build (lambdas/adapters/aws-clients.ts) drops undefined values too
    documents: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }),
    async drop() {
      await raw.send(new DeleteTableCommand({ TableName: tableName }));
      raw.destroy();
    },
  };
}

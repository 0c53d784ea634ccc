/** The two local regions share one licensing table, as the global table does in the cloud. */
import { DynamoDBClient, GetItemCommand, PutItemCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { cloud } from '#test/support/local-cloud';

jest.setTimeout(30_000);

const tableNames = (region: 'eu' | 'us') => {
  const { resources } = cloud().regions[region];
  return Object.entries(resources)
    .filter(([logicalId]) => /licensing/i.test(logicalId))
    .map(([, name]) => name);
};

describe('licensing table', () => {
  it('has one physical name in both regions', () => {
    // Act
    const [euNames, usNames] = [tableNames('eu'), tableNames('us')];

    // Assert
    expect(euNames).toHaveLength(1);
    expect(usNames).toEqual(euNames);
  });

  it('is one table in DynamoDB Local: what one region writes, the other reads', async () => {
    // Arrange
    const [tableName] = tableNames('eu');
    const client = (region: 'eu' | 'us') =>
      new DynamoDBClient({
        endpoint: cloud().regions[region].endpoints.dynamodb,
        region: cloud().regions[region].region,
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      });
    const { Table } = await client('eu').send(new DescribeTableCommand({ TableName: tableName }));
    const key = Object.fromEntries(
      (Table?.KeySchema ?? []).map((k) => [k.AttributeName!, { S: `shared-table-test-${k.KeyType}` }]),
    );

    // Act
    await client('eu').send(new PutItemCommand({ TableName: tableName, Item: { ...key, marker: { S: 'from-eu' } } }));
    const { Item } = await client('us').send(new GetItemCommand({ TableName: tableName, Key: key }));

    // Assert
    expect(Item?.['marker']).toEqual({ S: 'from-eu' });
  });
});

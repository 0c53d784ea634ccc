/**
 * The DynamoDB presence store keeps the PresenceStore contract, on DynamoDB Local in a table of its
 * own with the presence table's shape (lib/stacks/stateful-stack.ts): pk/sk, gsi1, TTL attribute.
 */
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbPresenceStore } from '#lambdas/adapters/dynamodb-presence-store';
import { presenceTableGsi1, presenceTableTtlAttribute } from '#lib/stacks/stateful-stack';
import { presenceStoreContract } from '#test/contract/presence-store.contract';
import { FixedClock } from '#test/support/licensing-fixtures';
import { cloud } from '#test/support/local-cloud';

jest.setTimeout(60_000);

const tableName = `presence-contract-${process.pid}-${Date.now()}`;
let raw: DynamoDBClient;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  const region = cloud().regions.eu;
  raw = new DynamoDBClient({
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
          IndexName: presenceTableGsi1,
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  // No TTL on this table: DynamoDB Local deletes expired items by real time, while the contract's
  // clock stands at T0 (March 2026), so items would vanish under the test at random. The store's
  // own reads apply expiry by its clock, which is what the contract checks; the attribute the
  // stack's TTL reads is still written (presenceTableTtlAttribute, checked below).
  // the documents client the Lambdas build (lambdas/adapters/aws-clients.ts) drops undefined values too
  documents = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
});

afterAll(async () => {
  await raw?.send(new DeleteTableCommand({ TableName: tableName }));
  raw?.destroy();
});

/** Every item that names the account, found by scanning the whole table. */
async function remnants(accountId: string): Promise<unknown[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items
    .filter((item) => JSON.stringify(item).includes(accountId))
    .map((item) => {
      if (item['pk'] !== `ACCOUNT#${accountId}`) return item;
      const { pk: _pk, sk: _sk, ...attributes } = item;
      return attributes;
    });
}

presenceStoreContract('DynamoDbPresenceStore', () => {
  const clock = new FixedClock();
  return { store: new DynamoDbPresenceStore(documents, tableName, clock), clock, remnants };
});

describe('DynamoDbPresenceStore and the table’s TTL', () => {
  it('writes the TTL attribute on every item but the account’s, in epoch seconds after the session ends', async () => {
    // Arrange
    const clock = new FixedClock();
    const store = new DynamoDbPresenceStore(documents, tableName, clock);
    const accountId = `acc_ttl${Date.now()}`;
    const endsBy = new Date(clock.now().getTime() + 2 * 3_600_000);
    const session = {
      connectionId: `c-${accountId}`,
      installationId: 'inst-ttl',
      accountId,
      connectedAt: clock.now().toISOString(),
      users: 0,
      endsBy: endsBy.toISOString(),
    };

    // Act
    await store.setEnabled(accountId, true);
    await store.putSession(session);
    await store.addWatches(session, [{ id: 'u-1', upn: 'one@contoso.example' }]);
    await store.cacheUsers(accountId, [{ id: 'u-1', upn: 'one@contoso.example' }]);
    const items = (await remnants(accountId)) as Record<string, unknown>[];

    // Assert
    const expiring = items.filter((i) => i['pk'] !== undefined);
    expect(expiring.length).toBe(4); // session, watch, user, UPN cache
    for (const item of expiring) expect(item[presenceTableTtlAttribute]).toEqual(expect.any(Number));
    expect(items.find((i) => i['pk'] === `CONN#${session.connectionId}`)?.[presenceTableTtlAttribute]).toBe(
      endsBy.getTime() / 1000 + 600,
    );
    expect(items.find((i) => i['pk'] === undefined)).not.toHaveProperty(presenceTableTtlAttribute);
  });
});

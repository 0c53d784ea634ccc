/** batchGetAll on the local cloud's real DynamoDB Local, in a table of its own. */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from '#lambdas/adapters/dynamodb-batch-get';
import { createSupportTable, type SupportTable } from '#test/support/support-table';

jest.setTimeout(30_000);

let table: SupportTable;

beforeAll(async () => {
  table = await createSupportTable(`batch-get-test-${process.pid}-${Date.now()}`);
  const ids = Array.from({ length: 120 }, (_, n) => `item${String(n).padStart(3, '0')}`);
  for (let i = 0; i < ids.length; i += 25)
    await table.documents.send(
      new BatchWriteCommand({
        RequestItems: {
          [table.tableName]: ids
            .slice(i, i + 25)
            .map((id) => ({ PutRequest: { Item: { pk: id, sk: 'S', kept: id, dropped: 'x' } } })),
        },
      }),
    );
});

afterEach(() => jest.restoreAllMocks());

afterAll(async () => {
  await table?.drop();
});

describe('batchGetAll on DynamoDB Local', () => {
  it('reads more keys than one request takes (100), only the projected attributes, and skips keys with no item', async () => {
    // Arrange: 120 items and 30 keys that have none
    const wanted = Array.from({ length: 150 }, (_, n) => ({ pk: `item${String(n).padStart(3, '0')}`, sk: 'S' }));

    // Act
    const items = await batchGetAll(table.documents, table.tableName, wanted, ['pk', 'kept']);

    // Assert
    expect(items).toHaveLength(120);
    expect(items).toContainEqual({ pk: 'item000', kept: 'item000' });
    expect(items).toContainEqual({ pk: 'item119', kept: 'item119' });
    expect(items.every((item) => Object.keys(item).sort().join() === 'kept,pk')).toBe(true);
  });

  it('makes no request for no keys', async () => {
    // Arrange
    const send = jest.spyOn(table.documents, 'send');

    // Act
    const items = await batchGetAll(table.documents, table.tableName, []);

    // Assert
    expect(items).toEqual([]);
    expect(send).not.toHaveBeenCalled();
  });
});

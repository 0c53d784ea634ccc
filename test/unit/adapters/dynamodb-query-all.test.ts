import type { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '#lambdas/adapters/dynamodb-query-all';

/** A table of `pages` pages of two items each, answering a Query page by page as DynamoDB does. */
function pagedClient(pages: number) {
  const inputs: Record<string, unknown>[] = [];
  return {
    inputs,
    async send(command: QueryCommand) {
      inputs.push({ ...command.input });
      const page = Number(command.input.ExclusiveStartKey?.['page'] ?? 0);
      return {
        Items: [{ id: `${page}a` }, { id: `${page}b` }],
        ...(page + 1 < pages ? { LastEvaluatedKey: { page: page + 1 } } : {}),
      };
    },
  };
}

describe('queryAll', () => {
  it('reads every page, each from where the last ended', async () => {
    // Arrange
    const client = pagedClient(3);

    // Act
    const items = await queryAll(client, { TableName: 't', KeyConditionExpression: 'pk = :pk' });

    // Assert
    expect(items.map((i) => i['id'])).toEqual(['0a', '0b', '1a', '1b', '2a', '2b']);
    expect(client.inputs.map((i) => i['ExclusiveStartKey'])).toEqual([undefined, { page: 1 }, { page: 2 }]);
  });

  it('stops after the page that reaches the limit', async () => {
    // Arrange
    const client = pagedClient(10);

    // Act
    const items = await queryAll(client, { TableName: 't', KeyConditionExpression: 'pk = :pk' }, 3);

    // Assert
    expect(items).toHaveLength(4);
    expect(client.inputs).toHaveLength(2);
  });
});

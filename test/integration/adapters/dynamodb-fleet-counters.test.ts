/** The fleet's installation facts on the local cloud's real DynamoDB Local, in a support table of its own. */
import { DynamoDbFleetCounters } from '#lambdas/adapters/dynamodb-fleet-counters';
import { createSupportTable, type SupportTable } from '#test/support/support-table';

jest.setTimeout(30_000);

const NOW = Date.parse('2026-03-02T09:00:00Z');
let table: SupportTable;
let counters: DynamoDbFleetCounters;

beforeAll(async () => {
  table = await createSupportTable(`fleet-counters-test-${process.pid}-${Date.now()}`);
  counters = new DynamoDbFleetCounters(table.documents, table.tableName);
});

afterAll(async () => {
  await table?.drop();
});

describe('DynamoDbFleetCounters.factsOf', () => {
  it('reads the facts of more installations than one batch read takes (100), those that have some', async () => {
    // Arrange
    await counters.putFacts({ installationId: 'inst_a', suiteVersion: '2025.4.1', suiteAt: NOW }, NOW);
    await counters.putFacts(
      { installationId: 'inst_b', suiteVersion: '2024.2.0', suiteAt: NOW, sqlEdition: 'Express', editionAt: NOW },
      NOW,
    );
    const unknown = Array.from({ length: 150 }, (_, n) => `inst_unknown${String(n).padStart(4, '0')}`);

    // Act
    const facts = await counters.factsOf(['inst_a', ...unknown, 'inst_b']);

    // Assert
    expect(facts).toEqual(
      new Map([
        ['inst_a', { suiteVersion: '2025.4.1' }],
        ['inst_b', { suiteVersion: '2024.2.0', sqlEdition: 'Express' }],
      ]),
    );
  });

  it('makes no request for no installations', async () => {
    // Arrange
    const send = jest.spyOn(table.documents, 'send');

    // Act
    const facts = await counters.factsOf([]);

    // Assert
    expect(facts).toEqual(new Map());
    expect(send).not.toHaveBeenCalled();
    send.mockRestore();
  });
});

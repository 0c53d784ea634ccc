/**
 * The history store's batch of many installations' blocks on DynamoDB Local: written in requests of
 * 25, a key named twice written once, read back whole; items DynamoDB leaves unprocessed (a fault
 * DynamoDB Local never gives, injected on the way) sent again, or named by installation when they
 * stay unwritten.
 */
import { DynamoDbHistoryStore } from '#lambdas/adapters/dynamodb-history-store';
import type { BlockWrite } from '#lambdas/core/history/ports';
import { minuteTier } from '#lambdas/core/history/tiers';
import { createSupportTable, type SupportTable } from '#test/support/support-table';

jest.setTimeout(60_000);

const T0 = Date.parse('2026-11-02T10:00:00.000Z');
const MIN = 60_000;
let table: SupportTable;
let batchRequests: number;
/** the installations whose Puts DynamoDB "leaves unprocessed", and in how many more requests */
const unprocessed = new Map<string, number>();

beforeAll(async () => {
  table = await createSupportTable(`history-store-test-${process.pid}-${Date.now()}`);
  table.documents.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchWriteItemCommand') return next(args);
      batchRequests++;
      const input = args.input as { RequestItems: Record<string, { PutRequest: { Item: { pk: string } } }[]> };
      const requests = input.RequestItems[table.tableName]!;
      const idOf = (r: (typeof requests)[number]) => r.PutRequest.Item.pk.slice('INST#'.length);
      const held = requests.filter((r) => (unprocessed.get(idOf(r)) ?? 0) > 0);
      for (const id of new Set(held.map(idOf))) unprocessed.set(id, unprocessed.get(id)! - 1);
      input.RequestItems[table.tableName] = requests.filter((r) => !held.includes(r));
      const out = input.RequestItems[table.tableName]!.length > 0 ? await next(args) : { output: {}, response: {} };
      const UnprocessedItems = held.length > 0 ? { [table.tableName]: held } : {};
      return { ...out, output: { ...out.output, UnprocessedItems } } as Awaited<ReturnType<typeof next>>;
    },
    { step: 'initialize', name: 'injectUnprocessed' },
  );
});
afterAll(() => table?.drop());
beforeEach(() => {
  batchRequests = 0;
  unprocessed.clear();
});

const store = () => new DynamoDbHistoryStore(table.documents, table.tableName);
const write = (installationId: string, value: number): BlockWrite => ({
  installationId,
  tier: minuteTier,
  blocks: [
    { start: T0, series: new Map([['calls:ivr:active', [{ t: T0, min: value, avg: value, max: value, n: 1 }]]]) },
    {
      start: T0 + 15 * MIN,
      series: new Map([['calls:ivr:active', [{ t: T0 + 15 * MIN, min: 1, avg: 1, max: 1, n: 1 }]]]),
    },
  ],
  options: { byContent: true },
});

it("writes 30 installations' 60 blocks in three requests, a block sent twice once, each read back", async () => {
  const ids = Array.from({ length: 30 }, (_, i) => `inst_many_${i}`);
  const writes = [...ids.map((id, i) => write(id, i)), write('inst_many_3', 3)];

  const failed = await store().putMany(writes);

  expect(failed.size).toBe(0);
  expect(batchRequests).toBe(3);
  for (const [i, id] of ids.entries()) {
    const blocks = await store().blocks(id, minuteTier, T0, T0 + 60 * MIN, { consistent: true });
    expect(blocks.map((b) => b.series.get('calls:ivr:active')?.[0]?.max)).toEqual([i, 1]);
  }
});

it('sends again what DynamoDB left unprocessed, until it is written', async () => {
  unprocessed.set('inst_retry_b', 2);

  const failed = await store().putMany([write('inst_retry_a', 1), write('inst_retry_b', 2)]);

  expect(failed.size).toBe(0);
  expect(batchRequests).toBe(3);
  expect(await store().blocks('inst_retry_b', minuteTier, T0, T0 + 60 * MIN, { consistent: true })).toHaveLength(2);
});

it('names the installation whose blocks stayed unprocessed, and writes the others', async () => {
  unprocessed.set('inst_stuck_b', 99);

  const failed = await store().putMany([write('inst_stuck_a', 1), write('inst_stuck_b', 2)]);

  expect([...failed.keys()]).toEqual(['inst_stuck_b']);
  expect(String(failed.get('inst_stuck_b'))).toMatch(/unprocessed/);
  expect(await store().blocks('inst_stuck_a', minuteTier, T0, T0 + 60 * MIN, { consistent: true })).toHaveLength(2);
  expect(await store().blocks('inst_stuck_b', minuteTier, T0, T0 + 60 * MIN, { consistent: true })).toHaveLength(0);
});

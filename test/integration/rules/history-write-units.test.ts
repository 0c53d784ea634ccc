/**
 * What the history costs, as DynamoDB bills it: a steady simulated installation at the default
 * cadence (counters every minute, one request a cycle) written by the consumer's history use case
 * and the DynamoDB store on DynamoDB Local, every request asking for its ConsumedCapacity; and the
 * bytes each tier keeps at steady state. bench/cost.ts's `history` defaults and
 * docs/performance-and-cost.md "What the history adds" take their figures from this test's line.
 */
import { createHash } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { INVENTORY_TYPES, prepareBeat } from '#agent/sdk/telemetry';
import { simulatedInstallation } from '#agent/collectors/simulated';
import { DynamoDbHistoryStore } from '#lambdas/adapters/dynamodb-history-store';
import { dynamoItemBytes } from '#lambdas/adapters/dynamodb-item-size';
import { previousPointAt, recordHistory } from '#lambdas/core/history/record-history';
import { tiers } from '#lambdas/core/history/tiers';
import { collectEverySeconds, defaultCycleSeconds } from '#lambdas/core/telemetry/cadence';
import type { Beat, BeatType } from '#lambdas/core/telemetry/catalogue';
import { cloud } from '#test/support/local-cloud';

jest.setTimeout(240_000);

const tableName = `history-wru-test-${process.pid}-${Date.now()}`;
let nextBeat = 0;
const beatId = (): string => {
  const h = createHash('sha256').update(`h${nextBeat++}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
// a cycle that does not start on the hour, as agents' cycles do not
const START = Date.parse('2026-11-02T00:07:00.000Z');
const CYCLE_MS = defaultCycleSeconds * 1000;
const ROUNDS = defaultCycleSeconds / collectEverySeconds;
const CYCLES_PER_DAY = 86_400 / defaultCycleSeconds;
const HOUR = 3_600_000;

let raw: DynamoDBClient;
let documents: DynamoDBDocumentClient;
let current = { write: 0, read: 0 };

beforeAll(async () => {
  const region = cloud().regions.eu;
  raw = new DynamoDBClient({
    endpoint: region.endpoints.dynamodb,
    region: region.region,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await raw.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ['pk', 'sk'].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as Record<string, unknown>)['ReturnConsumedCapacity'] = 'TOTAL';
      const out = await next(args);
      const units =
        (out.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity?.CapacityUnits ?? 0;
      if (/^(Query|GetItem)/.test(context.commandName ?? '')) current.read += units;
      else current.write += units;
      return out;
    },
    { step: 'initialize', name: 'consumedCapacity' },
  );
  documents = DynamoDBDocumentClient.from(raw);
});

afterAll(async () => {
  await raw?.send(new DeleteTableCommand({ TableName: tableName }));
  raw?.destroy();
});

/** One simulated server's counter beats of a cycle (inventory carries no series). */
function steadyInstallation(seed: number) {
  const collector = simulatedInstallation({
    seed,
    products: ['attendant-console', 'call-recording', 'ivr', 'acd'],
    faults: [],
  });
  return async (cycle: number): Promise<Beat[]> => {
    const beats: Beat[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const at = new Date(START + cycle * CYCLE_MS + round * collectEverySeconds * 1000 + 20_000);
      for (const c of await collector.collect()) {
        if (INVENTORY_TYPES.has(c.type as BeatType)) continue;
        const beat = prepareBeat(c.type, c.data, at, beatId());
        if (beat.ok) beats.push(beat.beat as unknown as Beat);
      }
    }
    return beats;
  };
}

describe('the history writes of a steady installation', () => {
  it('cost at most 1.5 WRU and 0.4 RRU a cycle over its second day, and keep a bounded number of bytes per tier', async () => {
    const installationId = 'inst_histwru0000001';
    const store = new DynamoDbHistoryStore(documents, tableName);
    const next = steadyInstallation(1_000_003);
    // each type's newest beat so far, as the rules' state read before the history tells it
    const newest: Partial<Record<BeatType, number>> = {};
    const runCycle = async (cycle: number) => {
      current = { write: 0, read: 0 };
      const beats = await next(cycle);
      const previousAt = previousPointAt(newest);
      await recordHistory(store, installationId, [beats], START + (cycle + 1) * CYCLE_MS, {
        ...(previousAt !== undefined ? { previousAt } : {}),
      });
      for (const beat of beats) newest[beat.type] = Math.max(newest[beat.type] ?? 0, Date.parse(beat.collectedAt));
      return { ...current };
    };
    for (let cycle = 0; cycle < CYCLES_PER_DAY; cycle++) await runCycle(cycle);
    const day: { write: number; read: number }[] = [];
    for (let cycle = CYCLES_PER_DAY; cycle < 2 * CYCLES_PER_DAY; cycle++) day.push(await runCycle(cycle));
    const mean = (f: (c: { write: number; read: number }) => number) => day.reduce((a, c) => a + f(c), 0) / day.length;

    // the second day's items, by tier: bytes as DynamoDB counts them, per day, times the days kept
    const items =
      (
        await documents.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `INST#${installationId}` },
          }),
        )
      ).Items ?? [];
    const dayStart = START + CYCLES_PER_DAY * CYCLE_MS;
    const perDay: Record<string, { items: number; bytes: number }> = {};
    for (const item of items) {
      const [, resolution, start] = String(item['sk']).split('#');
      // the second day's items: its 1-minute blocks and hours from its first request on, its day
      if (Number(start) < dayStart - HOUR || Number(start) >= dayStart + 23 * HOUR) continue;
      perDay[resolution!] ??= { items: 0, bytes: 0 };
      const entry = perDay[resolution!]!;
      entry.items++;
      entry.bytes += dynamoItemBytes(item);
    }
    const keptDays = { '60': tiers['24h'].keepMs, '900': tiers['7d'].keepMs, '3600': tiers['90d'].keepMs };
    const stored = Object.entries(perDay).reduce(
      (sum, [resolution, { bytes }]) => sum + bytes * (keptDays[resolution as keyof typeof keptDays] / (24 * HOUR)),
      0,
    );
    process.stdout.write(
      `history per cycle: ${mean((c) => c.write).toFixed(3)} WRU, ${mean((c) => c.read).toFixed(3)} RRU; per day by tier ${JSON.stringify(perDay)}; steady-state stored ${Math.round(stored)} B per installation\n`,
    );

    expect(perDay['900']?.items).toBe(24);
    expect(perDay['3600']?.items).toBe(1);
    expect(mean((c) => c.write)).toBeLessThanOrEqual(1.5);
    // the hour's blocks (one consistent Query when it closes) and the day's quarters; no Query for
    // the block before each request (before: 0.80 RRU)
    expect(mean((c) => c.read)).toBeLessThanOrEqual(0.4);
    expect(stored).toBeLessThan(3_000_000);
  });
});

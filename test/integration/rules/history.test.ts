/**
 * An installation's history on the local cloud: beats posted by an agent go through ingest, the
 * stream and the real rules consumer into the support table (DynamoDB Local), and come back from
 * GET /v1/installations/{id}/history per tier; a batch sent again changes no item; on a moved clock
 * each tier's points are gone once older than the tier keeps (DynamoDB Local does not expire TTL:
 * the reads judge by the clock, and each item carries its tier's expiry).
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { localDynamoDb } from '#local/clients';
import type { TestAgent } from '#test/support/agent-client';
import { activatedAgent, api, call, expectProblem, newAccount, perpetual } from '#test/support/licensing-api';
import { advanceClock, cloud, cloudNow, tokenFor, withOwnCloud } from '#test/support/local-cloud';
import { postBeats } from '#test/support/telemetry-api';

jest.setTimeout(300_000);

withOwnCloud();

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const support = () => tokenFor({ groups: ['support'] });

const supportTable = () => {
  const ids = Object.keys(cloud().regions.eu.resources).filter((id) => id.startsWith('SupportTable'));
  if (ids.length !== 1) throw new Error(`expected one SupportTable…, found [${ids.join(', ')}]`);
  return cloud().regions.eu.resources[ids[0]!]!;
};
let documents: DynamoDBDocumentClient;
beforeAll(() => {
  documents = DynamoDBDocumentClient.from(localDynamoDb(cloud().regions.eu.endpoints.dynamodb));
});
afterAll(() => documents?.destroy());

/** the installation's history items, by sort key */
async function historyItems(installationId: string) {
  const out = await documents.send(
    new QueryCommand({
      TableName: supportTable(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :h)',
      ExpressionAttributeValues: { ':pk': `INST#${installationId}`, ':h': 'HIST#' },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).map((item) => ({
    sk: item['sk'] as string,
    b: Buffer.from(item['b']).toString('base64'),
    ttl: item['ttl'] as number,
  }));
}

type Series = { key: string; unit: string; capacity?: number; points: [number, number, number, number][] };
async function history(installationId: string, query: string) {
  const res = await call('GET', `${api()}/v1/installations/${installationId}/history?${query}`, { token: support() });
  if (res.status !== 200) throw new Error(`history: ${res.status} ${res.text}`);
  return res.json as { resolutionSeconds: number; series: Series[] };
}
const ivr = async (installationId: string, range: string) =>
  (await history(installationId, `range=${range}&series=calls:ivr:active`)).series[0]!;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('the history of an installation (ingest → stream → rules consumer → GET history)', () => {
  let agent: TestAgent;
  let hour: number;
  /** minute i (from `hour`) of IVR calls i % 10 and a database growing 1 MB a minute */
  const beatsOf = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, k) => {
      const i = from + k;
      const collectedAt = new Date(hour + i * MIN + 20_000).toISOString();
      return [
        { id: randomUUID(), type: 'ucx.ivr', collectedAt, data: { activeCalls: i % 10 } },
        {
          id: randomUUID(),
          type: 'ucx.database',
          collectedAt,
          data: {
            name: 'UCX',
            sizeBytes: 1_000_000_000 + i * 1_000_000,
            filePaths: ['C:\\Data\\UCX.mdf'],
            authType: 'windows',
            fullTextCatalogStatus: 'Idle',
            lastMaintenanceAt: null,
          },
        },
      ];
    }).flat();
  let first: ReturnType<typeof beatsOf>;
  let second: ReturnType<typeof beatsOf>;

  beforeAll(async () => {
    ({ agent } = await activatedAgent(await newAccount([perpetual('ivr', 10, 'gold')])));
    hour = Math.floor(cloudNow().getTime() / HOUR) * HOUR - HOUR; // the last whole hour
    first = beatsOf(0, 30);
    second = beatsOf(30, 61);
  });

  it('answers each tier from the beats the consumer wrote: 1-minute points, and the closed hour as 15-minute aggregates', async () => {
    expect((await postBeats(agent, { beats: first })).status).toBe(202);
    expect((await postBeats(agent, { beats: second })).status).toBe(202);
    const day = await until('61 one-minute points', async () => {
      // 404 until the consumer evaluated the first beats of the installation
      const s = await ivr(agent.keyid, '24h').catch(() => undefined);
      return s?.points.length === 61 ? s : undefined;
    });
    expect(day).toMatchObject({ unit: 'count', capacity: 10 });
    expect(day.points[0]).toEqual([hour, 0, 0, 0]);
    expect(day.points[59]).toEqual([hour + 59 * MIN, 9, 9, 9]);

    const week = await until('four 15-minute points', async () => {
      const s = await ivr(agent.keyid, '7d');
      return s.points.length === 4 ? s : undefined;
    });
    expect(week.points.map(([t, , min, max]) => [t, min, max])).toEqual(
      [0, 1, 2, 3].map((q) => [hour + q * 15 * MIN, 0, 9]),
    );
    // minutes 0..14 carry 0..9, 0..4: (45 + 10) / 15
    expect(week.points[0]![1]).toBeCloseTo(55 / 15, 3);

    const db = (await history(agent.keyid, 'range=24h&series=database:UCX:sizeBytes')).series[0]!;
    expect(db).toMatchObject({ unit: 'bytes' });
    expect(db.capacity).toBeUndefined();
    expect(db.points.at(-1)).toEqual([hour + 60 * MIN, 1_060_000_000, 1_060_000_000, 1_060_000_000]);
  });

  it('writes the same items again, nothing more, when the agent sends its batches again', async () => {
    const before = await historyItems(agent.keyid);
    expect(before.length).toBeGreaterThan(0);
    expect((await postBeats(agent, { beats: first })).status).toBe(202);
    expect((await postBeats(agent, { beats: second })).status).toBe(202);
    // the consumer has read both when a marker batch after them shows up
    const marker = beatsOf(61, 62);
    expect((await postBeats(agent, { beats: marker })).status).toBe(202);
    await until('the marker minute', async () =>
      (await ivr(agent.keyid, '24h')).points.length === 62 ? true : undefined,
    );

    const after = await historyItems(agent.keyid);
    // the items there before are unchanged; the marker's minute is the one new item
    expect(after.filter((item) => before.some((b) => b.sk === item.sk))).toEqual(before);
    expect(after.filter((item) => !before.some((b) => b.sk === item.sk)).map((item) => item.sk.split('#')[1])).toEqual([
      '60',
    ]);
  });

  it('keeps each tier as long as it says, on a moved clock, with the expiry on every item', async () => {
    const items = await historyItems(agent.keyid);
    for (const { sk, ttl } of items) {
      const [, resolution, start] = sk.split('#');
      const [span, keep] = { '60': [15 * MIN, 2 * DAY], '900': [HOUR, 30 * DAY], '3600': [DAY, 396 * DAY] }[
        resolution!
      ]!;
      expect(ttl).toBe(Math.floor((Number(start) + span! + keep!) / 1000));
    }

    await advanceClock({ seconds: 49 * 3600 });
    expect((await ivr(agent.keyid, '24h')).points).toEqual([]);
    expect((await ivr(agent.keyid, '7d')).points).toHaveLength(4);
    // the agent's next request, two days on: the day of the first ones is over, its 1-hour points written
    const later = cloudNow().getTime();
    const next = [
      { id: randomUUID(), type: 'ucx.ivr', collectedAt: new Date(later - MIN).toISOString(), data: { activeCalls: 1 } },
    ];
    expect((await postBeats(agent, { beats: next })).status).toBe(202);
    const day = await until('the day’s 1-hour points', async () => {
      const s = await ivr(agent.keyid, '90d');
      return s.points.length > 0 ? s : undefined;
    });
    expect(day.points[0]).toEqual([hour, 4.5, 0, 9]);
    const stored = await historyItems(agent.keyid);

    await advanceClock({ days: 30 });
    expect((await ivr(agent.keyid, '7d')).points).toEqual([]);
    expect((await ivr(agent.keyid, '90d')).points[0]).toEqual([hour, 4.5, 0, 9]);

    await advanceClock({ days: 366 });
    expect((await ivr(agent.keyid, '90d')).points).toEqual([]);
    // DynamoDB Local kept the items: the reads judged by the clock
    expect((await historyItems(agent.keyid)).length).toBe(stored.length);
  });

  it('refuses a range or a series it does not know with the failing path', async () => {
    const get = (query: string) =>
      call('GET', `${api()}/v1/installations/${agent.keyid}/history?${query}`, { token: support() });
    expectProblem(await get('range=1y'), 400, 'query.range');
    expectProblem(await get('range=24h&series=cpu'), 400, 'query.series.0');
  });
});

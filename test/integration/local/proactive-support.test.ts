/**
 * Proactive support in the local cloud: each region's own support table, the rules as the
 * telemetry stream's second consumer, the missing-beat sweep run through the Scheduler stand-in's
 * dev route, and its notification kept by the EventBridge stand-in.
 */
import { GetCommand, PutCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { silentBucketOf } from '#lambdas/adapters/dynamodb-support-store';
import { localDynamoDb } from '#local/clients';
import { activatedAgent, api, newAccount, perpetual } from '#test/support/licensing-api';
import { cloud } from '#test/support/local-cloud';

jest.setTimeout(60_000);

type RegionKey = 'eu' | 'us';
const logicalIdStartingWith = (region: RegionKey, prefix: string): string => {
  const ids = Object.keys(cloud().regions[region].resources).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`${region}: expected one resource ${prefix}…, found [${ids.join(', ')}]`);
  return ids[0]!;
};
const supportTableName = (region: RegionKey) =>
  cloud().regions[region].resources[logicalIdStartingWith(region, 'SupportTable')]!;
const getJson = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};
/** What this test reads of an event /local/events lists. */
interface BusEvent {
  detail: { finding?: { installationId: string } };
}

describe('the local proactive support', () => {
  const documents = DynamoDBDocumentClient.from(localDynamoDb(cloud().regions.eu.endpoints.dynamodb));
  afterAll(() => documents.destroy());

  it('gives each region its own support table, named <stack>-<logical id>, and its own bus', () => {
    // Arrange
    const eu = cloud().regions.eu.resources;
    const us = cloud().regions.us.resources;

    // Assert
    expect(supportTableName('eu')).toMatch(/^ucx-[a-z0-9-]+-eu-stateful-SupportTable[0-9A-F]{8}$/);
    expect(supportTableName('us')).toMatch(/^ucx-[a-z0-9-]+-us-stateful-SupportTable[0-9A-F]{8}$/);
    expect(eu[logicalIdStartingWith('eu', 'SupportEventBus')]).not.toEqual(
      us[logicalIdStartingWith('us', 'SupportEventBus')],
    );
    expect(cloud().regions.eu.endpoints.eventbridge).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('runs the rules as a second consumer of the telemetry stream, with its own on-failure queue', async () => {
    // Act
    const { json } = await getJson(`${api('eu')}/local/event-sources`);

    // Assert
    const sources = json.eventSources as {
      function: string;
      eventSourceArn: string;
      destination?: { queue: string };
    }[];
    // `function` is `<stack>/<logical id>`
    const rules = sources.find((s) => s.function.split('/')[1]?.startsWith('EvaluateRules'));
    const archiver = sources.find((s) => s.function.split('/')[1]?.startsWith('ArchiveTelemetry'));
    expect(rules?.eventSourceArn).toMatch(/^arn:aws:kinesis:eu-central-1:\d{12}:stream\//);
    expect(rules?.eventSourceArn).toBe(archiver?.eventSourceArn);
    expect(rules?.destination?.queue).toEqual(expect.any(String));
    expect(rules?.destination?.queue).not.toBe(archiver?.destination?.queue);
  });

  it('lists the schedules: the sweep every 15 minutes targeting sweepSilent, the hourly stale release, its account-view repair every 5 minutes and the Presence renewal every 10 minutes', async () => {
    // Act
    const { json } = await getJson(`${api('eu')}/local/schedules`);

    // Assert
    // and the terms job's and the account eraser's (test/integration/accounts), the archive compaction's
    // (test/integration/telemetry/archive-compaction.test.ts)
    expect(json.schedules).toHaveLength(7);
    expect(json.schedules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          logicalId: logicalIdStartingWith('eu', 'SilentSweepSchedule'),
          function: expect.stringMatching(/^SweepSilent/),
          expression: 'rate(15 minutes)',
          everyMs: 900_000,
          state: 'scheduled',
        }),
        expect.objectContaining({
          logicalId: logicalIdStartingWith('eu', 'StaleReleaseSchedule'),
          function: expect.stringMatching(/^ReleaseStale/),
          expression: 'rate(1 hour)',
          everyMs: 3_600_000,
          state: 'scheduled',
        }),
        expect.objectContaining({
          logicalId: logicalIdStartingWith('eu', 'AccountViewRepairSchedule'),
          function: expect.stringMatching(/^ReleaseStale/),
          expression: 'rate(5 minutes)',
          everyMs: 300_000,
          state: 'scheduled',
        }),
        expect.objectContaining({
          logicalId: logicalIdStartingWith('eu', 'PresenceRenewalSchedule'),
          function: expect.stringMatching(/^RenewPresenceSubscriptions/),
          expression: 'rate(10 minutes)',
          everyMs: 600_000,
          state: 'scheduled',
        }),
      ]),
    );
  });

  it("runs the sweep on demand: a Gold installation silent for 25 h gets a critical finding and a notification on its own region's bus", async () => {
    // Arrange: an activated Gold installation whose newest beat the rules saw 25 hours ago
    const accountId = await newAccount([perpetual('attendant-console', 2, 'gold')]);
    const { activation } = await activatedAgent(accountId);
    const installationId = activation.installationId as string;
    const lastBeatAt = Date.now() - 25 * 3_600_000;
    await documents.send(
      new PutCommand({
        TableName: supportTableName('eu'),
        Item: {
          pk: `INST#${installationId}`,
          sk: 'STATE',
          type: 'state',
          installationId,
          accountId,
          version: 1,
          lastBeatAt,
          newest: {},
          memory: {},
          trackers: {},
          checkpoints: {},
          recentBeatIds: [],
          gsi1pk: `SILENT#${silentBucketOf(installationId)}`,
          gsi1sk: new Date(lastBeatAt).toISOString(),
        },
      }),
    );
    const scheduleId = logicalIdStartingWith('eu', 'SilentSweepSchedule');

    // Act
    const run = await fetch(`${api('eu')}/local/schedules/${scheduleId}/run`, { method: 'POST' });
    const body = (await run.json()) as { error?: unknown; result: { silent: number } };
    const { json: euEvents } = await getJson(
      `${api('eu')}/local/events?detailType=${encodeURIComponent('Finding opened')}`,
    );
    const { json: usEvents } = await getJson(`${api('us')}/local/events`);

    // Assert
    expect(run.status).toBe(200);
    expect(body).toMatchObject({ region: 'eu', schedule: scheduleId, function: expect.stringMatching(/^SweepSilent/) });
    expect(body.error).toBeUndefined();
    expect(body.result.silent).toBeGreaterThanOrEqual(1);
    const ours = (euEvents.events as BusEvent[]).filter((e) => e.detail.finding?.installationId === installationId);
    expect(ours).toEqual([
      expect.objectContaining({
        busName: cloud().regions.eu.resources[logicalIdStartingWith('eu', 'SupportEventBus')],
        source: 'ucx-cloud.proactive-support',
        detailType: 'Finding opened',
        region: cloud().regions.eu.region,
        detail: expect.objectContaining({
          kind: 'opened',
          finding: expect.objectContaining({ ruleId: 'telemetry-silent', severity: 'critical', audience: 'proactive' }),
        }),
      }),
    ]);
    expect((usEvents.events as unknown[]).filter((e) => JSON.stringify(e).includes(installationId))).toEqual([]);
    const { Item: state } = await documents.send(
      new GetCommand({ TableName: supportTableName('eu'), Key: { pk: `INST#${installationId}`, sk: 'STATE' } }),
    );
    expect(state?.version).toBe(2);
  });

  it('answers 404 for a schedule that does not exist in the region', async () => {
    // Act
    const res = await fetch(`${api('us')}/local/schedules/NoSuchSchedule/run`, { method: 'POST' });

    // Assert
    expect(res.status).toBe(404);
  });
});

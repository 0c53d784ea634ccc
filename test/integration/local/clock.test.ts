/**
 * The local cloud's movable clock (`GET`/`POST /local/clock`), on a cloud of this file's own: the
 * run's cloud is shared, and other files' keys and licences would expire under them. After one
 * move of 20 days the handlers, the schedules and the stream consumers read the moved time,
 * while agents signing on it and portal tokens keep working.
 */
import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { findArchiveBucket, readArchive } from '#local/archive-reader';
import { localDynamoDb, localS3 } from '#local/clients';
import { activatedAgent, api, call, expectProblem, newAccount, perpetual } from '#test/support/licensing-api';
import { advanceClock, cloud, cloudNow, tokenFor, withOwnCloud } from '#test/support/local-cloud';
import { postBeats } from '#test/support/telemetry-api';
import { validBeat } from '#test/support/telemetry-fixtures';

jest.setTimeout(180_000);

const own = withOwnCloud();
const days = 20;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${own.process.output().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const resourceStartingWith = (prefix: string) => {
  const [, name] = Object.entries(cloud().regions.eu.resources).find(([id]) => id.startsWith(prefix)) ?? [];
  if (!name) throw new Error(`no ${prefix}… among the EU resources`);
  return name;
};

async function licenceClaims(jws: string) {
  const jwks = (await call('GET', `${api()}/.well-known/jwks.json`)).json as JSONWebKeySet;
  return (await jwtVerify(jws, createLocalJWKSet(jwks), { issuer: 'ucx-cloud', currentDate: cloudNow() })).payload;
}

const beatAt = (at: Date) => ({ ...validBeat('hardware.memory', randomUUID()), collectedAt: at.toISOString() });

describe("the local cloud's clock", () => {
  it('starts at real time, one clock that both regions answer, named in cloud.json', async () => {
    // Act
    const [eu, us] = await Promise.all([
      call('GET', `${api('eu')}/local/clock`),
      call('GET', `${api('us')}/local/clock`),
    ]);

    // Assert
    expect(eu.json).toEqual({ now: expect.any(String), offsetSeconds: 0 });
    expect(us.json.offsetSeconds).toBe(0);
    expect(Math.abs(Date.parse(eu.json.now) - Date.now())).toBeLessThan(60_000);
    expect(cloud().clock).toBe(`${api('eu')}/local/clock`);
  });

  it.each([
    ['backwards', { advanceSeconds: -3600 }],
    ['by nothing', { advanceSeconds: 0 }],
    ['by more than ten years', { advanceSeconds: 11 * 365 * 86_400 }],
    ['by a text', { advanceSeconds: '1 day' }],
  ])('refuses to move %s with a problem naming advanceSeconds, and stays where it was', async (_case, body) => {
    // Act
    const res = await call('POST', `${api('us')}/local/clock`, { body });
    const after = await call('GET', `${api('eu')}/local/clock`);

    // Assert
    expectProblem(res, 400, 'advanceSeconds');
    expect(after.json.offsetSeconds).toBe(0);
  });

  it(`moves handlers, schedules and stream consumers ${days} days on; agents and portal tokens keep working`, async () => {
    // Arrange: an installation with a licence, whose beat the rules have seen
    const accountId = await newAccount([perpetual('attendant-console', 5, 'gold')]);
    const { agent, activation } = await activatedAgent(accountId);
    const installationId = agent.keyid;
    const before = await licenceClaims(activation.license);
    expect((await postBeats(agent, { beats: [beatAt(new Date())] })).status).toBe(202);
    const documents = DynamoDBDocumentClient.from(localDynamoDb(cloud().regions.eu.endpoints.dynamodb));
    await until('the rules to see the beat', async () => {
      const { Item } = await documents.send(
        new GetCommand({
          TableName: resourceStartingWith('SupportTable'),
          Key: { pk: `INST#${installationId}`, sk: 'STATE' },
        }),
      );
      return Item?.['beatAt'];
    });
    documents.destroy();

    // Act
    const moved = await advanceClock(days);
    const poll = await agent.request(api(), 'GET', `/v1/installations/${installationId}/license`);
    const portal = await call('GET', `${api()}/v1/accounts/${accountId}`, {
      token: tokenFor({ groups: ['customer'], accountId }),
    });
    const ingest = await postBeats(agent, { beats: [beatAt(cloudNow())] });

    // Assert: the move, the licence re-signed on the moved clock, the portal
    const movedNow = Date.parse(moved.now);
    expect(moved.offsetSeconds).toBe(days * 86_400);
    expect(movedNow - Date.now()).toBeGreaterThan(days * 86_400_000 - 60_000);
    expect(poll.status).toBe(200);
    const after = await licenceClaims(poll.json.license);
    expect(Number(after.iat) - Number(before.iat)).toBeGreaterThanOrEqual(days * 86_400);
    expect(Number(after.iat) - Number(before.iat)).toBeLessThan(days * 86_400 + 300);
    expect(portal.status).toBe(200);
    expect(portal.json.accountId).toBe(accountId);
    // the sweep came due: it ran once per region during the move, and found the installation silent
    const sweeps = moved.schedulesRun.filter((run) => run.function.startsWith('SweepSilent'));
    expect(sweeps.map((run) => run.region).sort()).toEqual(['eu', 'us']);
    const euSweep = sweeps.find((run) => run.region === 'eu');
    expect(euSweep).toMatchObject({ result: { silent: expect.any(Number) } });
    expect(euSweep?.error).toBeUndefined();
    expect((euSweep?.result as { silent: number } | undefined)?.silent).toBeGreaterThanOrEqual(1);
    const { events } = (await call('GET', `${api()}/local/events?detailType=${encodeURIComponent('Finding opened')}`))
      .json as { events: { time: string; detail: { finding: { installationId: string; ruleId: string } } }[] };
    const silent = events.find(
      (e) => e.detail.finding.installationId === installationId && e.detail.finding.ruleId === 'telemetry-silent',
    );
    expect(Date.parse(silent?.time ?? '')).toBeGreaterThanOrEqual(movedNow - 60_000);
    // a beat after the move: received, streamed and archived on the moved clock (s3rver, which
    // refuses requests signed 15 minutes off its clock, took the archiver's)
    expect(ingest.status).toBe(202);
    const [row] = await until('the archiver', async () => {
      const rows = await readArchive(cloud(), { region: 'eu', installation: installationId, since: moved.now });
      return rows.length > 0 ? rows : undefined;
    });
    expect(Date.parse(row!.received_at)).toBeGreaterThanOrEqual(movedNow - 60_000);
    const s3 = localS3(cloud().regions.eu.endpoints.s3, cloud().regions.eu.region);
    const prefix = `beats/region=eu/dt=${moved.now.slice(0, 10)}/`;
    const { Contents } = await s3.send(
      new ListObjectsV2Command({ Bucket: await findArchiveBucket(cloud().regions.eu, s3), Prefix: prefix }),
    );
    s3.destroy();
    expect(Contents?.length).toBeGreaterThanOrEqual(1);
  });

  it('keeps the moved clock across a restart, and starts at real time again with --fresh', async () => {
    // Arrange
    const moved = await advanceClock({ seconds: 3600 });

    // Act
    await own.restart();
    const restarted = await call('GET', `${api()}/local/clock`);
    await own.restart({ fresh: true });
    const fresh = await call('GET', `${api()}/local/clock`);

    // Assert
    expect(moved.offsetSeconds).toBeGreaterThanOrEqual(3600);
    expect(restarted.json.offsetSeconds).toBe(moved.offsetSeconds);
    expect(fresh.json.offsetSeconds).toBe(0);
  });
});

/**
 * One request per cycle on the local cloud: the licence's telemetry.intervalSeconds, the 202's
 * license.etag (the ETag a poll answers now; null while the licence must be rebuilt), and support's
 * telemetry-interval routes, through the support override's end when the clock passes it. Its own
 * cloud: the test moves the clock a day.
 */
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { careCycleSeconds, cycleOverrideSeconds, defaultCycleSeconds } from '#lambdas/core/telemetry/cadence';
import type { TestAgent } from '#test/support/agent-client';
import { activatedAgent, api, call, expectProblem, newAccount, perpetual } from '#test/support/licensing-api';
import { advanceClock, cloudNow, tokenFor, withOwnCloud } from '#test/support/local-cloud';
import { postBeats } from '#test/support/telemetry-api';

jest.setTimeout(180_000);
withOwnCloud();

const counterBeat = () => ({
  id: randomUUID(),
  type: 'ucx.ivr',
  collectedAt: cloudNow().toISOString(),
  data: { activeCalls: 1 },
});

async function poll(agent: TestAgent) {
  const res = await agent.request(api(), 'GET', `/v1/installations/${agent.keyid}/license`);
  expect(res.status).toBe(200);
  const jwks = (await call('GET', `${api()}/.well-known/jwks.json`)).json as JSONWebKeySet;
  const { payload } = await jwtVerify(res.json.license as string, createLocalJWKSet(jwks), {
    issuer: 'ucx-cloud',
    currentDate: cloudNow(),
  });
  return { etag: res.headers.get('etag'), telemetry: payload['telemetry'] };
}

async function etagOf202(agent: TestAgent): Promise<string | null> {
  const res = await postBeats(agent, { beats: [counterBeat()] });
  expect(res.status).toBe(202);
  return res.json.license.etag as string | null;
}

const intervalPath = (installationId: string) =>
  `${api()}/v1/support/installations/${installationId}/telemetry-interval`;
const support = () => tokenFor({ groups: ['support'] });

describe('one request per cycle', () => {
  it("carries the Care level's cycle in the licence and the current ETag in the 202", async () => {
    const accountId = await newAccount([perpetual('ivr', 5, 'platinum')]);
    const { agent } = await activatedAgent(accountId, { allocation: { ivr: 1 } });

    const polled = await poll(agent);
    const told = await etagOf202(agent);

    expect(polled.telemetry).toEqual({ enabled: true, intervalSeconds: careCycleSeconds.platinum });
    expect(told).toBe(polled.etag);
  });

  it("takes support's interval for a day: the 202 says poll, the poll serves it, the clock ends it", async () => {
    const accountId = await newAccount([perpetual('ivr', 5, 'basic')]);
    const { agent } = await activatedAgent(accountId, { allocation: { ivr: 1 } });
    const before = await poll(agent);

    const set = await call('PUT', intervalPath(agent.keyid), { token: support(), body: { seconds: 60 } });

    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ installationId: agent.keyid, seconds: 60 });
    expect(Date.parse(set.json.until) - cloudNow().getTime()).toBeGreaterThan((cycleOverrideSeconds - 60) * 1000);
    expect(await etagOf202(agent)).toBeNull();
    const during = await poll(agent);
    expect(during.telemetry).toEqual({ enabled: true, intervalSeconds: 60 });
    expect(during.etag).not.toBe(before.etag);
    expect(await etagOf202(agent)).toBe(during.etag);

    await advanceClock({ seconds: cycleOverrideSeconds + 60 });

    expect(await etagOf202(agent)).toBeNull();
    const after = await poll(agent);
    expect(after.telemetry).toEqual({ enabled: true, intervalSeconds: defaultCycleSeconds });
    expect(await etagOf202(agent)).toBe(after.etag);
  });

  it('ends the interval early on DELETE, and refuses a cycle out of bounds with the failing path', async () => {
    const accountId = await newAccount([perpetual('ivr', 5, 'gold')]);
    const { agent } = await activatedAgent(accountId, { allocation: { ivr: 1 } });
    await call('PUT', intervalPath(agent.keyid), { token: support(), body: { seconds: 120 } });

    const ended = await call('DELETE', intervalPath(agent.keyid), { token: support() });
    const tooShort = await call('PUT', intervalPath(agent.keyid), { token: support(), body: { seconds: 10 } });
    const byBackOffice = await call('PUT', intervalPath(agent.keyid), {
      token: tokenFor({ groups: ['backoffice'] }),
      body: { seconds: 60 },
    });

    expect(ended.status).toBe(204);
    expect((await poll(agent)).telemetry).toEqual({ enabled: true, intervalSeconds: careCycleSeconds.gold });
    expectProblem(tooShort, 400, 'seconds');
    expectProblem(byBackOffice, 403);
  });
});

/**
 * Where the agent talks: a 421 moves its home (kept), a home that does not answer sends polls to
 * the other region (bounded, with backoff) and back home as soon as it answers; telemetry and
 * writes go home only.
 */
import { UnreachableError } from '#agent/sdk/errors';
import { FALLBACK_ATTEMPTS } from '#agent/sdk/regions';
import { backoffDelayMs } from '#agent/sdk/schedule';
import { MemorySpool } from '#agent/sdk/spool';
import { activatedOn, agentOn, EU, FakeCloud, NOW, US } from './fake-cloud';

let cloud: FakeCloud;
beforeEach(async () => {
  cloud = await FakeCloud.create();
});

describe('a 421 naming the home region', () => {
  it('moves home to homeEndpoint, for good, and sends the refused telemetry there once more', async () => {
    const { agent, state } = await activatedOn(cloud);
    cloud.home = 'us'; // the account is homed in the US now: EU answers writes with 421

    const first = await agent.telemetryCycle();
    const second = await agent.telemetryCycle();

    expect(first).toMatchObject({ sent: 1, accepted: 1, left: 0 });
    expect(second).toMatchObject({ sent: 1, accepted: 1, left: 0 });
    expect(cloud.requestsTo(EU, '/telemetry')).toHaveLength(1); // only the one refused with 421
    expect(cloud.beats.map((b) => b.endpoint)).toEqual([US, US]);
    expect(state.read()).toMatchObject({
      endpoint: US,
      region: 'us',
      homeRedirect: { from: EU, to: US, at: NOW.toISOString() },
    });
    expect(agent.homeEndpoint()).toBe(US);
  });

  it('keeps the new home when restarted with the endpoint it was configured with', async () => {
    const { agent, state, spool } = await activatedOn(cloud);
    cloud.home = 'us';
    await agent.telemetryCycle();
    cloud.requests.length = 0;

    const { agent: restarted } = await agentOn(cloud, { state, spool, identity: agent.identity, endpoint: EU });
    await restarted.telemetryCycle();
    await restarted.poll();

    expect(cloud.requestsTo(EU)).toEqual([]);
    expect(restarted.fallbackEndpoint()).toBe(EU);
  });

  it('sends a deactivation to the home the 421 names', async () => {
    const { agent } = await activatedOn(cloud);
    cloud.home = 'us';

    await agent.deactivate();

    expect(cloud.deactivated).toBe(true);
    expect(cloud.requests.map((r) => `${r.method} ${r.endpoint}`)).toEqual([`DELETE ${EU}`, `DELETE ${US}`]);
  });

  it('follows a 421 once only: a second one is thrown, at activation as for writes', async () => {
    const { agent } = await activatedOn(cloud);
    const fresh = await agentOn(cloud);
    cloud.misdirects = true;

    const deactivation = await agent.deactivate().catch((e: unknown) => e);
    const activation = await fresh.agent
      .activate('UCX-FAKE-KEY', { suiteVersion: '2025.2.1', nodes: ['a'] })
      .catch((e: unknown) => e);

    expect(deactivation).toMatchObject({ status: 421 });
    expect(activation).toMatchObject({ status: 421 });
    expect(cloud.requests.map((r) => `${r.method} ${r.endpoint}`)).toEqual([
      `DELETE ${EU}`,
      `DELETE ${US}`,
      `POST ${EU}`,
      `POST ${US}`,
    ]);
  });

  it('follows homeEndpoint at activation too', async () => {
    cloud.home = 'us';
    const { agent, state } = await agentOn(cloud);

    await agent.activate('UCX-FAKE-KEY', { suiteVersion: '2025.2.1', nodes: ['ucx-a'] });

    expect(state.read()).toMatchObject({ endpoint: US, region: 'us', fallbackEndpoint: EU });
    expect(agent.homeEndpoint()).toBe(US);
  });
});

describe('the other region while home does not answer', () => {
  it('learns the other region from the activation answer, and a configured one wins', async () => {
    const learned = await activatedOn(cloud);
    const configured = await activatedOn(cloud, { endpoints: { fallback: 'https://us.proxy.test' } });
    cloud.sendsEndpoints = false;
    const none = await activatedOn(cloud);
    const disabled = await activatedOn(await FakeCloud.create(), { endpoints: { fallback: null } });

    expect(learned.agent.fallbackEndpoint()).toBe(US);
    expect(configured.agent.fallbackEndpoint()).toBe('https://us.proxy.test');
    expect(none.agent.fallbackEndpoint()).toBeUndefined();
    expect(disabled.agent.fallbackEndpoint()).toBeUndefined();
  });

  it('polls the other region when home refuses connections, and says so', async () => {
    const { agent, state } = await activatedOn(cloud);
    cloud.down.add(EU);

    const poll = await agent.poll();

    expect(poll).toMatchObject({ outcome: 'updated', via: 'fallback' });
    expect(cloud.requests.map((r) => r.endpoint)).toEqual([EU, US]);
    expect(state.read()).toMatchObject({
      lastReached: { via: 'fallback', endpoint: US, at: NOW.toISOString() },
      consecutiveFailures: 0,
      lastPoll: { outcome: '200 licence v1 (from the other region: home does not answer)' },
    });
    expect((await agent.status()).lastReached).toMatchObject({ via: 'fallback', endpoint: US });
  });

  it('polls the other region when home answers 5xx, but not on a 4xx, which is an answer about the installation', async () => {
    const { agent } = await activatedOn(cloud);
    cloud.failing.set(EU, 503);
    const on5xx = await agent.poll();
    cloud.failing.set(EU, 401);
    cloud.requests.length = 0;

    const on4xx = await agent.poll().catch((e: unknown) => e);

    expect(on5xx).toMatchObject({ via: 'fallback' });
    expect(on4xx).toMatchObject({ status: 401 });
    expect(cloud.requestsTo(US)).toEqual([]);
  });

  it('tries home first on every cycle and returns home as soon as it answers (its 202: no poll needed)', async () => {
    const { agent, state } = await activatedOn(cloud);
    cloud.down.add(EU);

    const away = [await agent.cycle(), await agent.cycle()];
    cloud.down.delete(EU);
    const back = await agent.cycle();

    expect(away.map((c) => c.poll)).toEqual([
      expect.objectContaining({ via: 'fallback' }),
      expect.objectContaining({ via: 'fallback' }),
    ]);
    // home's 202 carries the ETag the other region's poll gave: nothing to poll
    expect(back.poll).toBeUndefined();
    expect(back.telemetry).toMatchObject({ sent: 3, license: { etag: cloud.etag() } });
    expect(cloud.requests.filter((r) => r.path.endsWith('/license')).map((r) => r.endpoint)).toEqual([EU, US, EU, US]);
    expect(state.read().lastReached).toMatchObject({ via: 'home', endpoint: EU });
  });

  it('sends telemetry only home: beats wait in the spool while home is down and are replayed when it answers', async () => {
    const { agent, spool } = await activatedOn(cloud);
    cloud.down.add(EU);

    const away = [await agent.cycle(), await agent.cycle()];
    const spooled = spool.peek(10).map((b) => b.id);
    cloud.down.delete(EU);
    const back = await agent.cycle();

    expect(away.map((c) => c.telemetry)).toEqual([
      expect.objectContaining({ sent: 0, left: 1 }),
      expect.objectContaining({ sent: 0, left: 2 }),
    ]);
    expect(cloud.requestsTo(US, '/telemetry')).toEqual([]);
    // two that got no answer, then the one home took
    expect(cloud.requestsTo(EU, '/telemetry')).toHaveLength(3);
    expect(back.telemetry).toMatchObject({ sent: 3, accepted: 3, left: 0 });
    expect(cloud.beats).toEqual([{ endpoint: EU, ids: expect.arrayContaining(spooled) }]);
  });

  it('asks the other region a bounded number of times with backoff, then throws home’s error and backs off', async () => {
    const { agent, sleeps, state } = await activatedOn(cloud);
    cloud.down.add(EU);
    cloud.down.add(US);

    const failed = await agent.poll().catch((e: unknown) => e);
    const cycle = await agent.cycle();

    expect(failed).toBeInstanceOf(UnreachableError);
    expect((failed as UnreachableError).url).toMatch(/^https:\/\/eu\.api\.test\//);
    expect(cloud.requestsTo(US, '/license')).toHaveLength(2 * FALLBACK_ATTEMPTS);
    // random() = 0.5: half of 2 s, then half of 4 s, per poll
    const between = [1, 2].map((n) => backoffDelayMs(n, { baseSeconds: 2, capSeconds: 30, random: () => 0.5 }));
    expect(between).toEqual([1000, 2000]);
    expect(sleeps).toEqual([...between, ...between]);
    expect(cycle.error).toBeInstanceOf(UnreachableError);
    expect(cycle.delayMs).toBe(backoffDelayMs(2, { random: () => 0.5 }));
    expect(state.read().consecutiveFailures).toBe(2);
  });

  it('leaves a long Retry-After of the other region to the loop instead of waiting inside the poll', async () => {
    const { agent, sleeps } = await activatedOn(cloud, {
      connect: (endpoint) => {
        const t = cloud.connect(endpoint);
        if (endpoint !== US) return t;
        return {
          ...t,
          endpoint,
          request: async () => ({
            status: 503,
            headers: new Headers({ 'retry-after': '600' }),
            json: { status: 503, title: 'Unavailable' },
            text: '',
            latencyMs: 1,
          }),
        };
      },
    });
    cloud.down.add(EU);

    await expect(agent.poll()).rejects.toBeInstanceOf(UnreachableError);

    expect(sleeps).toEqual([]);
  });

  it('never polls elsewhere when configured with no other region', async () => {
    const { agent } = await activatedOn(cloud, { endpoints: { fallback: null } });
    cloud.down.add(EU);

    await expect(agent.poll()).rejects.toBeInstanceOf(UnreachableError);

    expect(cloud.requestsTo(US)).toEqual([]);
  });

  it('sends a deactivation only home, never to the other region', async () => {
    const { agent } = await activatedOn(cloud);
    cloud.down.add(EU);

    await expect(agent.deactivate()).rejects.toBeInstanceOf(UnreachableError);

    expect(cloud.requestsTo(US)).toEqual([]);
  });

  it('runs the loop with the injected waits: regular interval from the other region, backoff when neither answers', async () => {
    const spool = new MemorySpool();
    const { agent, sleeps } = await activatedOn(cloud, { spool });
    cloud.down.add(EU);
    const controller = new AbortController();
    const vias: unknown[] = [];
    const delays: number[] = [];

    await agent.run(controller.signal, {
      onCycle: (c) => {
        vias.push(c.poll && c.poll.outcome !== 'deactivated' ? c.poll.via : 'failed');
        delays.push(c.delayMs);
        if (vias.length === 2) cloud.down.add(US);
        if (vias.length === 4) controller.abort();
      },
    });

    expect(vias).toEqual(['fallback', 'fallback', 'failed', 'failed']);
    // random() = 0.5: the poll interval unjittered, then the loop's backoff after 1 and 2 failures
    expect(delays).toEqual([900_000, 900_000, 2500, 5000]);
    // the waits between cycles, a minute at a time (a collection after each), and inside each failed
    // poll the two between attempts at the other region
    const minutes = Array<number>(15).fill(60_000);
    expect(sleeps).toEqual([...minutes, ...minutes, 1000, 2000, 2500, 1000, 2000]);
    // one collection per cycle and one each minute of the waits between them, kept for home
    expect(spool.stats().beats).toBe(4 + 2 * 14);
  });
});

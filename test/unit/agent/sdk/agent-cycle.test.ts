/**
 * One request per cycle (DESIGN "One request per cycle"): counters collected every minute and sent
 * once per cycle, the licence polled only when the telemetry 202 says it changed, when telemetry is
 * off, or from a cloud whose 202 does not say.
 */
import { collectEverySeconds, defaultCycleSeconds } from '#lambdas/core/telemetry/cadence';
import type { CycleOutcome } from '#agent/sdk/agent';
import { activatedOn, EU, FakeCloud } from './fake-cloud';

let cloud: FakeCloud;
beforeEach(async () => {
  cloud = await FakeCloud.create();
});

const paths = () => cloud.requests.map((r) => `${r.method} ${r.path.replace(/^.*\//, '')}`);

describe('the agent cycle', () => {
  it('makes one request a cycle once it holds the ETag the 202 names; the wait is the licence’s interval', async () => {
    cloud.intervalSeconds = 300;
    const { agent, state } = await activatedOn(cloud);
    // the activation answer carries no ETag: the first 202 names one the agent does not hold
    const first = await agent.cycle();
    cloud.requests.length = 0;

    const later = [await agent.cycle(), await agent.cycle()];

    expect(first.poll).toMatchObject({ outcome: 'updated' });
    expect(state.read().etag).toBe(cloud.etag());
    expect(paths()).toEqual(['POST telemetry', 'POST telemetry']);
    // random() = 0.5: the interval unjittered
    expect(later.map((c) => [c.poll, c.delayMs])).toEqual([
      [undefined, 300_000],
      [undefined, 300_000],
    ]);
  });

  it('polls when the 202 names another ETag, and learns the new licence and its interval', async () => {
    const { agent, state } = await activatedOn(cloud);
    await agent.cycle();
    cloud.version = 2;
    cloud.intervalSeconds = 60;
    cloud.requests.length = 0;

    const changed = await agent.cycle();
    const after = await agent.cycle();

    expect(changed.poll).toMatchObject({ outcome: 'updated', claims: { ver: 2, telemetry: { intervalSeconds: 60 } } });
    expect(changed.delayMs).toBe(60_000);
    expect(after.poll).toBeUndefined();
    expect(paths()).toEqual(['POST telemetry', 'GET license', 'POST telemetry']);
    expect(state.read()).toMatchObject({ etag: '"v2"', intervalSeconds: 60 });
  });

  it('waits the default cycle when the licence names no interval', async () => {
    cloud.intervalSeconds = undefined;
    const { agent } = await activatedOn(cloud);

    await agent.cycle();
    const cycle = await agent.cycle();

    expect(cycle).toMatchObject({ delayMs: defaultCycleSeconds * 1000 });
  });

  it('polls every cycle, nextPollSeconds apart, when the cloud’s 202 says nothing of the licence', async () => {
    cloud.sendsLicenceState = false;
    cloud.intervalSeconds = 300;
    const { agent } = await activatedOn(cloud);

    const cycles = [await agent.cycle(), await agent.cycle()];

    expect(paths()).toEqual(['POST telemetry', 'GET license', 'POST telemetry', 'GET license']);
    expect(cycles.map((c) => c.delayMs)).toEqual([900_000, 900_000]);
  });

  it('polls on nextPollSeconds and sends nothing while telemetry is off', async () => {
    const { agent, state, spool } = await activatedOn(cloud);
    cloud.telemetryOff = true;

    const refused = await agent.cycle();
    cloud.requests.length = 0;
    const off = await agent.cycle();

    expect(refused.poll).toMatchObject({ outcome: 'updated', claims: { telemetry: { enabled: false } } });
    expect(state.read().telemetryEnabled).toBe(false);
    expect(paths()).toEqual(['GET license']);
    expect(off).toMatchObject({ poll: { outcome: 'unchanged' }, delayMs: 900_000 });
    expect(spool.stats().beats).toBe(0);
  });

  it('collects a counter beat every minute of the wait and sends the cycle’s beats in one request', async () => {
    cloud.intervalSeconds = 300;
    const { agent, sleeps } = await activatedOn(cloud);
    const controller = new AbortController();
    const cycles: CycleOutcome[] = [];

    await agent.run(controller.signal, {
      onCycle: (c) => {
        cycles.push(c);
        if (cycles.length === 2) controller.abort();
      },
    });

    const perCycle = 300 / collectEverySeconds;
    expect(sleeps).toEqual(Array<number>(perCycle).fill(collectEverySeconds * 1000));
    expect(cycles[1]).toMatchObject({ telemetry: { sent: perCycle, accepted: perCycle, left: 0 } });
    expect(cloud.requestsTo(EU, '/telemetry')).toHaveLength(2);
    expect(cloud.requestsTo(EU, '/license')).toHaveLength(1);
  });
});

/** A 410 means the installation was deactivated in the cloud: the agent drops its licence and stops. */
import { formatStatus } from '#agent/cli/commands';
import { LicenseRejectedError } from '#agent/sdk/errors';
import { activatedOn, EU, FakeCloud, NOW, US } from './fake-cloud';

let cloud: FakeCloud;
beforeEach(async () => {
  cloud = await FakeCloud.create();
});

describe('the agent after a 410', () => {
  it('removes its licence on a 410 to a poll, so nothing can enforce capacity from it', async () => {
    const { agent, state } = await activatedOn(cloud);
    await expect(agent.currentLicense()).resolves.toMatchObject({ sub: expect.any(String) });
    cloud.deactivated = true;

    const poll = await agent.poll();

    expect(poll).toEqual({ outcome: 'deactivated', at: NOW.toISOString() });
    const s = state.read();
    expect(s.license).toBeUndefined();
    expect(s.etag).toBeUndefined();
    expect(s.deactivatedInCloud).toEqual({ at: NOW.toISOString(), installationId: 'inst_fake00000001' });
    const refused = await agent.currentLicense().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LicenseRejectedError);
    expect(refused).toMatchObject({ reason: 'deactivated' });
  });

  it('stops polling and sending telemetry: no request leaves after the 410, and the spool is emptied', async () => {
    const { agent, spool } = await activatedOn(cloud);
    await agent.collect();
    cloud.deactivated = true;
    await agent.poll();
    cloud.requests.length = 0;

    const again = await agent.poll();
    const telemetry = await agent.telemetryCycle();
    const cycle = await agent.cycle();

    expect(again.outcome).toBe('deactivated');
    expect(telemetry).toBeUndefined();
    expect(cycle).toMatchObject({ poll: { outcome: 'deactivated' }, delayMs: 0 });
    expect(cloud.requests).toEqual([]);
    expect(spool.stats().beats).toBe(0);
  });

  it('treats a 410 to telemetry the same way', async () => {
    const { agent, state } = await activatedOn(cloud);
    cloud.deactivated = true;

    const flushed = await agent.telemetryCycle();

    expect(flushed).toMatchObject({ sent: 0 });
    expect(state.read()).toMatchObject({ deactivatedInCloud: { at: NOW.toISOString() } });
    expect(state.read().license).toBeUndefined();
  });

  it('ends the run loop on the 410, with no wait', async () => {
    const { agent, sleeps } = await activatedOn(cloud);
    cloud.deactivated = true;
    const cycles: unknown[] = [];

    await agent.run(new AbortController().signal, { onCycle: (c) => cycles.push(c) });

    expect(cycles).toEqual([{ poll: { outcome: 'deactivated', at: NOW.toISOString() }, delayMs: 0 }]);
    expect(sleeps).toEqual([]);
  });

  it('answers a 410 from the other region, while home is down, the same way', async () => {
    const { agent, state } = await activatedOn(cloud);
    cloud.down.add(EU);
    cloud.deactivated = true;

    const poll = await agent.poll();

    expect(poll.outcome).toBe('deactivated');
    expect(cloud.requestsTo(US, '/license')).toHaveLength(1);
    expect(state.read().license).toBeUndefined();
  });

  it('says in status when it was deactivated and what to do', async () => {
    const { agent } = await activatedOn(cloud);
    cloud.deactivated = true;
    await agent.poll();

    const status = await agent.status();

    expect(status).toMatchObject({ activated: false, deactivatedInCloud: { at: NOW.toISOString() } });
    expect(formatStatus(status)).toContain(
      `deactivated in the cloud at ${NOW.toISOString()}: activate again with a new key (installation inst_fake00000001, its licence removed)`,
    );
  });

  it('is licensed again after a new activation', async () => {
    const { agent, state } = await activatedOn(cloud);
    cloud.deactivated = true;
    await agent.poll();
    cloud.deactivated = false;

    await agent.activate('UCX-NEW-KEY', { suiteVersion: '2025.2.1', nodes: ['ucx-a'] });

    expect(state.read().deactivatedInCloud).toBeUndefined();
    await expect(agent.currentLicense()).resolves.toMatchObject({ ver: 1 });
    expect((await agent.poll()).outcome).toBe('updated');
  });
});

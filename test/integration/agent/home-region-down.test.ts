/**
 * The home region down: the agent's polls go to the other region (licensing data is global),
 * telemetry waits in the spool for home (it is kept per region), and the agent is back home at the
 * first cycle home answers (its 202 naming the licence held, with no poll). "Home" is a TCP forwarder in front of the EU port that the test closes
 * and reopens; cycles are driven one by one, with the agent's waits injected.
 */
import type { Collector } from '#agent/collectors/types';
import { UcxAgent } from '#agent/sdk/agent';
import { identityOf } from '#agent/sdk/identity';
import { generateIdentityKeys } from '#agent/sdk/signing';
import { MemorySpool } from '#agent/sdk/spool';
import { MemoryStateStore } from '#agent/sdk/state';
import { api, newAccount, newActivationKey, perpetual } from '#test/support/licensing-api';
import { streamRowsOf } from '#test/support/telemetry-api';
import { Unpluggable } from './helpers';

jest.setTimeout(120_000);

describe('an agent whose home region is down', () => {
  it('keeps polling the other region, spools telemetry for home, and returns home when it answers', async () => {
    const accountId = await newAccount([perpetual('ivr', 2)]);
    const home = new Unpluggable(new URL(api('eu')));
    await home.plug();
    let calls = 0;
    const counter: Collector = {
      name: 'test:ivr',
      types: ['ucx.ivr'],
      collect: async () => [{ type: 'ucx.ivr', data: { activeCalls: ++calls } }],
    };
    const spool = new MemorySpool();
    const waits: number[] = [];
    const agent = new UcxAgent({
      identity: await identityOf((await generateIdentityKeys()).privateKey),
      state: new MemoryStateStore(),
      spool,
      collectors: [counter],
      endpoints: { home: home.url, fallback: api('us') },
      transport: { proxy: null, timeoutMs: 5000 },
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await agent.activate(await newActivationKey(accountId), { suiteVersion: '2025.2.1', nodes: ['n1'] });
    const installationId = agent.state().installationId!;

    const atHome = await agent.cycle();
    await home.unplug();
    const away = [await agent.cycle(), await agent.cycle()];
    const statusAway = await agent.status();
    const spooledAway = spool.peek(100).map((b) => b.id);
    await home.plug();
    const back = await agent.cycle();
    const statusBack = await agent.status();
    await agent.close();
    await home.unplug();

    expect(atHome).toMatchObject({ poll: { via: 'home' }, telemetry: { sent: 1, accepted: 1, left: 0 } });
    expect(away.map((c) => c.error)).toEqual([undefined, undefined]);
    expect(away.map((c) => c.poll)).toEqual([
      expect.objectContaining({ outcome: expect.stringMatching(/^(updated|unchanged)$/), via: 'fallback' }),
      expect.objectContaining({ outcome: expect.stringMatching(/^(updated|unchanged)$/), via: 'fallback' }),
    ]);
    expect(away.map((c) => c.telemetry)).toEqual([
      expect.objectContaining({ sent: 0, left: 1 }),
      expect.objectContaining({ sent: 0, left: 2 }),
    ]);
    expect(statusAway).toMatchObject({
      endpoint: home.url,
      fallbackEndpoint: api('us'),
      lastReached: { via: 'fallback', endpoint: api('us') },
      licence: { valid: true, products: [expect.objectContaining({ product: 'ivr', capacity: 2 })] },
    });
    expect(spooledAway).toHaveLength(2);
    expect(back).toMatchObject({ telemetry: { sent: 3, accepted: 3, left: 0 } });
    expect(back.poll).toBeUndefined(); // home's 202 names the licence the agent holds: one request
    expect(statusBack.lastReached).toMatchObject({ via: 'home', endpoint: home.url });
    expect(waits).toEqual([]); // the other region answered at once: no wait inside a poll
    const euRows = await streamRowsOf(installationId, 'eu');
    expect(euRows.map((r) => r.beat_id)).toEqual(expect.arrayContaining(spooledAway));
    expect(euRows.map((r) => (JSON.parse(r.data) as { activeCalls: number }).activeCalls).sort()).toEqual([1, 2, 3, 4]);
    expect(await streamRowsOf(installationId, 'us')).toEqual([]);
  });
});

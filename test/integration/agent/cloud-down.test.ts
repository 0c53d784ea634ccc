/**
 * The cloud down for a while: beats collected meanwhile wait in the spool (bounded, oldest dropped
 * first and counted), and are delivered once each, with the ids they were given, when it is back.
 */
import { join } from 'node:path';
import { UcxAgent } from '#agent/sdk/agent';
import { loadOrCreateIdentity } from '#agent/sdk/identity';
import { DiskSpool } from '#agent/sdk/spool';
import { FileStateStore } from '#agent/sdk/state';
import { UnreachableError } from '#agent/sdk/errors';
import { prepareBeat } from '#agent/sdk/telemetry';
import type { Collector } from '#agent/collectors/types';
import { api, newAccount, newActivationKey, perpetual } from '#test/support/licensing-api';
import { streamRowsOf } from '#test/support/telemetry-api';
import { stateDir, Unpluggable } from './helpers';

jest.setTimeout(120_000);

describe('the cloud down for a while', () => {
  it('spools beats within the bound and delivers each once when it returns', async () => {
    const accountId = await newAccount([perpetual('ivr', 2)]);
    const link = new Unpluggable(new URL(api()));
    await link.plug();
    let calls = 0;
    const counter: Collector = {
      name: 'test:ivr',
      types: ['ucx.ivr'],
      collect: async () => [{ type: 'ucx.ivr', data: { activeCalls: ++calls } }],
    };
    const dir = stateDir();
    const sample = prepareBeat('ucx.ivr', { activeCalls: 2 });
    const beatBytes = Buffer.byteLength(JSON.stringify(sample.ok && sample.beat)); // one single-digit ucx.ivr beat as spooled
    const spool = new DiskSpool(join(dir, 'spool'), beatBytes * 5 + 4); // room for five, not six
    const agent = new UcxAgent({
      identity: await loadOrCreateIdentity(join(dir, 'identity.key')),
      state: new FileStateStore(join(dir, 'state.json')),
      spool,
      collectors: [counter],
      endpoint: link.url,
      endpoints: { fallback: null }, // the whole cloud is down here: no other region to poll
      transport: { proxy: null, timeoutMs: 5000 },
    });
    await agent.activate(await newActivationKey(accountId), { suiteVersion: '2025.2.1', nodes: ['n1'] });
    expect(await agent.telemetryCycle()).toMatchObject({ sent: 1, accepted: 1, left: 0 });

    await link.unplug();
    const failures: unknown[] = [];
    for (let cycle = 0; cycle < 8; cycle++) await agent.telemetryCycle().catch((e: unknown) => failures.push(e));
    const whileDown = spool.stats();
    const spooledIds = spool.peek(100).map((b) => b.id);
    await expect(agent.poll()).rejects.toBeInstanceOf(UnreachableError);

    await link.plug();
    const flushed = await agent.flush();
    await agent.close();
    await link.unplug();

    expect(failures).toHaveLength(8);
    expect(failures.every((e) => e instanceof UnreachableError)).toBe(true);
    expect(whileDown.beats).toBe(5);
    expect(whileDown.bytes).toBeLessThanOrEqual(beatBytes * 5 + 4);
    expect(whileDown.dropped).toBe(3);
    expect(flushed).toMatchObject({ sent: 5, accepted: 5, left: 0 });
    const rows = await streamRowsOf(agent.state().installationId!);
    const ids = rows.map((r) => r.beat_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(spooledIds));
    expect(rows.map((r) => (JSON.parse(r.data) as { activeCalls: number }).activeCalls).sort((a, b) => a - b)).toEqual([
      1, 5, 6, 7, 8, 9,
    ]);
  });
});

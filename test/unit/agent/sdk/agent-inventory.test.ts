/**
 * Inventory beats leave the machine when they change or once a day; the agent does not check
 * inventory it collected unchanged again (a fleet simulator collects for thousands of agents).
 */
import type { Collector } from '#agent/collectors/types';
import { activatedOn, counterCollector, FakeCloud, NOW } from './fake-cloud';

let cloud: FakeCloud;
beforeEach(async () => {
  cloud = await FakeCloud.create();
});

function memoryCollector(memory: { totalBytes: number; reservedBytes: number; extra?: string }): Collector {
  return {
    name: 'test:memory',
    types: ['hardware.memory'],
    collect: async () => [{ type: 'hardware.memory', data: { ...memory } }],
  };
}

describe('inventory collected again', () => {
  it('is spooled when it changed or a day passed, not when collected unchanged within the day', async () => {
    const memory = { totalBytes: 8, reservedBytes: 0 };
    let now = NOW;
    const { agent, spool } = await activatedOn(cloud, { collectors: [memoryCollector(memory)], now: () => now });
    const spooled = () => spool.peek(100).map((b) => b.data.totalBytes);

    await agent.collect();
    await agent.collect();
    now = new Date(NOW.getTime() + 3_600_000);
    await agent.collect();
    memory.totalBytes = 16;
    await agent.collect();
    await agent.collect();
    now = new Date(NOW.getTime() + 3_600_000 + 86_400_000);
    await agent.collect();

    expect(spooled()).toEqual([8, 16, 16]);
  });

  it('drops a field outside the catalogue every time it is sent, and reports it once per change', async () => {
    const memory = { totalBytes: 8, reservedBytes: 0, extra: 'not published' };
    const { agent, spool, log } = await activatedOn(cloud, { collectors: [memoryCollector(memory)] });

    await agent.collect();
    await agent.collect();

    expect(spool.peek(100).map((b) => b.data)).toEqual([{ totalBytes: 8, reservedBytes: 0 }]);
    expect(log.filter((l) => l.includes('dropped fields outside the catalogue: extra'))).toHaveLength(1);
  });
});

describe('the agent state', () => {
  it('is written when inventory is sent, not on every minute of counters', async () => {
    const memory = { totalBytes: 8, reservedBytes: 0 };
    const collectors = [memoryCollector(memory), counterCollector()];
    const { agent, state, spool } = await activatedOn(cloud, { collectors });
    const write = jest.spyOn(state, 'write');

    await agent.collect();
    await agent.collect();
    await agent.collect();
    memory.totalBytes = 16;
    await agent.collect();

    expect(write).toHaveBeenCalledTimes(2);
    expect(agent.state().inventorySent?.['hardware.memory']).toBeDefined();
    expect(spool.stats().beats).toBe(6);
  });
});

import { beatDataSchemas, beatTypes, inventoryBeatTypes } from '#lambdas/core/telemetry/catalogue';
import { simulatedInstallation, type SimulatedFault } from '#agent/collectors/simulated';
import { dataHash, isDue } from '#agent/sdk/telemetry';
import { collectEverySeconds, inventoryRefreshSeconds } from '#lambdas/core/telemetry/cadence';

const ALL_PRODUCTS = [
  'attendant-console',
  'call-recording',
  'ivr',
  'acd',
  'digital-fax',
  'phone-lock',
  'contact-manager',
];

describe('a simulated installation', () => {
  it('yields every catalogue beat type, each fitting its schema exactly', async () => {
    const beats = await simulatedInstallation({ seed: 42, products: ALL_PRODUCTS, faults: [] }).collect();

    expect(new Set(beats.map((b) => b.type))).toEqual(new Set(beatTypes));
    for (const beat of beats) {
      const strict = beatDataSchemas[beat.type as keyof typeof beatDataSchemas].safeParse(beat.data);
      expect({ type: beat.type, ok: strict.success }).toEqual({ type: beat.type, ok: true });
    }
  });

  it('carries the faults the rules catch', async () => {
    const sim = simulatedInstallation({
      seed: 7,
      products: ['ivr'],
      faults: ['express-db-near-cap', 'handle-leak', 'firewall-off'],
    });

    const first = await sim.collect();
    const second = await sim.collect();

    const db = first.find((b) => b.type === 'ucx.database')!.data as { sizeBytes: number };
    const server = first.find((b) => b.type === 'ucx.database_server')!.data as { edition: string };
    expect(server.edition).toMatch(/Express/);
    expect(db.sizeBytes / 1024 ** 3 / 10).toBeGreaterThanOrEqual(0.85);
    expect(first.find((b) => b.type === 'software.firewall')!.data).toEqual({
      domain: false,
      public: false,
      private: false,
    });
    const handles = (beats: typeof first) =>
      (beats.find((b) => b.type === 'processes.running')!.data as { processes: { handleCount: number }[] })
        .processes[0]!.handleCount;
    expect(handles(second)).toBeGreaterThan(handles(first));
  });

  it('uses a licensed product within its capacity, or about all of it with licence-near-full', async () => {
    const licensed = { 'attendant-console': 20, 'call-recording': 10, ivr: 30 };
    const inUse = async (faults: SimulatedFault[]) => {
      const sim = simulatedInstallation({ seed: 5, products: ALL_PRODUCTS, faults, licensed });
      const shares: number[] = [];
      for (let minute = 0; minute < 120; minute++) {
        const beats = await sim.collect();
        const data = (type: string) => beats.find((b) => b.type === type)!.data as Record<string, unknown>;
        const consoles = (data('ucx.attendant_console')['connected'] as { count: number }[]).reduce(
          (n, c) => n + c.count,
          0,
        );
        shares.push(
          consoles / licensed['attendant-console'],
          (data('ucx.call_recording')['activeRecordings'] as number) / licensed['call-recording'],
          (data('ucx.ivr')['activeCalls'] as number) / licensed.ivr,
        );
      }
      return { min: Math.min(...shares), max: Math.max(...shares) };
    };

    const usual = await inUse([]);
    const full = await inUse(['licence-near-full']);

    expect(usual.max).toBeLessThan(0.9); // never the rule's info threshold
    expect(usual.min).toBeLessThan(usual.max / 2); // it follows the hour's load
    expect(full.min).toBeGreaterThanOrEqual(0.8);
    expect(full.max).toBeGreaterThan(1); // now and then over: the rule warns
  });

  it('keeps its inventory from one collection to the next (sent on change, not every minute)', async () => {
    const sim = simulatedInstallation({ seed: 3, products: ALL_PRODUCTS, faults: [] });
    const inventory = (beats: { type: string; data: unknown }[]) =>
      beats.filter((b) => inventoryBeatTypes.has(b.type as never));

    const first = inventory(await sim.collect());
    const second = inventory(await sim.collect());

    expect(first.length).toBe(inventoryBeatTypes.size);
    expect(second).toEqual(first);
  });

  it.each([
    ['an hour', 60, 1],
    ['a day and a minute', inventoryRefreshSeconds / collectEverySeconds + 1, 2],
  ])(
    'over %s of collections, the agent sends each inventory type only on its first and daily collections',
    async (_span, collections, sendsPerType) => {
      // Arrange: the agent's rule (isDue) over the simulator's collections, a minute apart
      const sim = simulatedInstallation({ seed: 11, products: ALL_PRODUCTS, faults: ['handle-leak'] });
      const lastSent = new Map<string, { hash: string; at: string }>();
      const sent = new Map<string, number>();
      const start = Date.parse('2026-03-02T00:00:00Z');

      // Act
      for (let i = 0; i < collections; i++) {
        const now = new Date(start + i * collectEverySeconds * 1000);
        for (const beat of await sim.collect()) {
          if (!inventoryBeatTypes.has(beat.type as never)) continue;
          if (!isDue(beat.type as never, beat.data, lastSent.get(beat.type), now)) continue;
          lastSent.set(beat.type, { hash: dataHash(beat.data), at: now.toISOString() });
          sent.set(beat.type, (sent.get(beat.type) ?? 0) + 1);
        }
      }

      // Assert
      expect(sent.size).toBe(inventoryBeatTypes.size);
      expect(new Set(sent.values())).toEqual(new Set([sendsPerType]));
    },
  );
});

import { getInstallationHistory } from '#lambdas/core/history/get-history';
import { deferringPuts, hoursClosed, previousPointAt, recordHistory } from '#lambdas/core/history/record-history';
import { minutePoints } from '#lambdas/core/history/series';
import { hourTier, mergePoints, minuteTier, quarterTier, tiers, type HistoryRange } from '#lambdas/core/history/tiers';
import type { Beat } from '#lambdas/core/telemetry/catalogue';
import { MemoryHistoryStore } from '#test/support/memory-history-store';
import { beatAt, licenceFacts } from '#test/support/rules-harness';
import { healthOf, principals, supportWorld, type SupportWorld } from '#test/support/support-fixtures';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const START = Date.parse('2026-03-02T09:00:00.000Z');
const INST = 'inst_history00000001';

/** one IVR beat a minute: minute i carries i % 10 active calls, collected 20 s into the minute */
const ivrBeat = (i: number): Beat => beatAt('ucx.ivr', START + i * MIN + 20_000, { activeCalls: i % 10 }).beat;
/** the beats of minutes [from, to) */
const minutes = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => ivrBeat(from + k));

/** 15-minute batches from minute 7 (an agent's cycle is not aligned to the hour), each recorded at its end */
async function sendBatches(store: MemoryHistoryStore, batches: Beat[][]) {
  for (const beats of batches) {
    const newest = Math.max(...beats.map((b) => Date.parse(b.collectedAt)));
    await recordHistory(store, INST, [beats], newest + MIN);
  }
}

describe('recordHistory', () => {
  const batches = Array.from({ length: 12 }, (_, k) => minutes(7 + 15 * k, 22 + 15 * k)); // 09:07 to 12:07

  it('writes each batch as one 1-minute block, each hour once it closes as 15-minute points, each day once it closes as 1-hour points', async () => {
    const store = new MemoryHistoryStore();
    await sendBatches(store, batches);

    expect(store.of(INST, minuteTier)).toHaveLength(12);
    // 09:00, 10:00 and 11:00 closed; 12:00 is open, and so is the day
    expect(store.of(INST, quarterTier).map((b) => b.start)).toEqual([START, START + HOUR, START + 2 * HOUR]);
    expect(store.of(INST, hourTier)).toEqual([]);

    // 10:00 to 11:00 is minutes 60..119: calls i % 10, one sample each
    const quarters = store.of(INST, quarterTier)[1]!.series.get('calls:ivr:active')!;
    expect(quarters.map((q) => q.t)).toEqual([0, 1, 2, 3].map((q) => START + HOUR + q * 15 * MIN));
    const first = Array.from({ length: 15 }, (_, k) => (60 + k) % 10);
    expect(quarters[0]).toEqual({
      t: START + HOUR,
      avg: first.reduce((s, v) => s + v, 0) / 15,
      min: 0,
      max: 9,
      n: 15,
    });

    // the next request comes after midnight: 12:00 and the day close
    await sendBatches(store, [minutes(900, 915)]);
    const midnight = Date.parse('2026-03-02T00:00:00.000Z');
    expect(store.of(INST, quarterTier).map((b) => b.start)).toEqual([0, 1, 2, 3].map((h) => START + h * HOUR));
    expect(store.of(INST, hourTier).map((b) => b.start)).toEqual([midnight]);
    const hours = store.of(INST, hourTier)[0]!.series.get('calls:ivr:active')!;
    expect(hours.map((h) => [h.t, h.n])).toEqual([
      [START, 53], // minutes 7..59
      [START + HOUR, 60],
      [START + 2 * HOUR, 60],
      [START + 3 * HOUR, 7], // minutes 180..186
    ]);
    expect(hours[1]).toEqual({ t: START + HOUR, avg: 4.5, min: 0, max: 9, n: 60 });
  });

  it('writes the same items when its Puts wait for the end of each stream batch, the day that closes included', async () => {
    const direct = new MemoryHistoryStore();
    await sendBatches(direct, [...batches, minutes(900, 915)]);
    const deferredTo = new MemoryHistoryStore();

    for (const beats of [...batches, minutes(900, 915)]) {
      const { store, flush } = deferringPuts(deferredTo);
      const newest = Math.max(...beats.map((b) => Date.parse(b.collectedAt)));
      const puts = deferredTo.puts;
      await recordHistory(store, INST, [beats], newest + MIN);
      expect(deferredTo.puts).toBe(puts);
      expect(await flush()).toEqual(new Map());
    }

    expect(deferredTo.of(INST, hourTier)).toHaveLength(1);
    expect([...deferredTo.items]).toEqual([...direct.items]);
  });

  it('writes the same items with the same values when every batch is sent again', async () => {
    const store = new MemoryHistoryStore();
    await sendBatches(store, batches);
    const before = structuredClone([...store.items]);
    await sendBatches(store, batches);

    expect([...store.items]).toEqual(before);
  });

  it('writes the same 1-minute items whether the stream brought two requests together or apart', async () => {
    const together = new MemoryHistoryStore();
    const apart = new MemoryHistoryStore();
    await recordHistory(together, INST, [minutes(0, 15), minutes(15, 30)], START + 31 * MIN);
    await recordHistory(apart, INST, [minutes(0, 15)], START + 16 * MIN);
    await recordHistory(apart, INST, [minutes(15, 30)], START + 31 * MIN);

    expect([...together.items.keys()].sort()).toEqual([...apart.items.keys()].sort());
  });

  it('aggregates an hour whose last minute no batch carried (the agent was off) when the next batch comes', async () => {
    const store = new MemoryHistoryStore();
    await sendBatches(store, [minutes(30, 45), minutes(45, 50)]); // up to 09:50, then silence
    expect(store.of(INST, quarterTier)).toHaveLength(0);
    await sendBatches(store, [minutes(200, 215)]); // 12:20

    expect(store.of(INST, quarterTier).map((b) => b.start)).toEqual([START]);
    expect(
      store
        .of(INST, quarterTier)[0]!
        .series.get('calls:ivr:active')!
        .map((q) => [q.t, q.n]),
    ).toEqual([
      [START + 30 * MIN, 15],
      [START + 45 * MIN, 5],
    ]);
  });

  it('recomputes a closed hour when a late beat of it arrives, counting it once', async () => {
    const store = new MemoryHistoryStore();
    const all = minutes(0, 75);
    const late = all.splice(30, 1);
    const hourOf = () => mergePoints(START, store.of(INST, quarterTier)[0]!.series.get('calls:ivr:active')!);
    await sendBatches(store, [all]);
    expect(hourOf().n).toBe(59);
    await recordHistory(store, INST, [late, late], START + 80 * MIN);

    expect(hourOf()).toMatchObject({ n: 60, avg: 4.5 });
  });

  it('makes no Query for the point before when the caller knows it, and writes the same items', async () => {
    const queried = new MemoryHistoryStore();
    const told = new MemoryHistoryStore();
    const blockBefore = jest.spyOn(told, 'blockBefore');
    const silence = [minutes(30, 45), minutes(45, 50), minutes(200, 215)]; // an hour closed by the batch after
    await sendBatches(queried, silence);
    let previousAt: number | undefined;
    for (const beats of silence) {
      const newest = Math.max(...beats.map((b) => Date.parse(b.collectedAt)));
      await recordHistory(told, INST, [beats], newest + MIN, previousAt !== undefined ? { previousAt } : {});
      previousAt = previousPointAt({ 'ucx.ivr': newest });
    }

    // only the first batch, with nothing known, asked
    expect(blockBefore).toHaveBeenCalledTimes(1);
    expect([...told.items]).toEqual([...queried.items]);
    expect(told.of(INST, quarterTier).map((b) => b.start)).toEqual([START]);
  });

  it('reads the point before when the known one is not before the batch (late beats)', async () => {
    const store = new MemoryHistoryStore();
    const all = minutes(0, 75);
    const late = all.splice(30, 1);
    await sendBatches(store, [all]);
    const blockBefore = jest.spyOn(store, 'blockBefore');
    await recordHistory(store, INST, [late], START + 80 * MIN, { previousAt: START + 74 * MIN });

    expect(blockBefore).toHaveBeenCalledTimes(1);
    expect(mergePoints(START, store.of(INST, quarterTier)[0]!.series.get('calls:ivr:active')!).n).toBe(60);
  });

  it('takes the point before from the newest beat of a type that makes series, to the minute', () => {
    expect(previousPointAt(undefined)).toBeUndefined();
    expect(previousPointAt({ 'software.os': START + 50 * MIN })).toBeUndefined();
    expect(previousPointAt({ 'ucx.ivr': START + 20_500, 'processes.running': START + 61_000 })).toBe(START + MIN);
  });

  it('leaves hours alone whose 1-minute points are no longer all kept', () => {
    const points = minutePoints(minutes(0, 61));
    expect(hoursClosed(points, START + 62 * MIN)).toEqual([START]);
    expect(hoursClosed(points, START + 2 * HOUR)).toEqual([START, START + HOUR]);
    expect(hoursClosed(points, START + minuteTier.keepMs + HOUR)).toEqual([]);
  });
});

describe('getInstallationHistory', () => {
  let world: SupportWorld;
  let store: MemoryHistoryStore;
  const deps = () => ({
    ...world.deps,
    history: store,
    licences: { factsFor: async (id: string) => licenceFacts({ installationId: id }) },
  });

  beforeEach(async () => {
    world = await supportWorld();
    world.store.putHealth(healthOf(world.installationId, world.accountId));
    store = new MemoryHistoryStore();
  });

  const record = async (beats: Beat[], now: number) => recordHistory(store, world.installationId, [beats], now);
  const read = (range: HistoryRange, series: string[] = []) =>
    getInstallationHistory(deps(), principals.support, world.installationId, { range, series });

  it('answers a range from its tier, with labels, units and the licensed capacity of usage series', async () => {
    // recorded on the next day, so the hours and the day are over: every tier written
    await record(minutes(0, 120), START + DAY);
    world.licensing.clock.set(new Date(START + 2 * HOUR));

    const day = await read('24h');
    expect(day).toMatchObject({ range: '24h', resolutionSeconds: 60, to: new Date(START + 2 * HOUR).toISOString() });
    expect(day.series).toEqual([
      expect.objectContaining({ key: 'calls:ivr:active', label: 'IVR active calls', unit: 'count', capacity: 10 }),
    ]);
    expect(day.series[0]!.points).toHaveLength(120);
    expect(day.series[0]!.points[3]).toEqual([START + 3 * MIN, 3, 3, 3]);

    const week = await read('7d');
    expect(week.resolutionSeconds).toBe(900);
    expect(week.series[0]!.points).toHaveLength(8);
    expect(week.series[0]!.points[0]).toEqual([START, 3.667, 0, 9]);
    const quarter = await read('90d');
    expect(quarter.series[0]!.points).toEqual([
      [START, 4.5, 0, 9],
      [START + HOUR, 4.5, 0, 9],
    ]);
  });

  it('keeps only the series asked for, answering one without points empty', async () => {
    await record(
      [...minutes(0, 5), beatAt('ucx.database', START, { name: 'UCX', sizeBytes: 5 }).beat],
      START + 5 * MIN,
    );
    world.licensing.clock.set(new Date(START + 5 * MIN));

    const { series } = await read('24h', ['database:UCX:sizeBytes', 'consoles:connected']);
    expect(series.map((s) => [s.key, s.points.length, s.capacity])).toEqual([
      ['consoles:connected', 0, 10],
      ['database:UCX:sizeBytes', 1, undefined],
    ]);
  });

  it.each(['24h', '7d', '90d'] as const)(
    'on a moved clock, a %s point is there until its range ends and gone once older than its tier keeps',
    async (range) => {
      const tier = tiers[range];
      await record(minutes(0, 75), START + DAY);
      const points = async (at: number) => {
        world.licensing.clock.set(new Date(at));
        return (await read(range)).series.flatMap((s) => s.points).length;
      };

      expect(await points(START + 75 * MIN)).toBeGreaterThan(0);
      expect(await points(START + tier.rangeMs - MIN)).toBeGreaterThan(0);
      expect(await points(START + 2 * HOUR + tier.rangeMs)).toBe(0);
      expect(await points(START + 2 * HOUR + tier.keepMs)).toBe(0);
      // nothing was deleted: the read's clock decides (DynamoDB Local does not expire items)
      expect(store.of(world.installationId, tier).length).toBeGreaterThan(0);
    },
  );

  it('is read by whoever reads the installation’s findings, and by no one else', async () => {
    const customer = principals.customer(world.accountId);
    await expect(
      getInstallationHistory(deps(), customer, world.installationId, { range: '24h', series: [] }),
    ).resolves.toMatchObject({ installationId: world.installationId });
    await expect(
      getInstallationHistory(deps(), principals.customer(world.otherAccountId), world.installationId, {
        range: '24h',
        series: [],
      }),
    ).rejects.toThrow();
    await expect(
      getInstallationHistory(deps(), principals.support, 'inst_unknown00000001', { range: '24h', series: [] }),
    ).rejects.toThrow(/no telemetry/);
  });
});

// the tiers a day's history spans at most, for the docs' item counts
test('a day of 15-minute batches writes 96 one-minute blocks, 24 hours of 15-minute points and the day closed', async () => {
  const store = new MemoryHistoryStore();
  await sendBatches(
    store,
    Array.from({ length: 97 }, (_, k) => minutes(15 * k, 15 * k + 15)),
  );
  expect(store.of(INST, minuteTier)).toHaveLength(97);
  expect(store.of(INST, quarterTier)).toHaveLength(24);
  expect(store.of(INST, hourTier)).toHaveLength(1); // 2026-03-02, closed at midnight
  expect(store.puts).toBe(97 + 24 + 1);
  expect(DAY).toBe(24 * HOUR);
});

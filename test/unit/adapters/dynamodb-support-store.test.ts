import { dynamoItemBytes } from '#lambdas/adapters/dynamodb-item-size';
import {
  COUNTERS_SNAPSHOT_SK,
  countersToMerge,
  findingItemOf,
  INVENTORY_SNAPSHOT_SK,
  inventoryToMerge,
  needsTransaction,
  snapshotItemsOf,
  STATE_ITEM_BUDGET,
  stateItemsOf,
  stateOfItems,
  type StoredState,
} from '#lambdas/adapters/dynamodb-support-store';
import { decodeSnapshotGroup } from '#lambdas/adapters/support-snapshot-codec';
import { RESOLVED_FINDING_DAYS, SILENT_SUPPORT_DATA_DAYS } from '#lambdas/core/accounts/retention';
import type { FindingRecord } from '#lambdas/core/rules/engine';
import { emptyState, type InstallationState } from '#lambdas/core/rules/state';
import { T0 } from '#test/support/rules-harness';
import { supportTableGsi2Attributes } from '#lib/stacks/stateful-stack';

/** What the items of the STATE key hold between batches, as the store keeps them. */
class Stored {
  state: ReturnType<typeof stateItemsOf>['state'] | undefined;
  apart: ReturnType<typeof stateItemsOf>['apart'];
  apartWrites = 0;

  read(): StoredState | undefined {
    return this.state && stateOfItems(this.state, this.apart);
  }

  /** one batch: read, let `change` make the next state (keeping unchanged values, as the engine does), write */
  batch(change: (state: InstallationState) => InstallationState) {
    const read = this.read();
    const next = change(read?.state ?? emptyState('inst_storeunit00000001', 'acc_storeunit00000001'));
    const write = stateItemsOf({ state: next, expectedVersion: read?.state.version ?? 0, careLevel: 'gold' }, read);
    this.state = write.state;
    if (write.apart) {
      this.apart = write.apart;
      this.apartWrites++;
    }
    return { next, write };
  }
}

/** A fact too large for the STATE item's budget once deflated: a year of noisy numbers. */
function bigFact(seed: number): number[] {
  let x = seed;
  return Array.from({ length: 400 }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x % 100_000;
  });
}

const withFact = (state: InstallationState, key: string, value: unknown): InstallationState => ({
  ...state,
  memory: {
    ...state.memory,
    'some-rule': { series: {}, facts: { ...state.memory['some-rule']?.facts, [key]: value } },
  },
});
/** what every batch changes: the newest beat and a counter */
const tick = (state: InstallationState): InstallationState => ({
  ...state,
  lastBeatAt: (state.lastBeatAt ?? T0) + 300_000,
  newest: { ...state.newest, 'processes.running': (state.lastBeatAt ?? T0) + 300_000 },
  atNewest: { ...state.atNewest, 'processes.running': [(state.lastBeatAt ?? T0) % 2 ** 31] },
  memory: {
    ...state.memory,
    counter: { series: {}, facts: { count: ((state.memory['counter']?.facts['count'] as number) ?? 0) + 1 } },
  },
});
const withoutVersion = ({ version: _version, ...rest }: InstallationState) => rest;

describe('the STATE item and the entries kept apart', () => {
  it('writes everything in STATE while it fits the budget', () => {
    const stored = new Stored();

    stored.batch(tick);
    const { next } = stored.batch(tick);

    expect(stored.apartWrites).toBe(0);
    expect(dynamoItemBytes(stored.state!)).toBeLessThanOrEqual(STATE_ITEM_BUDGET);
    expect(withoutVersion(stored.read()!.state)).toEqual(withoutVersion(next));
  });

  it('moves what did not change apart when STATE would overflow, and does not write it again while it stays unchanged', () => {
    const stored = new Stored();
    stored.batch((s) => tick(withFact(s, 'history', bigFact(1))));

    const overflowing = stored.batch(tick);
    const quiet = [stored.batch(tick), stored.batch(tick), stored.batch(tick)];

    expect(overflowing.write.apart).toBeDefined();
    expect(quiet.map((b) => b.write.apart)).toEqual([undefined, undefined, undefined]);
    expect(stored.apartWrites).toBe(1);
    expect(dynamoItemBytes(stored.state!)).toBeLessThanOrEqual(STATE_ITEM_BUDGET);
    expect(withoutVersion(stored.read()!.state)).toEqual(withoutVersion(quiet[2]!.next));
  });

  it('writes an entry kept apart again when it changes, but not two batches in a row', () => {
    const stored = new Stored();
    stored.batch((s) => tick(withFact(s, 'history', bigFact(1))));
    stored.batch(tick);
    stored.batch(tick);

    const changed = stored.batch((s) => tick(withFact(s, 'history', bigFact(2))));
    const changedAgain = stored.batch((s) => tick(withFact(s, 'history', bigFact(3))));
    const settled = stored.batch(tick);

    expect(changed.write.apart).toBeDefined();
    expect(changedAgain.write.apart).toBeUndefined();
    expect(dynamoItemBytes(changedAgain.write.state)).toBeGreaterThan(STATE_ITEM_BUDGET);
    expect(settled.write.apart).toBeDefined();
    expect(withoutVersion(stored.read()!.state)).toEqual(withoutVersion(settled.next));
  });

  it('writes a long entry apart that changed a little as a patch in STATE, and the blob apart again only when the patches outgrow it', () => {
    // Arrange: a growth series of 72 noisy hourly points and a week baseline, apart after the first overflow
    const series = (from: number) =>
      bigFact(from)
        .slice(0, 72)
        .map((v, i) => ({ t: T0 + (from + i) * 3_600_000, v: v * 1_000_003 }));
    const week = { s: bigFact(5).slice(0, 168), v: bigFact(6).slice(0, 168) };
    const withBoth = (s: InstallationState, hour: number): InstallationState => ({
      ...s,
      memory: {
        ...s.memory,
        growth: {
          series: { 'db:main': hour === 0 ? series(0) : withSeries(s, series(hour)) },
          facts: { week: hour === 0 ? week : refill(s.memory['growth']!.facts['week'] as typeof week, hour) },
        },
      },
    });
    // the engine keeps the kept points' objects; one point in, the oldest out
    const withSeries = (s: InstallationState, next: { t: number; v: number }[]) => [
      ...s.memory['growth']!.series['db:main']!.slice(1),
      next[next.length - 1]!,
    ];
    const refill = (w: typeof week, hour: number) => {
      const s = [...w.s];
      const v = [...w.v];
      s[hour % 168] = 500_000 + hour;
      v[hour % 168] = hour % 97;
      return { s, v };
    };
    const stored = new Stored();
    stored.batch((s) => tick(withBoth(s, 0)));
    stored.batch(tick);
    const writesBefore = stored.apartWrites;

    // Act: three days of hours, a point and a baseline slot each, three quiet batches between
    const hourly = [];
    let last: InstallationState | undefined;
    for (let hour = 1; hour <= 72; hour++) {
      hourly.push(stored.batch((s) => tick(withBoth(s, hour))).write);
      for (let quiet = 0; quiet < 3; quiet++) last = stored.batch(tick).next;
    }

    // Assert: the state reads back exactly; STATE within its budget every hour; the blob apart
    // written again about daily, once the patches outgrow half their entry (before: every hour, 72)
    expect(withoutVersion(stored.read()!.state)).toEqual(withoutVersion(last!));
    expect(hourly.every((w) => dynamoItemBytes(w.state) <= STATE_ITEM_BUDGET)).toBe(true);
    expect(stored.apartWrites - writesBefore).toBeGreaterThanOrEqual(1);
    expect(stored.apartWrites - writesBefore).toBeLessThanOrEqual(3);
  });

  it('leaves out what was deleted since it went apart', () => {
    const stored = new Stored();
    stored.batch((s) => tick(withFact(withFact(s, 'history', bigFact(1)), 'other', bigFact(7))));
    stored.batch(tick);

    const { next, write } = stored.batch((s) => {
      const { history: _history, ...facts } = s.memory['some-rule']!.facts;
      return tick({ ...s, memory: { ...s.memory, 'some-rule': { series: {}, facts } } });
    });

    expect(write.apart).toBeUndefined();
    expect(stored.read()!.state.memory['some-rule']!.facts).not.toHaveProperty('history');
    expect(withoutVersion(stored.read()!.state)).toEqual(withoutVersion(next));
  });
});

describe('what a commit writes besides the state', () => {
  const state = { ...emptyState('inst_storeunit00000002', 'acc_storeunit00000002'), lastBeatAt: T0 };
  const snapshot = (type: 'processes.running' | 'ucx.acd' | 'software.os' | 'software.hotfixes', at: number) => ({
    installationId: state.installationId,
    accountId: state.accountId,
    type,
    beatId: `${type}-${at}`,
    collectedAt: new Date(at).toISOString(),
    data: { at },
  });

  it('writes the state alone with a Put, and in a transaction only with the item apart (findings go before, alone)', () => {
    const finding = { findingId: 'f1' } as never;

    expect(needsTransaction({ findings: [] }, {})).toBe(false);
    expect(needsTransaction({ findings: [finding] }, {})).toBe(false);
    expect(needsTransaction({ findings: [] }, { apart: { pk: 'x' } })).toBe(true);
  });

  it('puts the counters in one compressed item and the inventory types in another, with the time newest-wins compares', () => {
    const snapshots = [
      snapshot('processes.running', T0),
      snapshot('ucx.acd', T0 - 1000),
      snapshot('software.os', T0 - 5000),
      snapshot('software.hotfixes', T0 - 6000),
    ];

    const items = snapshotItemsOf({ state, snapshots });

    expect(items.map((item) => item['sk'])).toEqual([INVENTORY_SNAPSHOT_SK, COUNTERS_SNAPSHOT_SK]);
    const counters = items.find((item) => item['sk'] === COUNTERS_SNAPSHOT_SK)!;
    expect(Object.keys(decodeSnapshotGroup(counters['snapshots'] as Uint8Array)).sort()).toEqual([
      'processes.running',
      'ucx.acd',
    ]);
    expect(counters.at).toBe(T0);
    const inventory = items.find((item) => item['sk'] === INVENTORY_SNAPSHOT_SK)!;
    expect(inventory.at).toBe(T0 - 5000);
    expect(decodeSnapshotGroup(inventory['snapshots'] as Uint8Array)['software.os']).toEqual({
      beatId: `software.os-${T0 - 5000}`,
      collectedAt: new Date(T0 - 5000).toISOString(),
      data: { at: T0 - 5000 },
    });
  });

  it('keeps the stored inventory of types this batch lacks (an inventory change comes alone)', () => {
    const previous = { ...state, newest: { 'software.os': T0 - 86_400_000, 'software.hotfixes': T0 - 86_400_000 } };
    const snapshots = [snapshot('software.hotfixes', T0)];
    const stored = { 'software.os': { beatId: 'os', collectedAt: new Date(T0 - 86_400_000).toISOString(), data: 1 } };

    const missing = inventoryToMerge({ snapshots, previous });
    const items = snapshotItemsOf({ state, snapshots }, undefined, stored);

    expect(missing).toEqual(['software.os']);
    expect(inventoryToMerge({ snapshots: [snapshot('processes.running', T0)], previous })).toEqual([]);
    expect(Object.keys(decodeSnapshotGroup(items[0]!['snapshots'] as Uint8Array)).sort()).toEqual([
      'software.hotfixes',
      'software.os',
    ]);
    expect(items[0]!.at).toBe(T0);
  });

  it('keeps the stored counters of types this batch lacks, and reads them only then', () => {
    const previous = {
      ...state,
      newest: { 'processes.running': T0 - 900_000, 'ucx.acd': T0 - 900_000, 'software.os': T0 },
    };
    const snapshots = [snapshot('processes.running', T0)];
    const stored = { 'ucx.acd': { beatId: 'old', collectedAt: new Date(T0 - 900_000).toISOString(), data: 1 } };

    const missing = countersToMerge({ snapshots, previous });
    const items = snapshotItemsOf({ state, snapshots }, stored);

    expect(missing).toEqual(['ucx.acd']);
    expect(countersToMerge({ snapshots: [snapshot('software.os', T0)], previous })).toEqual([]);
    expect(decodeSnapshotGroup(items[0]!['snapshots'] as Uint8Array)['ucx.acd']).toEqual(stored['ucx.acd']);
  });

  it('keys gsi1 on the last beat down to 3 hours, and keeps the exact time in beatAt, which no index projects', () => {
    const at = Date.parse('2026-11-02T10:47:12.345Z');

    const { state: item } = stateItemsOf(
      { state: { ...state, lastBeatAt: at, snapshotsAt: at - 60_000 }, expectedVersion: 0, careLevel: 'gold' },
      undefined,
    );
    const read = stateOfItems(item, undefined);

    expect(item['gsi1sk']).toBe('2026-11-02T09:00:00.000Z');
    expect(item).not.toHaveProperty('lastBeatAt');
    expect(item['beatAt']).toBe(at);
    expect(supportTableGsi2Attributes).not.toContain('beatAt');
    expect(read.state.lastBeatAt).toBe(at);
    expect(read.state.snapshotsAt).toBe(at - 60_000);
  });

  it('moves gsi1 once in 3 hours of cycles, and leaves what gsi2 projects unchanged while no finding changes', () => {
    // Arrange: a STATE item every 15 minutes for 3 hours, from just past a step
    const start = Date.parse('2026-11-02T09:07:00.000Z');
    const itemAt = (at: number) =>
      stateItemsOf({ state: { ...state, lastBeatAt: at }, expectedVersion: 0, careLevel: 'gold' }, undefined).state;
    const projected = (item: Record<string, unknown>) =>
      JSON.stringify(supportTableGsi2Attributes.map((name) => item[name]));

    // Act
    const items = Array.from({ length: 13 }, (_, cycle) => itemAt(start + cycle * 900_000));

    // Assert
    expect(new Set(items.map((i) => i['gsi1sk']))).toEqual(
      new Set(['2026-11-02T09:00:00.000Z', '2026-11-02T12:00:00.000Z']),
    );
    expect(new Set(items.map(projected)).size).toBe(1);
  });

  it('reads the exact beat time of an item written before: beatAt over the hourly lastBeatAt, else lastBeatAt', () => {
    const at = Date.parse('2026-11-02T10:47:12.345Z');
    const { state: item } = stateItemsOf(
      { state: { ...state, lastBeatAt: at }, expectedVersion: 0, careLevel: 'gold' },
      undefined,
    );

    const hourly = stateOfItems({ ...item, lastBeatAt: Date.parse('2026-11-02T10:00:00.000Z') }, undefined);
    const { beatAt: _beatAt, ...withoutBeatAt } = item as Record<string, unknown>;
    const exact = stateOfItems({ ...withoutBeatAt, lastBeatAt: at }, undefined);

    expect(hourly.state.lastBeatAt).toBe(at);
    expect(exact.state.lastBeatAt).toBe(at);
  });
});

describe('the support table TTL (docs/retention.md)', () => {
  const state = emptyState('inst_storeunit00000001', 'acc_storeunit00000001');
  const epochSecondsAfterDays = (ms: number, days: number) => Math.floor((ms + days * 86_400_000) / 1000);
  const finding = (change: Partial<FindingRecord>): FindingRecord =>
    ({
      findingId: 'f1',
      installationId: state.installationId,
      accountId: state.accountId,
      status: 'open',
      updatedAt: '2026-11-02T10:00:00.000Z',
      ...change,
    }) as FindingRecord;

  it('expires the rules state 90 days after its newest beat, each batch moving it on; nothing before a beat', () => {
    const at = Date.parse('2026-11-02T10:47:12.345Z');

    const first = stateItemsOf(
      { state: { ...state, lastBeatAt: at }, expectedVersion: 0, careLevel: 'gold' },
      undefined,
    );
    const later = stateItemsOf(
      { state: { ...state, lastBeatAt: at + 86_400_000 }, expectedVersion: 1, careLevel: 'gold' },
      undefined,
    );
    const beatless = stateItemsOf({ state, expectedVersion: 0, careLevel: 'gold' }, undefined);

    expect(first.state['ttl']).toBe(epochSecondsAfterDays(at, SILENT_SUPPORT_DATA_DAYS));
    expect(later.state['ttl']).toBe(epochSecondsAfterDays(at + 86_400_000, SILENT_SUPPORT_DATA_DAYS));
    expect(beatless.state['ttl']).toBeUndefined();
  });

  it('expires every snapshot 90 days after the beat it holds (inventory is resent daily, so a live one never does)', () => {
    const items = snapshotItemsOf({
      state,
      snapshots: [
        {
          installationId: state.installationId,
          accountId: state.accountId,
          type: 'processes.running',
          beatId: 'a',
          collectedAt: new Date(T0).toISOString(),
          data: {},
        },
        {
          installationId: state.installationId,
          accountId: state.accountId,
          type: 'software.os',
          beatId: 'b',
          collectedAt: new Date(T0 - 5000).toISOString(),
          data: {},
        },
      ],
    });

    expect(items.map((item) => [item['sk'], item['ttl']])).toEqual([
      [INVENTORY_SNAPSHOT_SK, epochSecondsAfterDays(T0 - 5000, SILENT_SUPPORT_DATA_DAYS)],
      [COUNTERS_SNAPSHOT_SK, epochSecondsAfterDays(T0, SILENT_SUPPORT_DATA_DAYS)],
    ]);
  });

  it('expires a finding 180 days after it was resolved, never while it is open', () => {
    const resolvedAt = '2026-11-03T08:00:00.000Z';

    const open = findingItemOf(finding({}));
    const resolved = findingItemOf(finding({ status: 'resolved', resolvedAt }));

    expect(open).not.toHaveProperty('ttl');
    expect(resolved['ttl']).toBe(epochSecondsAfterDays(Date.parse(resolvedAt), RESOLVED_FINDING_DAYS));
  });
});

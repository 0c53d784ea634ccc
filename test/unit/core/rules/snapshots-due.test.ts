import { COUNTER_SNAPSHOT_INTERVAL_MS, cycleShortened, snapshotsDue } from '#lambdas/core/rules/process-batch';
import type { SnapshotRecord } from '#lambdas/core/rules/ports';
import { careCycleSeconds, defaultCycleSeconds, minimumCycleSeconds } from '#lambdas/core/telemetry/cadence';
import type { BeatType } from '#lambdas/core/telemetry/catalogue';
import { licenceFacts } from '#test/support/rules-harness';

const T0 = Date.parse('2026-11-02T10:00:00.000Z');
const snapshot = (type: BeatType, at: number): SnapshotRecord => ({
  installationId: 'inst_snapdue000000001',
  accountId: 'acc_snapdue0000000001',
  type,
  beatId: `${type}-${at}`,
  collectedAt: new Date(at).toISOString(),
  data: {},
});
const typesOf = (due: { snapshots: SnapshotRecord[] }) => due.snapshots.map((s) => s.type).sort();

describe('snapshotsDue', () => {
  it('writes the counters when none were written, and records when', () => {
    // Arrange
    const newest = [snapshot('processes.running', T0 + 4 * 60_000 + 321), snapshot('ucx.acd', T0 + 4 * 60_000)];

    // Act
    const due = snapshotsDue(newest, undefined);

    // Assert
    expect(typesOf(due)).toEqual(['processes.running', 'ucx.acd']);
    expect(due.snapshotsAt).toBe(T0 + 4 * 60_000);
  });

  it('writes a counter again only 6 hours after the last one', () => {
    const writtenAt = T0;

    const before = snapshotsDue(
      [snapshot('processes.running', T0 + COUNTER_SNAPSHOT_INTERVAL_MS - 60_000 + 999)],
      writtenAt,
    );
    const after = snapshotsDue([snapshot('processes.running', T0 + COUNTER_SNAPSHOT_INTERVAL_MS)], writtenAt);

    expect(COUNTER_SNAPSHOT_INTERVAL_MS).toBe(6 * 3_600_000);
    expect(before).toEqual({ snapshots: [] });
    expect(typesOf(after)).toEqual(['processes.running']);
    expect(after.snapshotsAt).toBe(T0 + COUNTER_SNAPSHOT_INTERVAL_MS);
  });

  it('writes the counters at once with a finding raised, however recent the last ones', () => {
    const due = snapshotsDue([snapshot('processes.running', T0 + 15 * 60_000)], T0, true);

    expect(typesOf(due)).toEqual(['processes.running']);
    expect(due.snapshotsAt).toBe(T0 + 15 * 60_000);
  });

  it('always writes inventory, whenever it arrives', () => {
    const newest = [snapshot('software.os', T0 + 60_000), snapshot('processes.running', T0 + 60_000)];

    const due = snapshotsDue(newest, T0);

    expect(typesOf(due)).toEqual(['software.os']);
    expect(due.snapshotsAt).toBeUndefined();
  });
});

describe('cycleShortened (support investigating: the counters every batch)', () => {
  const gold = licenceFacts();
  const noCare = licenceFacts({ products: gold.products.map(({ care: _, ...p }) => p), careLevel: 'none' });

  it('holds while the licence tells a shorter cycle than its Care level gives', () => {
    expect(cycleShortened({ ...gold, telemetryIntervalSeconds: minimumCycleSeconds })).toBe(true);
    expect(cycleShortened({ ...noCare, telemetryIntervalSeconds: careCycleSeconds.gold })).toBe(true);
  });

  it('does not at the Care level’s own cycle, nor without the interval (facts from an older record)', () => {
    expect(cycleShortened({ ...gold, telemetryIntervalSeconds: careCycleSeconds.gold })).toBe(false);
    expect(cycleShortened({ ...noCare, telemetryIntervalSeconds: defaultCycleSeconds })).toBe(false);
    expect(cycleShortened(gold)).toBe(false);
  });
});

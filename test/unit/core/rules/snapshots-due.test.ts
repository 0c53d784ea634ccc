import { COUNTER_SNAPSHOT_INTERVAL_MS, snapshotsDue } from '#lambdas/core/rules/process-batch';
import type { SnapshotRecord } from '#lambdas/core/rules/ports';
import type { BeatType } from '#lambdas/core/telemetry/catalogue';

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

  it('writes a counter again only 15 minutes after the last one', () => {
    const writtenAt = T0;

    const after14 = snapshotsDue([snapshot('processes.running', T0 + 14 * 60_000 + 999)], writtenAt);
    const after15 = snapshotsDue([snapshot('processes.running', T0 + COUNTER_SNAPSHOT_INTERVAL_MS)], writtenAt);

    expect(after14).toEqual({ snapshots: [] });
    expect(typesOf(after15)).toEqual(['processes.running']);
    expect(after15.snapshotsAt).toBe(T0 + COUNTER_SNAPSHOT_INTERVAL_MS);
  });

  it('always writes inventory, whenever it arrives', () => {
    const newest = [snapshot('software.os', T0 + 60_000), snapshot('processes.running', T0 + 60_000)];

    const due = snapshotsDue(newest, T0);

    expect(typesOf(due)).toEqual(['software.os']);
    expect(due.snapshotsAt).toBeUndefined();
  });
});

import type { ArchiveHour } from '#lambdas/core/telemetry/archive-tables';
import {
  compactArchive,
  CompactionCountMismatch,
  compactionWindow,
  hourLabel,
  planCompaction,
  type ArchiveCompactionStore,
} from '#lambdas/core/telemetry/compact-archive';

const settings = { region: 'eu', rawDays: 7, maxHoursPerRun: 24 };
const h = (dt: string, hour: string, region = 'eu'): ArchiveHour => ({ region, dt, hour });
const at = (iso: string) => new Date(iso);

/** An archive in memory: raw rows per hour, runs and manifests, and a hook to lose rows on write. */
class MemoryCompactionStore implements ArchiveCompactionStore {
  raw = new Map<string, { rows: number; lastWrittenAt: Date }>();
  runs = new Map<string, number>();
  manifests = new Map<string, { runId: string; at: Date }>();
  rowsLostOnWrite = 0;
  calls: string[] = [];
  constructor(private readonly clock: { now(): Date }) {}

  async rawHours(region: string, days: readonly string[]) {
    return [...this.raw.entries()]
      .map(([label, r]) => ({ hour: parse(label), lastWrittenAt: r.lastWrittenAt }))
      .filter((r) => r.hour.region === region && days.includes(r.hour.dt));
  }
  async compactedHours(region: string, days: readonly string[]) {
    return [...this.manifests.entries()]
      .map(([label, m]) => ({ hour: parse(label), compactedAt: m.at }))
      .filter((r) => r.hour.region === region && days.includes(r.hour.dt));
  }
  async countRawRows(hour: ArchiveHour) {
    return this.raw.get(hourLabel(hour))?.rows ?? 0;
  }
  async writeRun(hour: ArchiveHour, runId: string) {
    this.calls.push(`write ${hourLabel(hour)} ${runId}`);
    this.runs.set(`${hourLabel(hour)}|${runId}`, (this.raw.get(hourLabel(hour))?.rows ?? 0) - this.rowsLostOnWrite);
  }
  async countRunRows(hour: ArchiveHour, runId: string) {
    return this.runs.get(`${hourLabel(hour)}|${runId}`) ?? 0;
  }
  async publishRun(hour: ArchiveHour, runId: string) {
    const previous = this.manifests.get(hourLabel(hour));
    this.manifests.set(hourLabel(hour), { runId, at: this.clock.now() });
    if (previous) this.runs.delete(`${hourLabel(hour)}|${previous.runId}`);
  }
  async discardRun(hour: ArchiveHour, runId: string) {
    this.calls.push(`discard ${hourLabel(hour)} ${runId}`);
    this.runs.delete(`${hourLabel(hour)}|${runId}`);
  }
}
const parse = (label: string): ArchiveHour => {
  const [region, rest] = label.split('/') as [string, string];
  return { region, dt: rest.slice(0, 10), hour: rest.slice(11, 13) };
};

describe('compactionWindow', () => {
  it('ends at the newest hour closed for the settle time and starts a day inside the raw retention', () => {
    // Act
    const window = compactionWindow(at('2026-12-08T03:14:00Z'), settings);

    // Assert: 02:00-03:00 ended 14 minutes ago, not yet settled; 01:00-02:00 is the newest closed
    expect(new Date(window.to).toISOString()).toBe('2026-12-08T01:00:00.000Z');
    expect(new Date(window.from).toISOString()).toBe('2026-12-02T03:00:00.000Z');
    expect(window.days).toEqual([
      '2026-12-02',
      '2026-12-03',
      '2026-12-04',
      '2026-12-05',
      '2026-12-06',
      '2026-12-07',
      '2026-12-08',
    ]);
  });
});

describe('planCompaction', () => {
  const now = at('2026-12-08T03:15:00Z');
  const raw = (hour: ArchiveHour, lastWrittenAt: string) => ({ hour, lastWrittenAt: at(lastWrittenAt) });

  it('picks closed hours with raw objects and no Parquet, oldest first, within the window', () => {
    // Arrange
    const hours = [
      raw(h('2026-12-08', '02'), '2026-12-08T03:04:00Z'), // settled at 03:15: closed
      raw(h('2026-12-08', '00'), '2026-12-08T00:59:00Z'),
      raw(h('2026-12-01', '05'), '2026-12-01T05:59:00Z'), // raw may have expired in part
      raw(h('2026-12-08', '01', 'us'), '2026-12-08T01:59:00Z'), // the other region's
      raw(h('2026-12-07', '23'), '2026-12-07T23:59:00Z'),
    ];

    // Act
    const plan = planCompaction(now, settings, hours, [
      { hour: h('2026-12-07', '23'), compactedAt: at('2026-12-08T00:20:00Z') },
    ]);

    // Assert
    expect(plan.map(hourLabel)).toEqual(['eu/2026-12-08T00', 'eu/2026-12-08T02']);
  });

  it('compacts an hour again when a raw object was written after its Parquet', () => {
    // Act
    const plan = planCompaction(
      now,
      settings,
      [raw(h('2026-12-07', '23'), '2026-12-08T00:30:00Z')],
      [{ hour: h('2026-12-07', '23'), compactedAt: at('2026-12-08T00:20:00Z') }],
    );

    // Assert
    expect(plan.map(hourLabel)).toEqual(['eu/2026-12-07T23']);
  });

  it('takes at most maxHoursPerRun hours, the oldest', () => {
    // Arrange
    const hours = ['00', '01', '02'].map((hour) => raw(h('2026-12-08', hour), '2026-12-08T00:00:00Z'));

    // Act
    const plan = planCompaction(now, { ...settings, maxHoursPerRun: 2 }, hours, []);

    // Assert
    expect(plan.map((p) => p.hour)).toEqual(['00', '01']);
  });
});

describe('compactArchive', () => {
  it('publishes each planned hour once its Parquet holds every raw row, and leaves nothing to do after', async () => {
    // Arrange
    let now = at('2026-12-08T03:15:00Z');
    const clock = { now: () => now };
    const store = new MemoryCompactionStore(clock);
    store.raw.set('eu/2026-12-08T01', { rows: 40, lastWrittenAt: at('2026-12-08T02:04:00Z') });
    store.raw.set('eu/2026-12-08T02', { rows: 7, lastWrittenAt: at('2026-12-08T03:01:00Z') });

    // Act
    const first = await compactArchive({ store, clock }, settings);
    now = at('2026-12-08T04:15:00Z');
    const second = await compactArchive({ store, clock }, settings);

    // Assert
    expect(first.map((c) => [hourLabel(c.hour), c.outcome, c.rowsRead, c.rowsWritten])).toEqual([
      ['eu/2026-12-08T01', 'published', 40, 40],
      ['eu/2026-12-08T02', 'published', 7, 7],
    ]);
    expect(second).toEqual([]);
  });

  it('a re-run of an hour writes a fresh run and replaces the one in force', async () => {
    // Arrange
    const now = at('2026-12-08T03:15:00Z');
    const clock = { now: () => now };
    const store = new MemoryCompactionStore(clock);
    store.raw.set('eu/2026-12-08T01', { rows: 40, lastWrittenAt: at('2026-12-08T02:04:00Z') });
    const [first] = await compactArchive({ store, clock }, settings);

    // Act
    clock.now = () => at('2026-12-08T03:16:00Z');
    const [again] = await compactArchive({ store, clock }, settings, [h('2026-12-08', '01')]);

    // Assert
    expect(again!.runId).not.toBe(first!.runId);
    expect(store.manifests.get('eu/2026-12-08T01')?.runId).toBe(again!.runId);
    expect([...store.runs.keys()]).toEqual([`eu/2026-12-08T01|${again!.runId}`]);
  });

  it('publishes nothing for an hour whose Parquet lost a row, compacts the others, then fails the run', async () => {
    // Arrange
    const now = at('2026-12-08T03:15:00Z');
    const clock = { now: () => now };
    const store = new MemoryCompactionStore(clock);
    store.raw.set('eu/2026-12-08T01', { rows: 40, lastWrittenAt: at('2026-12-08T02:04:00Z') });
    store.rowsLostOnWrite = 1;

    // Act
    const run = compactArchive({ store, clock }, settings);

    // Assert
    await expect(run).rejects.toThrow(CompactionCountMismatch);
    await expect(run).rejects.toThrow('eu/2026-12-08T01 read 40, wrote 39');
    expect(store.manifests.size).toBe(0);
    expect(store.runs.size).toBe(0);
    expect(store.calls.at(-1)).toMatch(/^discard eu\/2026-12-08T01 /);
  });

  it('refuses an explicit hour that is not closed yet', async () => {
    // Arrange
    const clock = { now: () => at('2026-12-08T03:10:00Z') };
    const store = new MemoryCompactionStore(clock);

    // Act
    const run = compactArchive({ store, clock }, settings, [h('2026-12-08', '02')]);

    // Assert
    await expect(run).rejects.toThrow('not closed yet: eu/2026-12-08T02');
  });
});

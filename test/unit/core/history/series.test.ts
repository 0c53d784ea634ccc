import { describeSeries, minutePoints, seriesKeySchema, valuesOfBeat } from '#lambdas/core/history/series';
import type { Beat } from '#lambdas/core/telemetry/catalogue';
import { beatAt, T0 } from '#test/support/rules-harness';

const processes = (
  at: number,
  list: { name: string; cpuPercent: number; memoryBytes: number; handleCount: number }[],
) =>
  beatAt('processes.running', at, {
    processes: list.map((p, i) => ({ pid: 100 + i, threadCount: 10, ...p })),
  }).beat;

describe('the history series of a beat', () => {
  it('keeps the suite processes (and SQL Server) per name, pids summed, others dropped', () => {
    const values = valuesOfBeat(
      processes(T0, [
        { name: 'UCX.Server.exe', cpuPercent: 10, memoryBytes: 100, handleCount: 5 },
        { name: 'UCX.Server.exe', cpuPercent: 2.5, memoryBytes: 50, handleCount: 1 },
        { name: 'sqlservr.exe', cpuPercent: 7, memoryBytes: 1000, handleCount: 9 },
        { name: 'chrome.exe', cpuPercent: 50, memoryBytes: 1, handleCount: 1 },
      ]),
    );

    expect(Object.fromEntries(values)).toEqual({
      'process:UCX.Server.exe:cpuPercent': 12.5,
      'process:UCX.Server.exe:memoryBytes': 150,
      'process:UCX.Server.exe:handleCount': 6,
      'process:sqlservr.exe:cpuPercent': 7,
      'process:sqlservr.exe:memoryBytes': 1000,
      'process:sqlservr.exe:handleCount': 9,
    });
  });

  it('gives database size, calls per application, queues and connected consoles', () => {
    const beats: Beat[] = [
      beatAt('ucx.database', T0, { name: 'UCX', sizeBytes: 9_000 }).beat,
      beatAt('ucx.ivr', T0, { activeCalls: 4 }).beat,
      beatAt('ucx.call_recording', T0, { activeRecordings: 3 }).beat,
      beatAt('ucx.acd', T0, { fifoQueued: 2, campOnQueued: 1, activeConsultations: 5 }).beat,
      beatAt('ucx.digital_fax', T0, { transmitting: 1, receiving: 2 }).beat,
      beatAt('ucx.attendant_console', T0, {
        connected: [
          { type: 'web', count: 3 },
          { type: 'desktop', count: 4 },
        ],
      }).beat,
      beatAt('software.os', T0).beat,
    ];
    const all = Object.assign({}, ...beats.map((b) => Object.fromEntries(valuesOfBeat(b))));

    expect(all).toEqual({
      'database:UCX:sizeBytes': 9_000,
      'calls:ivr:active': 4,
      'calls:call-recording:active': 3,
      'calls:acd:active': 5,
      'queue:acd-fifo:length': 2,
      'queue:acd-camp-on:length': 1,
      'calls:digital-fax:active': 3,
      'consoles:connected': 7,
    });
    for (const key of Object.keys(all)) expect(seriesKeySchema.safeParse(key).success).toBe(true);
  });

  it('labels and units', () => {
    expect(describeSeries('process:UCX.Server.exe:memoryBytes')).toEqual({
      label: 'UCX.Server.exe memory',
      unit: 'bytes',
    });
    expect(describeSeries('process:UCX.Server.exe:cpuPercent').unit).toBe('percent');
    expect(describeSeries('database:UCX:sizeBytes')).toEqual({ label: 'Database UCX size', unit: 'bytes' });
    expect(describeSeries('consoles:connected').unit).toBe('count');
  });

  it('refuses keys that are not series', () => {
    for (const bad of [
      'cpu',
      'process:x:threads',
      'database::sizeBytes',
      'consoles:all',
      `process:${'x'.repeat(300)}:cpuPercent`,
    ])
      expect(seriesKeySchema.safeParse(bad).success).toBe(false);
  });
});

describe('minutePoints', () => {
  it('puts each beat at its minute, counts a re-sent beat (same id) once, aggregates a minute of two beats', () => {
    const a = beatAt('ucx.ivr', T0 + 5_000, { activeCalls: 2 }).beat;
    const b = beatAt('ucx.ivr', T0 + 40_000, { activeCalls: 6 }).beat;
    const c = beatAt('ucx.ivr', T0 + 61_000, { activeCalls: 3 }).beat;
    const points = minutePoints([a, b, a, c]).get('calls:ivr:active');

    expect(points).toEqual([
      { t: T0, avg: 4, min: 2, max: 6, n: 2 },
      { t: T0 + 60_000, avg: 3, min: 3, max: 3, n: 1 },
    ]);
  });
});

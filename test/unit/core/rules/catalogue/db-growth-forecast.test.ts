import { rule } from '#lambdas/core/rules/catalogue/db-growth-forecast';
import { beatAt, DAY, HOUR, runRule, T0 } from '#test/support/rules-harness';

const GIB = 1024 ** 3;
const express = (at: number, edition = 'Express Edition (64-bit)') =>
  beatAt('ucx.database_server', at, { edition, version: '16.0.1000.6' });
const db = (at: number, gib: number, name = 'UCX') =>
  beatAt('ucx.database', at, { name, sizeBytes: Math.round(gib * GIB) });
/** three beats 12 h apart growing 0.1 GiB a day, the last at `lastGib` */
const growing = (lastGib: number, name = 'UCX', from = T0) => [
  db(from, lastGib - 0.1, name),
  db(from + 12 * HOUR, lastGib - 0.05, name),
  db(from + 24 * HOUR, lastGib, name),
];

describe('db-growth-forecast', () => {
  it('warns when the 10 GB cap is reached within 30 days and stays quiet just beyond', () => {
    const within = runRule(rule, [express(T0), ...growing(7.05)]); // 2.95 GiB left at 0.1 GiB/day: 29.5 days
    const beyond = runRule(rule, [express(T0), ...growing(6.95)]); // 30.5 days

    expect(within.open()).toEqual([
      expect.objectContaining({
        subject: 'UCX',
        severity: 'warning',
        evidence: expect.objectContaining({ daysToCap: 29.5, points: 3 }),
      }),
    ]);
    expect(beyond.open()).toHaveLength(0);
  });

  it('never fires on too little data: two points, or three spanning less than 24 h', () => {
    const twoPoints = runRule(rule, [express(T0), db(T0, 5), db(T0 + 2 * DAY, 9.9)]);
    const shortSpan = runRule(rule, [express(T0), db(T0, 5), db(T0 + 6 * HOUR, 8), db(T0 + 12 * HOUR, 9.9)]);

    expect(twoPoints.changes()).toEqual([]);
    expect(shortSpan.changes()).toEqual([]);
  });

  it('fits sparse, irregular beats and opens on the first beat that makes enough data', () => {
    // 5 GiB growing 0.2 GiB a day, beats at irregular gaps
    const size = (t: number) => 5 + (0.2 * (t - T0)) / DAY;
    const times = [T0, T0 + 3 * HOUR, T0 + 41 * HOUR, T0 + 5 * DAY + 7 * HOUR];
    const run = runRule(rule, [express(T0), ...times.map((t) => db(t, size(t)))]);

    expect(run.steps.map((s) => s.changes.length)).toEqual([0, 0, 0, 1, 0]);
    expect(run.open()).toEqual([
      expect.objectContaining({
        severity: 'warning',
        evidence: expect.objectContaining({ growthBytesPerDay: Math.round(0.2 * GIB) }),
      }),
    ]);
  });

  it('ignores points older than its window', () => {
    // fast growth two weeks ago, flat since: the current growth is none
    const run = runRule(rule, [
      express(T0),
      db(T0, 2),
      db(T0 + DAY, 4),
      db(T0 + 20 * DAY, 6),
      db(T0 + 20.5 * DAY, 6),
      db(T0 + 21 * DAY, 6),
    ]);

    expect(run.changes()).toEqual([]);
  });

  it('resolves after two clear beats, not one, and judges only Express', () => {
    const run = runRule(rule, [
      express(T0),
      ...growing(8),
      express(T0 + 25 * HOUR, 'Standard Edition (64-bit)'),
      db(T0 + 26 * HOUR, 8.1),
      db(T0 + 27 * HOUR, 8.2),
    ]);

    expect(run.changes().map((c) => `${c.kind}:${c.severity}`)).toEqual(['opened:warning', 'resolved:warning']);
    expect(run.steps[5]!.changes).toEqual([]); // one clear beat is not enough (M = 2)
    expect(run.steps[6]!.changes).toEqual([expect.objectContaining({ kind: 'resolved', subject: 'UCX' })]);
  });

  it('resolves and forgets a database missing from 6 collection rounds while others are reported', () => {
    const rounds = (n: number) => Array.from({ length: n }, (_, i) => db(T0 + (25 + i) * HOUR, 1, 'Other'));
    const sixMissed = runRule(rule, [express(T0), ...growing(8), db(T0 + 24 * HOUR, 1, 'Other'), ...rounds(7)]);
    const run = runRule(rule, [express(T0), ...growing(8), db(T0 + 24 * HOUR, 1, 'Other'), ...rounds(8)]);

    expect(sixMissed.open()).toEqual([expect.objectContaining({ subject: 'UCX' })]); // one clear so far
    expect(sixMissed.state!.trackers['db-growth-forecast|UCX']).toEqual(expect.objectContaining({ clears: 1 }));
    expect(run.changes()).toEqual([
      expect.objectContaining({ kind: 'opened', subject: 'UCX' }),
      expect.objectContaining({ kind: 'resolved', subject: 'UCX' }),
    ]);
    expect(run.steps.at(-1)!.changes).toEqual([expect.objectContaining({ kind: 'resolved', subject: 'UCX' })]);
    expect(Object.keys(run.state!.memory['db-growth-forecast']!.series)).toEqual(['db:Other']);
  });

  it('does not drop a database when the whole installation was silent', () => {
    const back = [0, 1, 2].map((h) => db(T0 + 10 * DAY + h * HOUR, 1, 'Other'));
    const run = runRule(rule, [express(T0), ...growing(8), ...back]);

    expect(run.open()).toEqual([expect.objectContaining({ subject: 'UCX' })]);
    expect(run.state!.trackers['db-growth-forecast|UCX']).toEqual(expect.objectContaining({ clears: 0 }));
  });

  it('keeps its memory bounded however dense the beats', () => {
    const beats = Array.from({ length: 600 }, (_, i) => db(T0 + i * 10 * 60_000, 1 + i / 1000));
    const run = runRule(rule, [express(T0), ...beats]);

    const points = run.state!.memory['db-growth-forecast']!.series['db:UCX']!;
    expect(points.length).toBeLessThanOrEqual(72);
    expect(points.at(-1)!.t - points[0]!.t).toBeGreaterThanOrEqual(70 * HOUR);
  });

  it('takes per-account thresholds', () => {
    const run = runRule(rule, [express(T0), ...growing(6.95)], {
      overrides: { 'db-growth-forecast': { horizonDays: 60 } },
    });

    expect(run.open()).toEqual([expect.objectContaining({ severity: 'warning' })]);
  });
});

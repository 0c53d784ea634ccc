import { evaluateInstallation, sequenceAfter, type BatchBeat } from '#lambdas/core/rules/engine';
import { rule as expressCap } from '#lambdas/core/rules/catalogue/db-express-cap';
import { rule as handleLeak } from '#lambdas/core/rules/catalogue/process-handle-leak';
import type { Rule } from '#lambdas/core/rules/rule';
import { AT_NEWEST_IDS, type InstallationState } from '#lambdas/core/rules/state';
import { beatAt, HOUR, licenceFacts, T0 } from '#test/support/rules-harness';

const GIB = 1024 ** 3;
/** the rules run after the beats they evaluate were collected: beats dated past now (and its clock skew) are skipped */
const EVALUATED_AT = T0 + 24 * HOUR;
const shard = 'shardId-000000000000';
const item = (beat: { beat: BatchBeat['beat'] }, sequenceNumber: string): BatchBeat => ({
  ...beat,
  shardId: shard,
  sequenceNumber,
});
const server = (at: number) => beatAt('ucx.database_server', at, { edition: 'Express Edition', version: '16.0.1' });
const db = (at: number, gib: number, name = 'UCX') => beatAt('ucx.database', at, { name, sizeBytes: gib * GIB });

/** Feeds batches one after the other, as the rules Lambda would, numbering the records in stream order. */
function stream(rules: readonly Rule[] = [expressCap]) {
  let state: InstallationState | undefined;
  let sequence = 0;
  return {
    batch(beats: readonly { beat: BatchBeat['beat'] }[], now = EVALUATED_AT) {
      const out = evaluateInstallation({
        state,
        rules,
        licence: licenceFacts(),
        beats: beats.map((b) => item(b, String(++sequence))),
        now,
      });
      state = out.state;
      return out;
    },
    get state() {
      return state!;
    },
  };
}
const hitsOf = (state: InstallationState, subject = 'UCX') => state.trackers[`db-express-cap|${subject}`]?.hits;

describe('evaluateInstallation', () => {
  it('opens a finding, notifies a Gold account, and gives a replayed batch the same result with no new change', () => {
    const batch = [item(server(T0), '1'), item(db(T0 + HOUR, 8.5), '2')];
    const licence = licenceFacts({ careLevel: 'gold' });

    const first = evaluateInstallation({
      state: undefined,
      rules: [expressCap],
      licence,
      beats: batch,
      now: T0 + HOUR,
    });
    const replay = evaluateInstallation({
      state: first.state,
      rules: [expressCap],
      licence,
      beats: batch,
      now: T0 + HOUR,
    });

    expect(first.findings).toEqual([
      expect.objectContaining({ ruleId: 'db-express-cap', severity: 'warning', status: 'open', audience: 'proactive' }),
    ]);
    expect(first.notifications).toEqual([expect.objectContaining({ kind: 'opened', eventId: expect.any(String) })]);
    expect(replay.evaluated).toBe(0);
    expect(replay.skipped).toBe(2);
    expect(replay.findings).toEqual([]);
    expect(replay.state.trackers).toEqual(first.state.trackers);
  });

  it('opens the same finding id when the batch is evaluated again from the old state (a crash before the write)', () => {
    const batch = [item(server(T0), '1'), item(db(T0 + HOUR, 9.5), '2')];

    const a = evaluateInstallation({
      state: undefined,
      rules: [expressCap],
      licence: licenceFacts(),
      beats: batch,
      now: EVALUATED_AT,
    });
    const b = evaluateInstallation({
      state: undefined,
      rules: [expressCap],
      licence: licenceFacts(),
      beats: batch,
      now: EVALUATED_AT,
    });

    expect(b.findings.map((f) => f.findingId)).toEqual(a.findings.map((f) => f.findingId));
    expect(b.notifications.map((n) => n.eventId)).toEqual(a.notifications.map((n) => n.eventId));
  });

  it('evaluates a beat re-sent under a new sequence number once', () => {
    const beat = db(T0 + HOUR, 8.5);
    const first = evaluateInstallation({
      state: undefined,
      rules: [expressCap],
      licence: licenceFacts(),
      beats: [item(server(T0), '1'), item(beat, '2')],
      now: EVALUATED_AT,
    });

    const again = evaluateInstallation({
      state: first.state,
      rules: [expressCap],
      licence: licenceFacts(),
      beats: [item(beat, '9')],
      now: EVALUATED_AT,
    });

    expect(again.evaluated).toBe(0);
    expect(again.skipped).toBe(1);
  });

  it('stores a Basic account’s findings for support and a Care-less account’s for the customer, notifying neither', () => {
    const batch = [item(server(T0), '1'), item(db(T0 + HOUR, 9.5), '2')];

    const basic = evaluateInstallation({
      state: undefined,
      rules: [expressCap],
      licence: licenceFacts({ careLevel: 'basic' }),
      beats: batch,
      now: EVALUATED_AT,
    });
    const none = evaluateInstallation({
      state: undefined,
      rules: [expressCap],
      licence: licenceFacts({ careLevel: 'none' }),
      beats: batch,
      now: EVALUATED_AT,
    });

    expect(basic.findings[0]).toMatchObject({ audience: 'support', severity: 'critical' });
    expect(none.findings[0]).toMatchObject({ audience: 'customer' });
    expect(basic.notifications).toEqual([]);
    expect(none.notifications).toEqual([]);
  });

  it('lets late beats update history but not reopen or resolve findings', () => {
    const opened = evaluateInstallation({
      state: undefined,
      rules: [expressCap],
      licence: licenceFacts(),
      beats: [item(server(T0), '1'), item(db(T0 + 5 * HOUR, 9.5), '2')],
      now: EVALUATED_AT,
    });

    const late = evaluateInstallation({
      state: opened.state,
      rules: [expressCap],
      licence: licenceFacts(),
      beats: [item(db(T0 + 2 * HOUR, 1), '3'), item(db(T0 + 3 * HOUR, 1), '4')],
      now: EVALUATED_AT,
    });

    expect(late.evaluated).toBe(2);
    expect(late.findings).toEqual([]);
    expect(Object.values(late.state.trackers)[0]).toMatchObject({
      open: expect.objectContaining({ severity: 'critical' }),
    });
  });

  it('keeps the beat ids remembered at the newest instant bounded, and evaluates every beat', () => {
    const beats = Array.from({ length: AT_NEWEST_IDS + 50 }, (_, n) => item(db(T0, 1), String(n + 1)));

    const out = evaluateInstallation({
      state: undefined,
      rules: [expressCap],
      licence: licenceFacts(),
      beats,
      now: EVALUATED_AT,
    });

    expect(out.evaluated).toBe(AT_NEWEST_IDS + 50);
    expect(out.state.atNewest['ucx.database']).toHaveLength(AT_NEWEST_IDS);
  });

  it('compares Kinesis sequence numbers as numbers', () => {
    expect(sequenceAfter('100', '99')).toBe(true);
    expect(sequenceAfter('99', '100')).toBe(false);
    expect(
      sequenceAfter(
        '49590338271490256608559692538361571095921575989136588898',
        '49590338271490256608559692538361571095921575989136588897',
      ),
    ).toBe(true);
    expect(sequenceAfter('5', undefined)).toBe(true);
  });
});

describe("the watermark: each type's newest beat, and the beats evaluated at that instant", () => {
  it('skips a re-send of the newest beat and evaluates older re-sent or late beats without counting a hit', () => {
    // Arrange: two beats evaluated, then a live one; the agent then replays its spool (two of the
    // beats again, with the same ids, and two it never got to send), then re-sends the live one
    const rules = stream();
    const first = db(T0 + HOUR, 9.5);
    const second = db(T0 + 2 * HOUR, 9.5);
    const live = db(T0 + 5 * HOUR, 9.5);
    rules.batch([server(T0), first, second]);
    rules.batch([live]);
    const hitsBefore = hitsOf(rules.state);

    // Act
    const spool = rules.batch([first, second, db(T0 + 3 * HOUR, 9.5), db(T0 + 4 * HOUR, 9.5)]);
    const resent = rules.batch([live]);
    const next = rules.batch([db(T0 + 6 * HOUR, 9.5)]);

    // Assert
    expect(hitsBefore).toBe(3);
    expect(spool).toMatchObject({ evaluated: 4, skipped: 0, findings: [] });
    expect(hitsOf(rules.state)).toBe(4);
    expect(resent).toMatchObject({ evaluated: 0, skipped: 1, findings: [] });
    expect(next.evaluated).toBe(1);
    expect(rules.state.newest['ucx.database']).toBe(T0 + 6 * HOUR);
  });

  it('evaluates another beat of the newest instant that comes in a later batch (one beat per database), once', () => {
    const rules = stream();
    const main = db(T0 + HOUR, 9.5, 'UCX');
    const archive = db(T0 + HOUR, 9.5, 'Archive');
    rules.batch([server(T0), main]);

    const later = rules.batch([main, archive]);
    const again = rules.batch([archive, main]);

    expect(later).toMatchObject({ evaluated: 1, skipped: 1 });
    expect(later.findings).toEqual([expect.objectContaining({ subject: 'Archive', status: 'open' })]);
    expect(again).toMatchObject({ evaluated: 0, skipped: 2 });
    expect(rules.state.atNewest['ucx.database']).toHaveLength(2);
  });

  it('leaves a retried stream batch to the shard checkpoint: nothing is evaluated twice', () => {
    const batch = [item(server(T0), '7'), item(db(T0 + HOUR, 9.5), '8'), item(db(T0 + 2 * HOUR, 1), '9')];
    const first = evaluateInstallation({
      state: undefined,
      rules: [expressCap],
      licence: licenceFacts(),
      beats: batch,
      now: EVALUATED_AT,
    });

    const retried = evaluateInstallation({
      state: first.state,
      rules: [expressCap],
      licence: licenceFacts(),
      beats: batch,
      now: EVALUATED_AT,
    });

    expect(retried).toMatchObject({ evaluated: 0, skipped: 3, findings: [] });
    expect(retried.state).toEqual(first.state);
  });

  it('does not show a late beat to a rule that keeps only the latest facts', () => {
    const rules = stream();
    rules.batch([server(T0 + 2 * HOUR), db(T0 + 3 * HOUR, 9.5)]);

    rules.batch([beatAt('ucx.database_server', T0 + HOUR, { edition: 'Standard Edition', version: '16.0.1' })]);
    const next = rules.batch([db(T0 + 4 * HOUR, 9.5)]);

    expect(rules.state.memory['db-express-cap']!.facts['server']).toEqual({
      edition: 'Express Edition',
      version: '16.0.1',
    });
    expect(next.findings).toEqual([]);
    expect(hitsOf(rules.state)).toBe(2);
  });

  it('lets a rule that merges late beats put a late point into its series in time order', () => {
    const proc = (hours: number, handleCount: number) =>
      beatAt('processes.running', T0 + hours * HOUR, {
        processes: [{ pid: 100, name: 'UCX.Core.exe', memoryBytes: 1, handleCount, threadCount: 1, cpuPercent: 1 }],
      });
    const rules = stream([handleLeak]);
    rules.batch([proc(0, 1000), proc(1, 1100), proc(2, 1200), proc(4, 1400)]);

    const late = rules.batch([proc(3, 1300)]);
    const sixth = rules.batch([proc(5, 1500)]);

    expect(late).toMatchObject({ evaluated: 1, findings: [] });
    expect(sixth.findings).toEqual([expect.objectContaining({ subject: 'UCX.Core.exe', status: 'open' })]);
    expect(rules.state.memory['process-handle-leak']!.series['s:UCX.Core.exe']!.map((p) => p.v)).toEqual([
      1000, 1100, 1200, 1300, 1400, 1500,
    ]);
  });

  it('skips, once, the beats a state of the old shape remembered by their id prefix', () => {
    const beat = db(T0 + HOUR, 9.5);
    const old = evaluateInstallation({
      state: undefined,
      rules: [expressCap],
      licence: licenceFacts(),
      beats: [item(server(T0), '1'), item(beat, '2')],
      now: EVALUATED_AT,
    }).state;
    const { atNewest: _atNewest, ...withoutWatermarkIds } = old;
    const legacy = { ...withoutWatermarkIds, atNewest: {}, legacyBeatIdPrefixes: [beat.beat.id.slice(0, 16)] };

    const out = evaluateInstallation({
      state: legacy,
      rules: [expressCap],
      licence: licenceFacts(),
      beats: [item(beat, '3')],
      now: EVALUATED_AT,
    });

    expect(out).toMatchObject({ evaluated: 0, skipped: 1 });
    expect(out.state.legacyBeatIdPrefixes).toBeUndefined();
  });
});

describe('finding lifecycle', () => {
  it('reopens a relapse within six hours quietly, under the same finding id', () => {
    const licence = licenceFacts({ careLevel: 'platinum' });
    let state: ReturnType<typeof evaluateInstallation>['state'] | undefined;
    const step = (at: number, gib: number, seq: string) => {
      const out = evaluateInstallation({
        state,
        rules: [expressCap],
        licence,
        beats: [item(db(at, gib), seq)],
        now: at,
      });
      state = out.state;
      return out;
    };
    state = evaluateInstallation({
      state: undefined,
      rules: [expressCap],
      licence,
      beats: [item(server(T0), '1')],
      now: EVALUATED_AT,
    }).state;

    const opened = step(T0 + HOUR, 9, '2');
    step(T0 + 2 * HOUR, 1, '3');
    const resolved = step(T0 + 3 * HOUR, 1, '4');
    const relapse = step(T0 + 4 * HOUR, 9, '5');

    expect(resolved.findings[0]).toMatchObject({ status: 'resolved' });
    expect(relapse.findings[0]).toMatchObject({ status: 'open', findingId: opened.findings[0]!.findingId });
    expect(relapse.findings[0]!.history.map((h) => h.event)).toEqual(['opened', 'resolved', 'reopened']);
    expect(relapse.notifications).toEqual([]);
  });
});

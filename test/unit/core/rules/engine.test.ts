import { evaluateInstallation, sequenceAfter, type BatchBeat } from '../../../../lambdas/core/rules/engine';
import { rule as expressCap } from '../../../../lambdas/core/rules/catalogue/db-express-cap';
import { RECENT_BEAT_IDS } from '../../../../lambdas/core/rules/state';
import { beatAt, HOUR, licenceFacts, T0 } from '../../../support/rules-harness';

const GIB = 1024 ** 3;
const shard = 'shardId-000000000000';
const item = (beat: { beat: BatchBeat['beat'] }, sequenceNumber: string): BatchBeat => ({
  ...beat,
  shardId: shard,
  sequenceNumber,
});
const server = (at: number) => beatAt('ucx.database_server', at, { edition: 'Express Edition', version: '16.0.1' });
const db = (at: number, gib: number) => beatAt('ucx.database', at, { name: 'UCX', sizeBytes: gib * GIB });

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
      now: T0,
    });
    const b = evaluateInstallation({
      state: undefined,
      rules: [expressCap],
      licence: licenceFacts(),
      beats: batch,
      now: T0,
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
      now: T0,
    });

    const again = evaluateInstallation({
      state: first.state,
      rules: [expressCap],
      licence: licenceFacts(),
      beats: [item(beat, '9')],
      now: T0,
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
      now: T0,
    });
    const none = evaluateInstallation({
      state: undefined,
      rules: [expressCap],
      licence: licenceFacts({ careLevel: 'none' }),
      beats: batch,
      now: T0,
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
      now: T0,
    });

    const late = evaluateInstallation({
      state: opened.state,
      rules: [expressCap],
      licence: licenceFacts(),
      beats: [item(db(T0 + 2 * HOUR, 1), '3'), item(db(T0 + 3 * HOUR, 1), '4')],
      now: T0,
    });

    expect(late.evaluated).toBe(2);
    expect(late.findings).toEqual([]);
    expect(Object.values(late.state.trackers)[0]).toMatchObject({
      open: expect.objectContaining({ severity: 'critical' }),
    });
  });

  it('keeps the recent beat ids bounded', () => {
    const beats = Array.from({ length: RECENT_BEAT_IDS + 50 }, (_, n) => item(db(T0 + n * 1000, 1), String(n + 1)));

    const out = evaluateInstallation({
      state: undefined,
      rules: [expressCap],
      licence: licenceFacts(),
      beats,
      now: T0,
    });

    expect(out.state.recentBeatIds).toHaveLength(RECENT_BEAT_IDS);
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
      now: T0,
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

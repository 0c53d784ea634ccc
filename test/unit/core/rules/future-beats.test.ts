/**
 * Issue 17, finding 3, in depth: whatever reaches the rules, a beat dated past the evaluation time
 * (beyond the clock skew ingest allows) never becomes its type's newest nor the installation's last
 * beat, so real beats after it are not taken for late ones and the silence rule still sees silence.
 */
import { rule as expressCap } from '#lambdas/core/rules/catalogue/db-express-cap';
import { rule as telemetrySilent } from '#lambdas/core/rules/catalogue/telemetry-silent';
import { evaluateInstallation, type BatchBeat } from '#lambdas/core/rules/engine';
import type { InstallationState } from '#lambdas/core/rules/state';
import { MAX_AHEAD_MS } from '#lambdas/core/telemetry/collected-window';
import { beatAt, HOUR, licenceFacts, T0 } from '#test/support/rules-harness';

const GIB = 1024 ** 3;
const YEAR_2035 = Date.parse('2035-01-01T00:00:00.000Z');
const licence = licenceFacts();
const server = (at: number) => beatAt('ucx.database_server', at, { edition: 'Express Edition', version: '16.0.1' });
const db = (at: number, gib: number) => beatAt('ucx.database', at, { name: 'UCX', sizeBytes: gib * GIB });

let sequence = 100;
function batch(state: InstallationState | undefined, now: number, ...beats: { beat: BatchBeat['beat'] }[]) {
  return evaluateInstallation({
    state,
    rules: [expressCap, telemetrySilent],
    licence,
    beats: beats.map((b) => ({ ...b, shardId: 'shardId-000000000000', sequenceNumber: String(sequence++) })),
    now,
  });
}

describe('a beat from the future at the rules', () => {
  it('is skipped: it moves no watermark and no last beat time, and the real beats after it count', () => {
    // Arrange
    const first = batch(undefined, T0, server(T0), db(T0, 1));

    // Act: a beat dated 2035 arrives, then real beats near the cap
    const future = batch(first.state, T0 + HOUR, db(YEAR_2035, 9.9));
    const real = batch(future.state, T0 + 2 * HOUR, db(T0 + 2 * HOUR, 9.6), db(T0 + 2 * HOUR + 60_000, 9.7));

    // Assert
    expect(future).toMatchObject({ evaluated: 0, skipped: 1 });
    expect(future.state.newest['ucx.database']).toBe(T0);
    expect(future.state.lastBeatAt).toBe(T0);
    expect(real.evaluated).toBe(2);
    expect(real.state.newest['ucx.database']).toBe(T0 + 2 * HOUR + 60_000);
    expect(real.findings.map((f) => f.ruleId)).toContain('db-express-cap');
  });

  it('is evaluated when dated within the allowed clock skew ahead of now', () => {
    // Act
    const out = batch(undefined, T0, db(T0 + MAX_AHEAD_MS, 1));

    // Assert
    expect(out.evaluated).toBe(1);
    expect(out.state.newest['ucx.database']).toBe(T0 + MAX_AHEAD_MS);
  });

  it('no longer hides silence once a state holds a future last beat (written before this check)', () => {
    // Arrange: a state an earlier version wrote after a 2035 beat
    const first = batch(undefined, T0, db(T0, 1));
    const polluted: InstallationState = {
      ...first.state,
      lastBeatAt: YEAR_2035,
      newest: { ...first.state.newest, 'ucx.database': YEAR_2035 },
    };

    // Act: a real beat, then 4 hours of silence
    const real = batch(polluted, T0 + HOUR, db(T0 + HOUR, 1));
    const tick = batch(real.state, T0 + 5 * HOUR);

    // Assert
    expect(real.evaluated).toBe(1);
    expect(real.state.newest['ucx.database']).toBe(T0 + HOUR);
    expect(real.state.lastBeatAt).toBe(T0 + HOUR);
    expect(tick.findings.map((f) => [f.ruleId, f.severity])).toContainEqual(['telemetry-silent', 'warning']);
  });
});

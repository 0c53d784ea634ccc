/**
 * Issue 17, finding 3: ingest refuses a beat dated more than a few minutes after its arrival or
 * older than the rules and the raw archive can use, each with its own reason, and takes the rest
 * of the batch.
 */
import { ValidationError } from '#lambdas/core/errors';
import type { Installation } from '#lambdas/core/licensing/model';
import { collectedAtError, MAX_AGE_MS, MAX_AHEAD_MS } from '#lambdas/core/telemetry/collected-window';
import { ingestTelemetry } from '#lambdas/core/telemetry/ingest-telemetry';
import type { StreamRecord } from '#lambdas/core/telemetry/ports';
import { decodeStreamRecord } from '#lambdas/core/telemetry/stream-record';
import { FixedClock, T0 } from '#test/support/licensing-fixtures';
import { validBeat } from '#test/support/telemetry-fixtures';

const installation = {
  installationId: 'inst_abc12345',
  accountId: 'acc_abc12345',
  region: 'eu',
  telemetryEnabled: true,
  status: 'active',
} as Installation;
const settings = { region: 'eu' as const, endpoints: { eu: 'https://eu.example', us: 'https://us.example' } };
const MINUTE = 60_000;

function ingestAt(arrival: Date, beats: unknown[]) {
  const delivered: StreamRecord[] = [];
  const stream = {
    put: async (records: readonly StreamRecord[]) => {
      delivered.push(...records);
      return { failed: [] };
    },
  };
  const result = ingestTelemetry({ stream, clock: new FixedClock(arrival) }, settings, installation, { beats });
  return { result, streamed: () => delivered.flatMap((r) => decodeStreamRecord(r.data).beats.map((b) => b.beat_id)) };
}

const beat = (id: string, collectedAt: number) => ({
  ...validBeat('ucx.ivr', id),
  collectedAt: new Date(collectedAt).toISOString(),
});

describe('the collectedAt window of ingest', () => {
  it('refuses a beat from the future and one too old, each with a reason at collectedAt, and streams the rest', async () => {
    // Arrange
    const arrival = T0.getTime();
    const now = beat('00000000-0000-4000-8000-000000000001', arrival);
    const ahead = beat('00000000-0000-4000-8000-000000000002', arrival + 10 * MINUTE);
    const year2035 = beat('00000000-0000-4000-8000-000000000003', Date.parse('2035-01-01T00:00:00Z'));
    const old = beat('00000000-0000-4000-8000-000000000004', arrival - MAX_AGE_MS - MINUTE);
    const edge = beat('00000000-0000-4000-8000-000000000005', arrival + MAX_AHEAD_MS);

    // Act
    const { result, streamed } = ingestAt(T0, [now, ahead, year2035, old, edge]);
    const out = await result;

    // Assert
    expect(out.accepted).toBe(2);
    expect(streamed()).toEqual([now.id, edge.id]);
    expect(out.rejected).toEqual([
      { beatId: ahead.id, errors: [{ path: 'collectedAt', message: expect.stringMatching(/10 min ahead.*clock/) }] },
      { beatId: year2035.id, errors: [{ path: 'collectedAt', message: expect.stringContaining('ahead') }] },
      {
        beatId: old.id,
        errors: [{ path: 'collectedAt', message: expect.stringContaining('more than 7 days before') }],
      },
    ]);
  });

  it('answers a batch of future beats only with a 400 naming each beat', async () => {
    // Arrange
    const arrival = T0.getTime();
    const beats = [
      beat('00000000-0000-4000-8000-000000000011', arrival + 6 * MINUTE),
      beat('00000000-0000-4000-8000-000000000012', arrival + 60 * MINUTE),
    ];

    // Act
    const attempt = ingestAt(T0, beats).result;

    // Assert
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({
      errors: [
        { path: 'beats.0.collectedAt', message: expect.any(String) },
        { path: 'beats.1.collectedAt', message: expect.any(String) },
      ],
    });
  });

  it.each([
    ['exactly at the arrival', 0, false],
    ['5 minutes ahead', MAX_AHEAD_MS, false],
    ['a millisecond past 5 minutes ahead', MAX_AHEAD_MS + 1, true],
    ['exactly 7 days old', -MAX_AGE_MS, false],
    ['a millisecond older than 7 days', -MAX_AGE_MS - 1, true],
  ])('judges a beat %s', (_case, offset, refused) => {
    // Act
    const error = collectedAtError(new Date(T0.getTime() + offset).toISOString(), T0.getTime());

    // Assert
    expect(error !== undefined).toBe(refused);
  });
});

import {
  ForbiddenError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  ValidationError,
  WrongRegionError,
} from '../../../../lambdas/core/errors';
import type { Installation } from '../../../../lambdas/core/licensing/model';
import type { ArchiveRow } from '../../../../lambdas/core/telemetry/archive-row';
import { ingestTelemetry, type IngestDeps } from '../../../../lambdas/core/telemetry/ingest-telemetry';
import type { StreamRecord, TelemetryStream } from '../../../../lambdas/core/telemetry/ports';
import { FixedClock, T0 } from '../../../support/licensing-fixtures';
import { validBeat, validBeatOfEveryType } from '../../../support/telemetry-fixtures';

/** A stream that refuses the records whose index the script names, call by call. */
class ScriptedStream implements TelemetryStream {
  readonly delivered: StreamRecord[] = [];
  calls = 0;
  constructor(private readonly refusals: ((records: readonly StreamRecord[]) => number[])[] = []) {}
  async put(records: readonly StreamRecord[]) {
    const refuse = this.refusals[this.calls++]?.(records) ?? [];
    records.forEach((r, i) => {
      if (!refuse.includes(i)) this.delivered.push(r);
    });
    return { failed: refuse };
  }
  rows(): ArchiveRow[] {
    return this.delivered.map((r) => JSON.parse(Buffer.from(r.data).toString('utf8')) as ArchiveRow);
  }
}

const installation = (overrides: Partial<Installation> = {}) =>
  ({
    installationId: 'inst_abc12345',
    accountId: 'acc_abc12345',
    region: 'eu',
    telemetryEnabled: true,
    ...overrides,
  }) as Installation;
const settings = {
  region: 'eu' as const,
  endpoints: { eu: 'https://eu.example', us: 'https://us.example' },
  retryDelaysMs: [0, 0, 0],
};
const depsWith = (stream: TelemetryStream): IngestDeps => ({
  stream,
  clock: new FixedClock(T0),
  sleep: async () => {},
});

describe('ingestTelemetry', () => {
  it('puts one record per beat, partitioned by installation, with sanitized data as JSON text', async () => {
    const stream = new ScriptedStream();
    const beats = validBeatOfEveryType();

    const result = await ingestTelemetry(depsWith(stream), settings, installation(), { beats });

    expect(result).toMatchObject({ accepted: 25, duplicates: 0, rejected: [] });
    expect(stream.delivered.every((r) => r.partitionKey === 'inst_abc12345')).toBe(true);
    const rows = stream.rows();
    expect(rows.map((r) => r.type).sort()).toEqual(beats.map((b) => b.type).sort());
    expect(rows[0]).toMatchObject({
      installation_id: 'inst_abc12345',
      account_id: 'acc_abc12345',
      region: 'eu',
      catalogue: 'v1',
    });
    expect(JSON.parse(rows[0]!.data)).toEqual(beats.find((b) => b.id === rows[0]!.beat_id)!.data);
  });

  it('retries only the records the stream refused, and loses none', async () => {
    const stream = new ScriptedStream([() => [1, 3], () => [0], () => []]);
    const beats = validBeatOfEveryType().slice(0, 5);

    const result = await ingestTelemetry(depsWith(stream), settings, installation(), { beats });

    expect(result.accepted).toBe(5);
    expect(stream.calls).toBe(3);
    expect(
      stream
        .rows()
        .map((r) => r.beat_id)
        .sort(),
    ).toEqual(beats.map((b) => b.id).sort());
  });

  it('answers 503 when the stream keeps refusing, after bounded retries', async () => {
    const stream = new ScriptedStream(
      Array.from({ length: 10 }, () => (records: readonly StreamRecord[]) => records.map((_, i) => i)),
    );

    const attempt = ingestTelemetry(depsWith(stream), settings, installation(), { beats: [validBeat('ucx.ivr')] });

    await expect(attempt).rejects.toThrow(ServiceUnavailableError);
    expect(stream.calls).toBe(4);
  });

  it('judges each beat alone: rejected ones are reported with their paths, duplicates counted once', async () => {
    const stream = new ScriptedStream();
    const good = validBeat('ucx.ivr');
    const bad = { ...validBeat('ucx.acd'), data: { fifoQueued: -1, campOnQueued: 0, activeConsultations: 0 } };

    const result = await ingestTelemetry(depsWith(stream), settings, installation(), { beats: [good, good, bad] });

    expect(result.accepted).toBe(1);
    expect(result.duplicates).toBe(1);
    expect(result.rejected).toEqual([
      { beatId: bad.id, errors: [expect.objectContaining({ path: 'data.fifoQueued' })] },
    ]);
  });

  it('reports dropped unknown fields as redactions and never forwards them', async () => {
    const stream = new ScriptedStream();
    const beat = { ...validBeat('ucx.ivr'), data: { activeCalls: 3, callerNumber: '+390123' }, extra: true };

    const result = await ingestTelemetry(depsWith(stream), settings, installation(), { beats: [beat] });

    expect(result.redactions).toEqual(
      expect.arrayContaining([
        { beatId: beat.id, path: 'data.callerNumber', reason: 'unknown-field' },
        { beatId: beat.id, path: 'extra', reason: 'unknown-field' },
      ]),
    );
    expect(JSON.parse(stream.rows()[0]!.data)).toEqual({ activeCalls: 3 });
  });

  it('refuses a batch without any acceptable beat with 400 naming every path, writing nothing', async () => {
    const stream = new ScriptedStream();

    const attempt = ingestTelemetry(depsWith(stream), settings, installation(), {
      beats: [{ id: 'not-a-uuid', type: 'ucx.ivr', collectedAt: 'yesterday', data: {} }, { type: 'nope' }],
    });

    await expect(attempt).rejects.toThrow(ValidationError);
    const error = (await attempt.catch((e: ValidationError) => e)) as ValidationError;
    expect(error.errors.map((e) => e.path)).toEqual(
      expect.arrayContaining(['beats.0.id', 'beats.0.collectedAt', 'beats.1.type']),
    );
    expect(stream.calls).toBe(0);
  });

  it.each([
    ['no beats array', {}, ValidationError],
    ['an empty batch', { beats: [] }, ValidationError],
    ['501 beats', { beats: Array.from({ length: 501 }, () => validBeat('ucx.ivr')) }, PayloadTooLargeError],
  ])('refuses %s', async (_case, body, errorClass) => {
    const stream = new ScriptedStream();

    const attempt = ingestTelemetry(depsWith(stream), settings, installation(), body);

    await expect(attempt).rejects.toThrow(errorClass);
    expect(stream.calls).toBe(0);
  });

  it('refuses with 403 when the account switched telemetry off, and 421 outside the home region', async () => {
    const stream = new ScriptedStream();
    const body = { beats: [validBeat('ucx.ivr')] };

    const off = ingestTelemetry(depsWith(stream), settings, installation({ telemetryEnabled: false }), body);
    const elsewhere = ingestTelemetry(depsWith(stream), settings, installation({ region: 'us' }), body);

    await expect(off).rejects.toThrow(ForbiddenError);
    await expect(elsewhere).rejects.toThrow(WrongRegionError);
    expect(stream.calls).toBe(0);
  });
});

import { randomBytes } from 'node:crypto';
import {
  ForbiddenError,
  GoneError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  ValidationError,
  WrongRegionError,
} from '#lambdas/core/errors';
import type { Installation } from '#lambdas/core/licensing/model';
import { ingestTelemetry, type IngestDeps } from '#lambdas/core/telemetry/ingest-telemetry';
import type { StreamRecord, TelemetryStream } from '#lambdas/core/telemetry/ports';
import { decodeStreamRecord, type DecodedRecord } from '#lambdas/core/telemetry/stream-record';
import { FixedClock, T0 } from '#test/support/licensing-fixtures';
import { beatId, validBeat, validBeatOfEveryType } from '#test/support/telemetry-fixtures';

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
  decoded(): DecodedRecord[] {
    return this.delivered.map((r) => decodeStreamRecord(r.data));
  }
  beats() {
    return this.decoded().flatMap((r) => r.beats);
  }
}

const installation = (overrides: Partial<Installation> = {}) =>
  ({
    installationId: 'inst_abc12345',
    accountId: 'acc_abc12345',
    region: 'eu',
    telemetryEnabled: true,
    status: 'active',
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
  it('puts the whole batch as one record, partitioned by installation, sanitized data as objects', async () => {
    const stream = new ScriptedStream();
    const beats = validBeatOfEveryType();

    const result = await ingestTelemetry(depsWith(stream), settings, installation(), { beats });

    expect(result).toMatchObject({ accepted: 25, duplicates: 0, rejected: [] });
    expect(stream.delivered).toHaveLength(1);
    expect(stream.delivered[0]!.partitionKey).toBe('inst_abc12345');
    const [record] = stream.decoded();
    expect(record!.header).toEqual({
      installation_id: 'inst_abc12345',
      account_id: 'acc_abc12345',
      region: 'eu',
      received_at: T0.toISOString(),
      catalogue: 'v1',
    });
    expect(record!.beats).toEqual(
      beats.map((b) => ({ beat_id: b.id, type: b.type, collected_at: b.collectedAt, data: b.data })),
    );
  });

  it("puts the rules' licence facts in the record's header, with the licence's ETag (never in a beat)", async () => {
    // Arrange: the stored licence (only its payload is read)
    const products = [
      {
        product: 'ivr',
        capacity: 4,
        kind: 'perpetual',
        care: { level: 'gold', expiresAt: '2027-01-01T00:00:00.000Z' },
      },
    ];
    const payload = { products, telemetry: { enabled: true, intervalSeconds: 300 }, installationId: 'inst_abc12345' };
    const jws = `eyJhbGciOiJFUzI1NiJ9.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;
    const stream = new ScriptedStream();
    const withLicence = installation({ license: { jws } as Installation['license'], nodes: ['UCX-NODE-1'] });

    // Act
    await ingestTelemetry(depsWith(stream), settings, withLicence, { beats: [validBeat('ucx.ivr')] }, '"lic-7"');

    // Assert
    const [record] = stream.decoded();
    expect(record!.header.licence).toEqual({
      v: 1,
      etag: '"lic-7"',
      products,
      nodes: ['UCX-NODE-1'],
      telemetry: { enabled: true, intervalSeconds: 300 },
    });
    expect(JSON.stringify(record!.beats)).not.toContain('lic-7');
  });

  it('retries only the records the stream refused, and loses none', async () => {
    // ~1.7 MB of incompressible install paths: more than one 1 MiB record
    const noisy = Array.from({ length: 4 }, (_, i) => {
      const beat = validBeat('software.installed_applications', beatId(100 + i));
      const [app] = beat.data.applications;
      beat.data.applications = Array.from({ length: 600 }, () => ({
        ...app!,
        installPath: randomBytes(700).toString('base64'),
      }));
      return beat;
    });
    const stream = new ScriptedStream([(records) => (records.length > 1 ? [1] : [0]), () => [0], () => []]);
    const beats = [...noisy, ...validBeatOfEveryType().slice(0, 5)];
    expect(new Set(beats.map((b) => b.id)).size).toBe(9);

    const result = await ingestTelemetry(depsWith(stream), settings, installation(), { beats });

    expect(result.accepted).toBe(9);
    expect(stream.delivered.length).toBeGreaterThan(1);
    expect(stream.calls).toBe(3);
    expect(
      stream
        .beats()
        .map((b) => b.beat_id)
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
    expect(stream.beats()[0]!.data).toEqual({ activeCalls: 3 });
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

  it('refuses a deactivated installation with 410, and 403 first when telemetry is off (a closed account)', async () => {
    const stream = new ScriptedStream();
    const body = { beats: [validBeat('ucx.ivr')] };

    const gone = ingestTelemetry(depsWith(stream), settings, installation({ status: 'deactivated' }), body);
    const closed = ingestTelemetry(
      depsWith(stream),
      settings,
      installation({ status: 'deactivated', telemetryEnabled: false }),
      body,
    );

    await expect(gone).rejects.toThrow(GoneError);
    await expect(closed).rejects.toThrow(ForbiddenError);
    expect(stream.calls).toBe(0);
  });
});

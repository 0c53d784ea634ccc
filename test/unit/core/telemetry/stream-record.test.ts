import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ArchiveRow } from '#lambdas/core/telemetry/archive-row';
import {
  beatOf,
  decodeStreamRecord,
  encodeBatch,
  MAX_RECORD_BYTES,
  UndecodableRecordError,
  type BatchHeader,
  type RecordLicence,
  type StreamBeat,
} from '#lambdas/core/telemetry/stream-record';
import { beatId, validBeatOfEveryType } from '#test/support/telemetry-fixtures';

const header: BatchHeader = {
  installation_id: 'inst_abc12345',
  account_id: 'acc_abc12345',
  region: 'eu',
  received_at: '2026-03-02T10:00:00.000Z',
  catalogue: 'v1',
};
const licence: RecordLicence = {
  v: 1,
  etag: '"lic-3"',
  products: [
    {
      product: 'attendant-console',
      capacity: 5,
      kind: 'perpetual',
      care: { level: 'gold', expiresAt: '2027-01-01T00:00:00.000Z' },
      shortfall: { quantity: 1, enforcedAt: '2026-04-01T00:00:00.000Z' },
    },
    { product: 'ivr', capacity: 2, kind: 'subscription', expiresAt: '2026-12-31T00:00:00.000Z' },
  ],
  nodes: ['UCX-NODE-1', 'UCX-NODE-2'],
  telemetry: { enabled: true, intervalSeconds: 300 },
};
const streamBeats = (): StreamBeat[] =>
  validBeatOfEveryType().map((b) => ({
    beat_id: b.id,
    type: b.type,
    collected_at: b.collectedAt,
    data: b.data as Record<string, unknown>,
  }));
/** a beat of incompressible text, about `bytes` long once compressed */
const noisyBeat = (n: number, bytes: number): StreamBeat => ({
  beat_id: beatId(n),
  type: 'ucx.cluster',
  collected_at: '2026-03-02T09:59:00.000Z',
  data: { nodes: [randomBytes(bytes).toString('base64')], replicationStrategy: 'none' },
});
const options = { partitionKeyBytes: header.installation_id.length };

describe('encodeBatch', () => {
  it('puts a whole batch in one gzip record: a versioned envelope, data as objects', () => {
    // Arrange
    const beats = streamBeats();

    // Act
    const encoded = encodeBatch(header, beats, options);

    // Assert
    expect(encoded.records).toHaveLength(1);
    expect(encoded.beatsPerRecord).toEqual([25]);
    const record = encoded.records[0]!;
    expect([record[0], record[1]]).toEqual([0x1f, 0x8b]);
    expect(JSON.parse(gunzipSync(record).toString('utf8'))).toEqual({ v: 2, ...header, beats });
  });

  it('splits a batch whose record would pass the limit into records under it, each a whole envelope', () => {
    // Arrange: ~40 KB of noise per beat against a 100 KB limit
    const beats = Array.from({ length: 10 }, (_, i) => noisyBeat(i + 1, 30_000));

    // Act
    const encoded = encodeBatch(header, beats, { ...options, maxRecordBytes: 100_000 });

    // Assert
    expect(encoded.records.length).toBeGreaterThan(3);
    expect(encoded.oversized).toEqual([]);
    for (const record of encoded.records)
      expect(record.length + options.partitionKeyBytes).toBeLessThanOrEqual(100_000);
    const decoded = encoded.records.map((r) => decodeStreamRecord(r));
    expect(decoded.every((d) => JSON.stringify(d.header) === JSON.stringify(header))).toBe(true);
    expect(decoded.flatMap((d) => d.beats)).toEqual(beats);
    expect(encoded.beatsPerRecord.reduce((a, b) => a + b, 0)).toBe(10);
  });

  it('splits off a last beat bigger than all the others together', () => {
    // Arrange
    const beats = [noisyBeat(1, 10_000), noisyBeat(2, 10_000), noisyBeat(3, 10_000), noisyBeat(4, 50_000)];

    // Act
    const encoded = encodeBatch(header, beats, { ...options, maxRecordBytes: 70_000 });

    // Assert
    expect(encoded.beatsPerRecord).toEqual([3, 1]);
  });

  it('gives back a beat that does not fit in a record even alone', () => {
    // Arrange
    const beats = [...streamBeats().slice(0, 2), noisyBeat(99, 50_000)];

    // Act
    const encoded = encodeBatch(header, beats, { ...options, maxRecordBytes: 40_000 });

    // Assert
    expect(encoded.oversized.map((b) => b.beat_id)).toEqual([beatId(99)]);
    expect(encoded.records.flatMap((r) => decodeStreamRecord(r).beats.map((b) => b.beat_id))).toEqual(
      beats.slice(0, 2).map((b) => b.beat_id),
    );
  });

  it('keeps the bench-sized batch far under the 1 MiB record limit', () => {
    // Arrange: the types of a five-minute batch, five rounds
    const beats = Array.from({ length: 5 }, (_, round) =>
      streamBeats().map((b, i) => ({ ...b, beat_id: beatId(round * 100 + i) })),
    ).flat();

    // Act
    const encoded = encodeBatch(header, beats, options);

    // Assert
    expect(encoded.records).toHaveLength(1);
    expect(encoded.records[0]!.length).toBeLessThan(MAX_RECORD_BYTES / 10);
  });
});

describe('decodeStreamRecord', () => {
  it('reads a v2 batch record back', () => {
    // Arrange
    const beats = streamBeats();
    const [record] = encodeBatch(header, beats, options).records;

    // Act
    const decoded = decodeStreamRecord(record!);

    // Assert
    expect(decoded).toEqual({ header, beats });
  });

  it('reads the licence facts of a record that carries them, and none from one that does not', () => {
    // Arrange
    const beats = streamBeats();
    const [withFacts] = encodeBatch({ ...header, licence }, beats, options).records;
    const [without] = encodeBatch(header, beats, options).records;

    // Act
    const decodedWith = decodeStreamRecord(withFacts!);
    const decodedWithout = decodeStreamRecord(without!);

    // Assert
    expect(decodedWith).toEqual({ header: { ...header, licence }, beats });
    expect(decodedWithout.header).not.toHaveProperty('licence');
    expect(withFacts!.length - without!.length).toBeLessThan(300);
  });

  it.each<[string, unknown]>([
    ['a newer version', { ...licence, v: 2 }],
    ['a bad shape', { ...licence, products: [{ product: 'attendant-console' }] }],
    ['not an object', 'gold'],
  ])(
    'reads the beats of a record whose licence facts are %s, without the facts (the rules read the licence)',
    (_case, bad) => {
      // Arrange
      const beats = streamBeats();
      const record = gzipSync(JSON.stringify({ v: 2, ...header, licence: bad, beats }));

      // Act
      const decoded = decodeStreamRecord(record);

      // Assert: said, so the consumer can log the fallback
      expect(decoded).toEqual({ header, beats, licenceUnread: true });
    },
  );

  it('reads a v1 record (one archive row, data as JSON text) as a batch of one beat', () => {
    // Arrange
    const row: ArchiveRow = {
      ...header,
      beat_id: beatId(7),
      type: 'ucx.ivr',
      collected_at: '2026-03-02T09:59:00.000Z',
      data: '{"activeCalls":1}',
    };

    // Act
    const decoded = decodeStreamRecord(Buffer.from(JSON.stringify(row)));

    // Assert
    expect(decoded).toEqual({
      header,
      beats: [
        { beat_id: beatId(7), type: 'ucx.ivr', collected_at: '2026-03-02T09:59:00.000Z', data: { activeCalls: 1 } },
      ],
    });
  });

  it.each<[string, Uint8Array]>([
    ['JSON that is not an archive row', Buffer.from('{"hello":1}')],
    ['text that is not JSON', Buffer.from('not json')],
    [
      'a v1 row whose data is not a JSON object',
      Buffer.from(JSON.stringify({ ...header, beat_id: beatId(1), type: 'ucx.ivr', collected_at: 'x', data: '[1]' })),
    ],
    ['gzip of something else', gzipSync('{"v":2}')],
    ['a v3 envelope', gzipSync(JSON.stringify({ v: 3, ...header, beats: streamBeats() }))],
    ...(['[1]', 'null', '"text"'] as const).map((data): [string, Uint8Array] => [
      `a v2 batch whose beat's data is ${data}, not a JSON object`,
      gzipSync(
        `{"v":2,${JSON.stringify(header).slice(1, -1)},"beats":[{"beat_id":"${beatId(1)}","type":"ucx.ivr","collected_at":"x","data":${data}}]}`,
      ),
    ]),
    ['a truncated gzip record', encodeBatch(header, streamBeats(), options).records[0]!.subarray(0, 100)],
    ['an empty record', new Uint8Array()],
  ])('refuses %s (a poison record)', (_case, data) => {
    // Act
    const attempt = () => decodeStreamRecord(data);

    // Assert
    expect(attempt).toThrow(UndecodableRecordError);
  });
});

describe('beatOf', () => {
  it('gives the catalogue beat of a stream beat, and refuses an unknown type', () => {
    // Arrange
    const [beat] = streamBeats();

    // Act
    const catalogueBeat = beatOf(beat!);

    // Assert
    expect(catalogueBeat).toEqual({
      id: beat!.beat_id,
      type: beat!.type,
      collectedAt: beat!.collected_at,
      data: beat!.data,
    });
    expect(() => beatOf({ ...beat!, type: 'nope' })).toThrow();
  });
});

import { gunzipSync } from 'node:zlib';
import { archiveLines, archiveObjects, type ArrivedRecord } from '#lambdas/core/telemetry/archive-batch';
import { archiveRowSchema, oneRowPerBeat, type ArchiveRow } from '#lambdas/core/telemetry/archive-row';
import { decodeStreamRecord, encodeBatch, type DecodedRecord } from '#lambdas/core/telemetry/stream-record';
import { beatId } from '#test/support/telemetry-fixtures';

const header = {
  installation_id: 'inst_abc12345',
  account_id: 'acc_abc12345',
  region: 'eu' as const,
  received_at: '2026-03-02T10:00:00.000Z',
  catalogue: 'v1',
};
const beat = (n: number, type = 'ucx.ivr') => ({
  beat_id: beatId(n),
  type,
  collected_at: '2026-03-02T09:59:00.000Z',
  data: { activeCalls: n },
});
const arrived = (sequence: string, beats: ReturnType<typeof beat>[], at = '2026-03-02T10:15:00Z'): ArrivedRecord => {
  const record: DecodedRecord = { header, beats };
  return {
    shardId: 'shardId-000000000000',
    sequenceNumber: sequence,
    arrivedAt: new Date(at),
    lines: archiveLines(record),
    beats: beats.length,
  };
};
const rowsOf = (body: Buffer): ArchiveRow[] =>
  gunzipSync(body)
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => archiveRowSchema.parse(JSON.parse(l)));

describe('archiveLines', () => {
  it('gives one archive row per beat, per beat type, data as JSON text, in the archive row field order', () => {
    // Arrange
    const record: DecodedRecord = { header, beats: [beat(1), beat(2, 'ucx.acd'), beat(3)] };

    // Act
    const lines = archiveLines(record);

    // Assert
    expect([...lines.keys()]).toEqual(['ucx.ivr', 'ucx.acd']);
    const ivr = lines.get('ucx.ivr')!.split('\n');
    expect(ivr).toHaveLength(3);
    expect(ivr[2]).toBe('');
    expect(JSON.parse(ivr[0]!)).toEqual({ ...beat(1), ...header, data: '{"activeCalls":1}' });
    expect(JSON.parse(ivr[1]!).beat_id).toBe(beatId(3));
    expect(Object.keys(JSON.parse(lines.get('ucx.acd')!))).toEqual(Object.keys(archiveRowSchema.shape));
  });
});

describe('archiveObjects', () => {
  it('archives no licence data from a record that carries the licence facts (the published fields only)', () => {
    // Arrange: a record as ingest writes it, the rules' licence facts in its header
    const licence = {
      v: 1 as const,
      etag: '"lic-3"',
      products: [{ product: 'ivr' as const, capacity: 2, kind: 'perpetual' as const }],
      nodes: ['UCX-NODE-1'],
      telemetry: { enabled: true, intervalSeconds: 300 },
    };
    const [record] = encodeBatch({ ...header, licence }, [beat(1)], { partitionKeyBytes: 13 }).records;
    const decoded = decodeStreamRecord(record!);

    // Act
    const line = archiveLines(decoded).get('ucx.ivr')!;

    // Assert
    expect(decoded.header.licence).toEqual(licence);
    expect(Object.keys(JSON.parse(line))).toEqual(Object.keys(archiveRowSchema.shape));
    expect(line).not.toMatch(/licen|lic-3|UCX-NODE|capacity|intervalSeconds/i);
  });

  it('writes one object per arrival hour holding every beat type (grouped by type), under region/dt/hour, named by shard and first sequence', () => {
    // Arrange
    const records = [
      arrived('100', [beat(1), beat(2, 'ucx.acd')]),
      arrived('99', [beat(3, 'hardware.memory')]),
      arrived('101', [beat(5)]),
      arrived('102', [beat(4)], '2026-03-02T11:01:00Z'),
    ];

    // Act
    const objects = archiveObjects('eu', records);

    // Assert
    expect(objects.map((o) => o.key).sort()).toEqual([
      'beats/region=eu/dt=2026-03-02/hour=10/shardId-000000000000-99.ndjson.gz',
      'beats/region=eu/dt=2026-03-02/hour=11/shardId-000000000000-102.ndjson.gz',
    ]);
    const ten = objects.find((o) => o.key.includes('hour=10'))!;
    expect(ten.rows).toBe(4);
    expect(rowsOf(ten.body).map((r) => [r.beat_id, r.type])).toEqual([
      [beatId(3), 'hardware.memory'],
      [beatId(2), 'ucx.acd'],
      [beatId(1), 'ucx.ivr'],
      [beatId(5), 'ucx.ivr'],
    ]);
  });

  it('gives a retried batch the same keys and bytes, so it overwrites', () => {
    // Arrange
    const batch = [arrived('5', [beat(1)]), arrived('6', [beat(2), beat(3)])];

    // Act
    const first = archiveObjects('eu', batch);
    const retried = archiveObjects('eu', [...batch].reverse());

    // Assert
    expect(retried.map((o) => o.key)).toEqual(first.map((o) => o.key));
    expect(retried.map((o) => o.body.equals(first[0]!.body))).toEqual([true]);
  });

  it('orders sequence numbers numerically, not as text', () => {
    // Act
    const objects = archiveObjects('eu', [arrived('1000', [beat(1)]), arrived('999', [beat(2)])]);

    // Assert
    expect(objects[0]!.key).toContain('-999.ndjson.gz');
  });

  it('after a poison record, the retries overwrite exactly the objects the first attempt wrote (issue 17, finding 8)', () => {
    // Arrange: records 1..5, 3 does not decode; Kinesis redelivers from the failed record until 3
    // goes to the on-failure destination
    const records = ['1', '2', '4', '5'].map((s) => arrived(s, [beat(Number(s))]));
    const bucket = new Map<string, Buffer>();
    const attempt = (batch: ArrivedRecord[]) => {
      for (const o of archiveObjects('eu', batch, ['3'])) bucket.set(o.key, o.body);
    };

    // Act
    attempt(records);
    const keysOfFirstAttempt = [...bucket.keys()].sort();
    attempt(records.slice(2));
    attempt(records.slice(2));

    // Assert
    expect([...bucket.keys()].sort()).toEqual(keysOfFirstAttempt);
    const archived = [...bucket.values()].flatMap((body) => rowsOf(body).map((r) => r.beat_id));
    expect(archived.sort()).toEqual([1, 2, 4, 5].map((n) => beatId(n)).sort());
  });

  it('keeps each beat once when a retried run comes back bisected (the first half overwrites, the rest is new)', () => {
    // Arrange
    const records = ['4', '5', '6'].map((s) => arrived(s, [beat(Number(s))]));
    const bucket = new Map<string, Buffer>();
    const attempt = (batch: ArrivedRecord[]) => {
      for (const o of archiveObjects('eu', batch, ['3'])) bucket.set(o.key, o.body);
    };

    // Act
    attempt(records);
    attempt(records.slice(0, 1));
    attempt(records.slice(1));

    // Assert
    const archived = [...bucket.values()].flatMap((body) => rowsOf(body).map((r) => r.beat_id));
    expect(archived.sort()).toEqual([4, 5, 6].map((n) => beatId(n)).sort());
  });
});

describe('oneRowPerBeat', () => {
  it('keeps the first received row of each beat id', () => {
    // Arrange
    const row = (n: number, receivedAt: string): ArchiveRow => ({
      ...beat(n),
      ...header,
      received_at: receivedAt,
      data: '{}',
    });
    const rows = [row(1, '2026-03-02T10:05:00Z'), row(1, '2026-03-02T10:00:00Z'), row(2, '2026-03-02T10:00:00Z')];

    // Act
    const unique = oneRowPerBeat(rows);

    // Assert
    expect(unique).toHaveLength(2);
    expect(unique.find((r) => r.beat_id === beatId(1))!.received_at).toBe('2026-03-02T10:00:00Z');
  });

  it("keeps two installations' beats that share a beat id (issue 17, finding 12)", () => {
    // Arrange
    const row = (installation: string): ArchiveRow => ({
      ...beat(1),
      ...header,
      installation_id: installation,
      data: '{}',
    });

    // Act
    const unique = oneRowPerBeat([row('inst_aaaaaaaa'), row('inst_bbbbbbbb')]);

    // Assert
    expect(unique.map((r) => r.installation_id)).toEqual(['inst_aaaaaaaa', 'inst_bbbbbbbb']);
  });
});

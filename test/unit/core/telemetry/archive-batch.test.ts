import { gunzipSync } from 'node:zlib';
import {
  archiveObjects,
  parseStreamRecord,
  type ArrivedRecord,
} from '../../../../lambdas/core/telemetry/archive-batch';
import { oneRowPerBeat, type ArchiveRow } from '../../../../lambdas/core/telemetry/archive-row';
import { beatId } from '../../../support/telemetry-fixtures';

const row = (n: number, type = 'ucx.ivr', receivedAt = '2026-03-02T10:00:00.000Z'): ArchiveRow => ({
  beat_id: beatId(n),
  type,
  collected_at: '2026-03-02T09:59:00.000Z',
  received_at: receivedAt,
  installation_id: 'inst_abc12345',
  account_id: 'acc_abc12345',
  region: 'eu',
  catalogue: 'v1',
  data: '{"activeCalls":1}',
});
const arrived = (n: number, sequence: string, type?: string, at = '2026-03-02T10:15:00Z'): ArrivedRecord => ({
  shardId: 'shardId-000000000000',
  sequenceNumber: sequence,
  arrivedAt: new Date(at),
  row: row(n, type),
});

describe('archiveObjects', () => {
  it('groups by type and arrival hour under Athena partitions, named by shard and sequence range', () => {
    const records = [
      arrived(1, '100'),
      arrived(2, '99'),
      arrived(3, '101', 'ucx.acd'),
      arrived(4, '102', 'ucx.ivr', '2026-03-02T11:01:00Z'),
    ];

    const objects = archiveObjects('eu', records);

    expect(objects.map((o) => o.key).sort()).toEqual([
      'beats/region=eu/type=ucx.acd/dt=2026-03-02/hour=10/shardId-000000000000-101-101.ndjson.gz',
      'beats/region=eu/type=ucx.ivr/dt=2026-03-02/hour=10/shardId-000000000000-99-100.ndjson.gz',
      'beats/region=eu/type=ucx.ivr/dt=2026-03-02/hour=11/shardId-000000000000-102-102.ndjson.gz',
    ]);
    const ivr = objects.find((o) => o.key.includes('99-100'))!;
    const lines = gunzipSync(ivr.body)
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ArchiveRow);
    expect(lines.map((l) => l.beat_id)).toEqual([beatId(2), beatId(1)]);
  });

  it('gives a retried batch the same keys, so it overwrites', () => {
    const batch = [arrived(1, '5'), arrived(2, '6')];

    const first = archiveObjects('eu', batch).map((o) => o.key);
    const retried = archiveObjects('eu', [...batch].reverse()).map((o) => o.key);

    expect(retried).toEqual(first);
  });

  it('orders sequence numbers numerically, not as text', () => {
    const objects = archiveObjects('eu', [arrived(1, '1000'), arrived(2, '999')]);

    expect(objects[0]!.key).toContain('-999-1000.ndjson.gz');
  });
});

describe('parseStreamRecord', () => {
  it('refuses a record that is not an archive row (a poison record)', () => {
    expect(() => parseStreamRecord('{"hello":1}')).toThrow();
    expect(() => parseStreamRecord('not json')).toThrow();
    expect(parseStreamRecord(JSON.stringify(row(7)))).toMatchObject({ beat_id: beatId(7) });
  });
});

describe('oneRowPerBeat', () => {
  it('keeps the first received row of each beat id', () => {
    const rows = [row(1, 'ucx.ivr', '2026-03-02T10:05:00Z'), row(1, 'ucx.ivr', '2026-03-02T10:00:00Z'), row(2)];

    const unique = oneRowPerBeat(rows);

    expect(unique).toHaveLength(2);
    expect(unique.find((r) => r.beat_id === beatId(1))!.received_at).toBe('2026-03-02T10:00:00Z');
  });
});

/**
 * Turns one batch of stream records into archive objects: grouped by beat type and arrival hour,
 * gzip NDJSON, each named after its shard and sequence range (see archiveObjectKey).
 */
import { gzipSync } from 'node:zlib';
import { archiveObjectKey, archiveRowSchema, type ArchiveRow } from './archive-row';
import type { ArchiveStore } from './ports';

export interface ArrivedRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  /** when the stream took the record (stable across retries of the batch) */
  readonly arrivedAt: Date;
  readonly row: ArchiveRow;
}

/** Parses one record's payload; a record that is not an archive row throws (a poison record). */
export function parseStreamRecord(data: Uint8Array | string): ArchiveRow {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
  return archiveRowSchema.parse(JSON.parse(text));
}

export interface ArchiveObject {
  readonly key: string;
  readonly rows: number;
  readonly body: Buffer;
}

const compareSequence = (a: string, b: string) =>
  a.length - b.length !== 0 ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;

export function archiveObjects(region: string, records: readonly ArrivedRecord[]): ArchiveObject[] {
  const groups = new Map<string, ArrivedRecord[]>();
  for (const record of records) {
    const hour = record.arrivedAt.toISOString().slice(0, 13);
    const groupKey = `${record.shardId}|${record.row.type}|${hour}`;
    let group = groups.get(groupKey);
    if (!group) groups.set(groupKey, (group = []));
    group.push(record);
  }
  return [...groups.values()].map((group) => {
    group.sort((a, b) => compareSequence(a.sequenceNumber, b.sequenceNumber));
    const first = group[0]!;
    const last = group[group.length - 1]!;
    const ndjson = group.map((r) => JSON.stringify(r.row)).join('\n') + '\n';
    return {
      key: archiveObjectKey({
        region,
        type: first.row.type,
        at: first.arrivedAt,
        shardId: first.shardId,
        firstSequence: first.sequenceNumber,
        lastSequence: last.sequenceNumber,
      }),
      rows: group.length,
      body: gzipSync(ndjson),
    };
  });
}

export async function writeArchive(
  store: ArchiveStore,
  region: string,
  records: readonly ArrivedRecord[],
): Promise<ArchiveObject[]> {
  const objects = archiveObjects(region, records);
  await Promise.all(objects.map((o) => store.putObject(o.key, o.body)));
  return objects;
}

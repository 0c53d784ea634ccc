/**
 * The stored form of support's snapshots (the newest beat per type): one byte of format, then the
 * JSON raw-deflated (level 9: written at most every 15 minutes, read by support now and then).
 * The counters of an installation share one item (a 5-minute batch carries them all), each
 * inventory type has its own, as the agent sends it; items of the older plain shape still read.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import * as z from 'zod/mini';

export const SNAPSHOT_FORMAT = 1;

/** one snapshot as compressed: the beat's id, collectedAt and data, keyed by type in a group */
const storedSnapshot = z.object({ beatId: z.string(), collectedAt: z.string(), data: z.unknown() });
export type StoredSnapshot = z.infer<typeof storedSnapshot>;
const storedGroup = z.record(z.string(), storedSnapshot);

function encode(value: unknown): Buffer {
  return Buffer.concat([Buffer.from([SNAPSHOT_FORMAT]), deflateRawSync(JSON.stringify(value), { level: 9 })]);
}

function decode(bytes: Uint8Array): unknown {
  if (bytes[0] !== SNAPSHOT_FORMAT) throw new Error(`unknown snapshot format ${bytes[0]}`);
  return JSON.parse(inflateRawSync(bytes.subarray(1)).toString('utf8'));
}

/** a beat's data, compressed (an inventory type's item) */
export const encodeSnapshotData = (data: unknown): Buffer => encode(data);
export const decodeSnapshotData = (bytes: Uint8Array): unknown => decode(bytes);

/** the snapshots of several types, keyed by type, compressed together (the counters' item) */
export const encodeSnapshotGroup = (group: Readonly<Record<string, StoredSnapshot>>): Buffer => encode(group);
export const decodeSnapshotGroup = (bytes: Uint8Array): Record<string, StoredSnapshot> =>
  storedGroup.parse(decode(bytes));

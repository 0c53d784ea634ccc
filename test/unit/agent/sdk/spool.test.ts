import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DiskSpool, MemorySpool, type Spool } from '#agent/sdk/spool';
import type { BeatToSend } from '#agent/sdk/types';

const beat = (n: number): BeatToSend => ({
  id: randomUUID(),
  type: 'ucx.ivr',
  collectedAt: new Date(Date.UTC(2026, 2, 2, 9, 0, n)).toISOString(),
  data: { activeCalls: n },
});
const size = (b: BeatToSend) => Buffer.byteLength(JSON.stringify(b));

describe.each([
  ['DiskSpool', (max: number) => new DiskSpool(mkdtempSync(join(tmpdir(), 'ucx-spool-')), max)],
  ['MemorySpool', (max: number) => new MemorySpool(max)],
])('%s', (_name, make: (max: number) => Spool) => {
  it('gives beats back oldest first, with the ids they were spooled with', () => {
    const spool = make(1024 * 1024);
    const beats = [beat(1), beat(2), beat(3)];

    spool.add(beats);

    expect(spool.peek(10)).toEqual(beats);
    expect(spool.peek(2).map((b) => b.id)).toEqual([beats[0]!.id, beats[1]!.id]);
  });

  it('respects its bound: the oldest beats go first and each is counted', () => {
    const ten = Array.from({ length: 10 }, (_, i) => beat(i));
    const spool = make(size(ten[0]!) * 4 + 2);

    spool.add(ten);

    const { beats, bytes, dropped } = spool.stats();
    expect(beats).toBe(4);
    expect(dropped).toBe(6);
    expect(bytes).toBeLessThanOrEqual(size(ten[0]!) * 4 + 2);
    expect(spool.peek(10).map((b) => b.id)).toEqual(ten.slice(6).map((b) => b.id));
  });

  it('forgets what was delivered', () => {
    const spool = make(1024 * 1024);
    const beats = [beat(1), beat(2), beat(3)];
    spool.add(beats);

    spool.remove([beats[0]!.id, beats[2]!.id]);

    expect(spool.peek(10)).toEqual([beats[1]]);
    expect(spool.stats().beats).toBe(1);
  });
});

it('DiskSpool survives a restart: same beats, same order, same dropped count', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ucx-spool-'));
  const first = new DiskSpool(dir, size(beat(1)) * 2 + 1);
  const beats = [beat(1), beat(2), beat(3)];
  first.add(beats);

  const again = new DiskSpool(dir, size(beat(1)) * 2 + 1);

  expect(again.peek(10)).toEqual(beats.slice(1));
  expect(again.stats()).toMatchObject({ beats: 2, dropped: 1 });
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});

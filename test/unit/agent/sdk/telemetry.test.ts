import { randomBytes, randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { dataHash, isDue, prepareBeat, toBatches } from '#agent/sdk/telemetry';
import type { BeatToSend } from '#agent/sdk/types';

const NOW = new Date('2026-03-02T09:00:00Z');

describe('prepareBeat', () => {
  it('drops every field outside the catalogue, at any depth, and names them', () => {
    const prepared = prepareBeat(
      'processes.running',
      {
        processes: [
          {
            pid: 4,
            name: 'UCX.Web.exe',
            memoryBytes: 1,
            handleCount: 2,
            threadCount: 3,
            cpuPercent: 1.5,
            commandLine: 'secret',
            user: 'mario',
          },
        ],
        hostname: 'srv',
      },
      NOW,
    );

    expect(prepared.ok).toBe(true);
    if (!prepared.ok) return;
    expect(prepared.beat.data).toEqual({
      processes: [{ pid: 4, name: 'UCX.Web.exe', memoryBytes: 1, handleCount: 2, threadCount: 3, cpuPercent: 1.5 }],
    });
    expect(prepared.droppedFields.sort()).toEqual(['hostname', 'processes.0.commandLine', 'processes.0.user']);
    expect(prepared.beat).toMatchObject({
      type: 'processes.running',
      collectedAt: NOW.toISOString(),
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('does not send a beat that does not fit its schema, nor an unknown type', () => {
    const bad = prepareBeat('ucx.ivr', { activeCalls: -1 });
    const unknown = prepareBeat('ucx.mood', { happy: true });

    // in words, whatever else the process loaded (zod/mini registers no language of its own)
    expect(bad).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/^activeCalls: Too small: expected number/)],
    });
    expect(unknown).toMatchObject({ ok: false, errors: [expect.stringMatching(/not a beat type/)] });
  });
});

describe('isDue', () => {
  const memory = { totalBytes: 8, reservedBytes: 0 };

  it('sends inventory when it changed or once a day, counters every cycle', () => {
    const sentAnHourAgo = { hash: dataHash(memory), at: new Date(NOW.getTime() - 3600_000).toISOString() };
    const sentADayAgo = { hash: dataHash(memory), at: new Date(NOW.getTime() - 86_400_000).toISOString() };

    expect(isDue('hardware.memory', memory, undefined, NOW)).toBe(true);
    expect(isDue('hardware.memory', memory, sentAnHourAgo, NOW)).toBe(false);
    expect(isDue('hardware.memory', { ...memory, totalBytes: 16 }, sentAnHourAgo, NOW)).toBe(true);
    expect(isDue('hardware.memory', memory, sentADayAgo, NOW)).toBe(true);
    expect(
      isDue('ucx.ivr', { activeCalls: 1 }, { hash: dataHash({ activeCalls: 1 }), at: NOW.toISOString() }, NOW),
    ).toBe(true);
  });

  it('hashes data whatever its key order', () => {
    expect(dataHash({ a: 1, b: [{ c: 2, d: 3 }] })).toBe(dataHash({ b: [{ d: 3, c: 2 }], a: 1 }));
  });
});

describe('toBatches', () => {
  const beat = (bytes = 10): BeatToSend => ({
    id: randomUUID(),
    type: 'ucx.cluster',
    collectedAt: NOW.toISOString(),
    data: {
      nodes: [
        randomBytes(Math.ceil(bytes / 2))
          .toString('hex')
          .slice(0, bytes),
      ],
      replicationStrategy: 'none',
    },
  });

  it('holds at most 500 beats per batch and keeps every beat once, in order', () => {
    const beats = Array.from({ length: 1203 }, () => beat());

    const batches = toBatches(beats);

    expect(batches.map((b) => b.length)).toEqual([500, 500, 203]);
    expect(batches.flat()).toEqual(beats);
  });

  it('splits a batch whose gzip would exceed the limit', () => {
    const beats = Array.from({ length: 40 }, () => beat(250)); // random text barely compresses

    const batches = toBatches(beats, 3_000);

    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) expect(gzipSync(JSON.stringify({ beats: b })).length).toBeLessThanOrEqual(3_000);
    expect(JSON.parse(gunzipSync(gzipSync(JSON.stringify(batches.flat()))).toString())).toHaveLength(40);
  });
});

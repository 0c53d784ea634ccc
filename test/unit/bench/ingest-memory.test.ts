import { gunzipSync } from 'node:zlib';
import { ingestMemoryRow, largestPost } from '#bench/ingest-memory';
import { beatEnvelopeSchema, beatDataSchemas } from '#lambdas/core/telemetry/catalogue';
import { MAX_BEATS_PER_BATCH } from '#lambdas/core/telemetry/ingest-telemetry';

describe('the largest post', () => {
  it('is the most beats, as large as 8 MiB unpacked and 1 MiB sent allow, each a valid beat', () => {
    const post = largestPost();
    const { beats } = JSON.parse(gunzipSync(post.gz).toString('utf8')) as {
      beats: { type: keyof typeof beatDataSchemas; data: unknown }[];
    };

    expect(beats).toHaveLength(MAX_BEATS_PER_BATCH);
    expect(post.json.length).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(post.gz.length).toBeLessThanOrEqual(1024 * 1024);
    // within one beat's growth of the unpacked limit: a process more per beat would pass it
    expect(post.json.length + MAX_BEATS_PER_BATCH * 120).toBeGreaterThan(8 * 1024 * 1024);
    for (const beat of [beats[0]!, beats.at(-1)!]) {
      expect(beatEnvelopeSchema.safeParse(beat).success).toBe(true);
      expect(beatDataSchemas[beat.type].safeParse(beat.data).success).toBe(true);
    }
  });
});

describe('the ingest memory row', () => {
  it('judges the peak resident memory against the deployed memory, and names the CPU time at its share of a vCPU', () => {
    const row = ingestMemoryRow({
      memoryMb: 256,
      maxRssMb: 150,
      cpuMsPerPost: 230,
      unpackedBytes: 8_000_000,
      sentBytes: 900_000,
      beats: 500,
      statuses: [202, 202, 202],
    });

    expect(row.value).toBeCloseTo(150 / 256);
    expect(row.goal).toEqual({ op: '<=', value: 0.8, unit: '×' });
    expect(row.detail).toContain('150 MB resident at most of 256 MB');
    // 256 of 1,769 MB is 0.145 of a vCPU: 230 ms of CPU take about 1.6 s
    expect(row.detail).toContain('about 1.6 s');
  });
});

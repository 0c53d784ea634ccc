/**
 * The ingest function's memory on the largest post it accepts (500 beats, 8 MiB unpacked, under
 * 1 MiB as sent): its deployed bundle in a fresh process (as a Lambda container holds one), three
 * posts, the peak resident set against the memory it is deployed with. What lets it run at 256 MB.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { MAX_BEATS_PER_BATCH } from '../lambdas/core/telemetry/ingest-telemetry';
import type { Row } from './stats';

const MAX_UNPACKED = 8 * 1024 * 1024;
const MAX_SENT = 1024 * 1024;
const NAMES = ['UCX.Server.exe', 'UCX.Service.exe', 'sqlservr.exe', 'svchost.exe', 'Imagicle.Queue.exe', 'lsass.exe'];

/** `count` processes.running beats of `perBeat` processes each, collected over the last half hour. */
function batchOf(perBeat: number, count = MAX_BEATS_PER_BATCH) {
  const t0 = Date.now() - 30 * 60_000;
  return {
    beats: Array.from({ length: count }, (_, b) => ({
      id: `0190a0b0-0000-8000-8000-${String(b).padStart(12, '0')}`,
      type: 'processes.running',
      collectedAt: new Date(t0 + b * 1000).toISOString(),
      data: {
        processes: Array.from({ length: perBeat }, (_, i) => ({
          pid: 1000 + i * 4,
          name: NAMES[i % NAMES.length],
          memoryBytes: 1_000_000 * ((i * 7919 + b) % 900),
          handleCount: (i * 31 + b) % 5000,
          threadCount: (i % 40) + 1,
          cpuPercent: ((i * 13 + b) % 1000) / 10,
        })),
      },
    })),
  };
}

/** The largest post the ingest accepts: the most beats, each as large as 8 MiB unpacked and 1 MiB sent allow. */
export function largestPost(): { json: Buffer; gz: Buffer; beats: number } {
  const postOf = (perBeat: number) => {
    const json = Buffer.from(JSON.stringify(batchOf(perBeat)));
    const gz = gzipSync(json);
    return json.length <= MAX_UNPACKED && gz.length <= MAX_SENT ? { json, gz, beats: MAX_BEATS_PER_BATCH } : undefined;
  };
  // both sizes grow almost linearly with the processes a beat: start where two small batches point,
  // then step to the most that fit (4096 is the schema's most)
  const unpacked = (perBeat: number) => Buffer.byteLength(JSON.stringify(batchOf(perBeat)));
  const perProcess = unpacked(101) - unpacked(100);
  let perBeat = Math.min(4096, 100 + Math.floor((MAX_UNPACKED - unpacked(100)) / perProcess));
  let fits = postOf(perBeat);
  while (!fits && perBeat > 1) fits = postOf(--perBeat);
  if (!fits) throw new Error('no batch of one process a beat fits the limits');
  while (perBeat < 4096) {
    const more = postOf(perBeat + 1);
    if (!more) break;
    [perBeat, fits] = [perBeat + 1, more];
  }
  return fits;
}

export interface IngestMemoryMeasure {
  memoryMb: number;
  maxRssMb: number;
  cpuMsPerPost: number;
  unpackedBytes: number;
  sentBytes: number;
  beats: number;
  statuses: number[];
}

/** Runs the bundle on `event` (the largest post, signed) in a fresh process with this process's environment. */
export function measureIngestMemory(opts: {
  bundle: string;
  event: APIGatewayProxyEventV2;
  memoryMb: number;
  post: { json: Buffer; gz: Buffer; beats: number };
}): IngestMemoryMeasure {
  const dir = mkdtempSync(join(tmpdir(), 'ucx-ingest-memory-'));
  try {
    const eventFile = join(dir, 'event.json');
    writeFileSync(eventFile, JSON.stringify(opts.event));
    const out = execFileSync(
      process.execPath,
      [
        '--enable-source-maps',
        // the heap limited to the function's memory, as the local runtime's worker (lambda-runtime.ts)
        `--max-old-space-size=${opts.memoryMb}`,
        resolve('bench/ingest-memory-probe.mjs'),
        opts.bundle,
        eventFile,
        String(opts.memoryMb),
      ],
      { env: process.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 },
    );
    const last = out.trim().split('\n').pop()!;
    const probe = JSON.parse(last) as { statuses: number[]; maxRssKb: number; cpuMsPerPost: number };
    if (probe.statuses.some((s) => s !== 202))
      throw new Error(`the largest post was answered ${probe.statuses.join(', ')}, expected 202 each time`);
    return {
      memoryMb: opts.memoryMb,
      maxRssMb: probe.maxRssKb / 1024,
      cpuMsPerPost: probe.cpuMsPerPost,
      unpackedBytes: opts.post.json.length,
      sentBytes: opts.post.gz.length,
      beats: opts.post.beats,
      statuses: probe.statuses,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Lambda gives a function CPU in proportion to its memory: a full vCPU at 1,769 MB. */
const FULL_VCPU_MB = 1769;

export function ingestMemoryRow(m: IngestMemoryMeasure): Row {
  const share = Math.min(1, m.memoryMb / FULL_VCPU_MB);
  return {
    name: 'ingest: peak memory on the largest post ÷ its memory',
    value: m.maxRssMb / m.memoryMb,
    unit: '×',
    goal: { op: '<=', value: 0.8, unit: '×' },
    detail:
      `${m.maxRssMb.toFixed(0)} MB resident at most of ${m.memoryMb} MB, the deployed bundle in a fresh process over 3 posts of ` +
      `${m.beats} beats, ${(m.unpackedBytes / 1048576).toFixed(2)} MiB unpacked, ${(m.sentBytes / 1048576).toFixed(2)} MiB sent, each accepted; ` +
      `${m.cpuMsPerPost.toFixed(0)} ms CPU a post, about ${(m.cpuMsPerPost / share / 1000).toFixed(1)} s at ${m.memoryMb} MB's share of a vCPU`,
  };
}

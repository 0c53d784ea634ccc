/**
 * The machine's speed as one figure: a fixed single-thread workload of what the hot paths do
 * (gzip both ways, JSON both ways, SHA-256, an ECDSA P-256 signature and its check), timed at the
 * start and at the end of a bench run. Absolute rows (beats/s, the fleet's p99) move with it;
 * ratios do not. Two runs compare only when their reference times do.
 */
import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { seededRandom } from '../agent/collectors/simulated';

/** A post-sized batch, the same bytes every time (seeded, not Math.random). */
function referenceBatch(): unknown[] {
  const next = seededRandom(20261206);
  return Array.from({ length: 105 }, (_, i) => ({
    beat_id: `b-${i}`,
    type: ['cpu.load', 'memory.used', 'calls.active', 'disk.free'][i % 4],
    at: new Date(Date.UTC(2026, 11, 6, 0, i)).toISOString(),
    data: { value: Math.round(next() * 10_000) / 100, peak: Math.round(next() * 10_000) / 100 },
  }));
}

/** One round: as much work as a few posts through ingest and rules. Returns a digest of what it made. */
export function referenceRound(rounds = 200): string {
  const batch = referenceBatch();
  const { privateKey, publicKey } = referenceKeys;
  const hash = createHash('sha256');
  for (let r = 0; r < rounds; r++) {
    const text = JSON.stringify(batch);
    const packed = gzipSync(text);
    const back = JSON.parse(gunzipSync(packed).toString('utf8')) as unknown[];
    const digest = createHash('sha256').update(JSON.stringify(back)).digest();
    const signature = sign('sha256', digest, privateKey);
    if (!verify('sha256', digest, publicKey, signature)) throw new Error('the reference signature did not verify');
    hash.update(digest);
  }
  return hash.digest('hex');
}

const referenceKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });

/** The fastest of `rounds` timed rounds, in ms: the least disturbed by other work. */
export function referenceMs(rounds = 7): number {
  for (let i = 0; i < 2; i++) referenceRound(); // warm the JIT and zlib first: a first round is slower
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const started = process.hrtime.bigint();
    referenceRound();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
  }
  return Math.round(best * 10) / 10;
}

/** The run's speed in words; a change of more than a fifth between start and end is named. */
export function describeSpeed(atStart: number, atEnd: number | undefined): string {
  const start = `reference workload ${atStart} ms at the start`;
  if (atEnd === undefined) return start;
  const drift = atEnd / atStart;
  const moved =
    drift > 1.2 ? ': the machine slowed during the run' : drift < 1 / 1.2 ? ': the machine sped up during the run' : '';
  return `${start}, ${atEnd} ms at the end${moved}`;
}

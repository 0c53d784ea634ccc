/**
 * Beat ids (DESIGN: `id` a UUID): a UUIDv8 (RFC 9562) of 60 random bits drawn once per agent and a
 * counter. One agent's ids share their first 19 characters and count up, so the archive's Parquet
 * keeps an id in about 1 B where a random UUIDv4 costs 16 (docs/agent.md "Beat ids"). A new agent
 * (a restart) draws a new prefix, so no id is ever reused: the cloud drops a repeated id as a re-send.
 */
import { randomBytes } from 'node:crypto';

/** the counter's hex digits: 3 in the variant's group, 12 in the last */
const COUNTER_DIGITS = 15;

/** A source of beat ids; `random` is injectable for tests (8 bytes, 60 bits used). */
export function beatIdSource(random: (bytes: number) => Buffer = randomBytes): () => string {
  const r = random(8).toString('hex');
  // version 8 at the 13th digit, variant 0b10 (digit 8) at the 17th
  const head = `${r.slice(0, 8)}-${r.slice(8, 12)}-8${r.slice(12, 15)}-8`;
  let next = 0;
  return () => {
    const n = (next++).toString(16).padStart(COUNTER_DIGITS, '0');
    return `${head}${n.slice(0, 3)}-${n.slice(3)}`;
  };
}

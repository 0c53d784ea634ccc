/**
 * Beats waiting for the cloud. Every collected beat goes through the spool, so a beat collected
 * while the cloud is unreachable is simply still there at the next flush, with the id it was
 * given at collection: the cloud reads a re-sent id once. The spool is bounded in bytes; when a
 * new beat would overflow it the oldest beats go first, and each one dropped is counted.
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
  renameSync,
} from 'node:fs';
import { join } from 'node:path';
import { beatToSendSchema, readJsonFile } from './files';
import type { BeatToSend } from './types';

export const DEFAULT_SPOOL_MAX_BYTES = 64 * 1024 * 1024;

export interface SpoolStats {
  beats: number;
  bytes: number;
  /** beats dropped to respect the bound, since the spool was created */
  dropped: number;
}

export interface Spool {
  add(beats: BeatToSend[]): void;
  /** the oldest beats, at most `max` */
  peek(max: number): BeatToSend[];
  remove(ids: readonly string[]): void;
  stats(): SpoolStats;
}

/** `<15-digit ms>-<9-digit sequence>-` before the beat id in a spool file name */
const KEY_PREFIX_CHARS = 15 + 1 + 9 + 1;

interface Entry {
  key: string;
  id: string;
  bytes: number;
}

/** One file per beat, named so that a directory listing sorts oldest first. */
export class DiskSpool implements Spool {
  private entries: Entry[];
  private bytes: number;
  private dropped: number;
  private sequence = 0;

  constructor(
    readonly dir: string,
    readonly maxBytes = DEFAULT_SPOOL_MAX_BYTES,
    /** told about a spool file that is not a beat (it is set aside) */
    private readonly onCorrupt: (message: string) => void = (message) => process.stderr.write(`${message}\n`),
  ) {
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.entries = readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((key) => ({ key, id: key.slice(KEY_PREFIX_CHARS, -'.json'.length), bytes: statSync(join(dir, key)).size }));
    this.bytes = this.entries.reduce((sum, e) => sum + e.bytes, 0);
    const meta = join(dir, 'dropped.count');
    this.dropped = existsSync(meta) ? Number(readFileSync(meta, 'utf8')) || 0 : 0;
  }

  add(beats: BeatToSend[]): void {
    for (const beat of beats) {
      const text = JSON.stringify(beat);
      const bytes = Buffer.byteLength(text);
      if (bytes > this.maxBytes) {
        this.countDropped(1);
        continue;
      }
      this.makeRoom(bytes);
      const key = `${String(Date.now()).padStart(15, '0')}-${String(this.sequence++).padStart(9, '0')}-${beat.id}.json`;
      const temp = join(this.dir, `${key}.tmp`);
      writeFileSync(temp, text, { mode: 0o600 });
      renameSync(temp, join(this.dir, key));
      this.entries.push({ key, id: beat.id, bytes });
      this.bytes += bytes;
    }
  }

  peek(max: number): BeatToSend[] {
    const beats: BeatToSend[] = [];
    for (const e of this.entries.slice(0, max)) {
      const file = join(this.dir, e.key);
      try {
        beats.push(readJsonFile(beatToSendSchema, file, 'a spooled beat'));
      } catch (error) {
        // A torn or altered file (a crash, a hand edit) would hold its place forever: set aside, said, counted.
        renameSync(file, `${file}.corrupt`);
        this.entries = this.entries.filter((x) => x !== e);
        this.bytes -= e.bytes;
        this.countDropped(1);
        this.onCorrupt(`${(error as Error).message}: moved to ${e.key}.corrupt and left out`);
      }
    }
    return beats;
  }

  remove(ids: readonly string[]): void {
    const gone = new Set(ids);
    this.entries = this.entries.filter((e) => {
      if (!gone.has(e.id)) return true;
      this.unlink(e);
      return false;
    });
  }

  stats(): SpoolStats {
    return { beats: this.entries.length, bytes: this.bytes, dropped: this.dropped };
  }

  private makeRoom(bytes: number): void {
    let dropped = 0;
    while (this.entries.length > 0 && this.bytes + bytes > this.maxBytes) {
      this.unlink(this.entries.shift()!);
      dropped++;
    }
    if (dropped > 0) this.countDropped(dropped);
  }

  private unlink(entry: Entry): void {
    try {
      unlinkSync(join(this.dir, entry.key));
    } catch {
      /* already gone */
    }
    this.bytes -= entry.bytes;
  }

  private countDropped(n: number): void {
    this.dropped += n;
    writeFileSync(join(this.dir, 'dropped.count'), String(this.dropped), { mode: 0o600 });
  }
}

/** The same behaviour in memory (fleet simulator, tests). */
export class MemorySpool implements Spool {
  private beats: { beat: BeatToSend; bytes: number }[] = [];
  private bytes = 0;
  private dropped = 0;

  constructor(readonly maxBytes = DEFAULT_SPOOL_MAX_BYTES) {}

  add(beats: BeatToSend[]): void {
    for (const beat of beats) {
      const bytes = Buffer.byteLength(JSON.stringify(beat));
      if (bytes > this.maxBytes) {
        this.dropped++;
        continue;
      }
      while (this.beats.length > 0 && this.bytes + bytes > this.maxBytes) {
        this.bytes -= this.beats.shift()!.bytes;
        this.dropped++;
      }
      this.beats.push({ beat, bytes });
      this.bytes += bytes;
    }
  }

  peek(max: number): BeatToSend[] {
    return this.beats.slice(0, max).map((b) => b.beat);
  }

  remove(ids: readonly string[]): void {
    const gone = new Set(ids);
    this.beats = this.beats.filter((b) => {
      if (!gone.has(b.beat.id)) return true;
      this.bytes -= b.bytes;
      return false;
    });
  }

  stats(): SpoolStats {
    return { beats: this.beats.length, bytes: this.bytes, dropped: this.dropped };
  }
}

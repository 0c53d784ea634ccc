/**
 * The local cloud's movable clock: real time plus an offset that only grows. The offset lives in
 * a SharedArrayBuffer every function sandbox reads on each `Date.now()` (local/shifted-date.mjs),
 * so one move reaches all of them at once; it is kept in `<dataDir>/clock.json` across restarts.
 * Its development routes: `GET /local/clock` and `POST /local/clock { advanceSeconds }`.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { HttpResponse } from './http-event';
import type { LocalHandler } from './router';
import { clockCellBytes } from './shifted-date.mjs';

/** What a sandbox installs (plain JS, loaded by local/lambda-worker.mjs), re-exported for TypeScript. */
export { installShiftedDate, shiftedDate } from './shifted-date.mjs';

/** The longest single move: ten years of 365 days. */
export const maxAdvanceSeconds = 10 * 365 * 86_400;

export const clockFile = (dataDir: string) => join(dataDir, 'clock.json');

const storedClockSchema = z.object({ offsetSeconds: z.number().int().min(0) });

export class LocalClock {
  /** shared with every sandbox (workerData): one BigInt64, the offset in milliseconds */
  readonly buffer = new SharedArrayBuffer(clockCellBytes);
  private readonly cell = new BigInt64Array(this.buffer, 0, 1);

  constructor(
    offsetSeconds = 0,
    /** where each move is saved; none: kept in memory only */
    private readonly file?: string,
    private readonly realNow: () => number = Date.now,
  ) {
    Atomics.store(this.cell, 0, BigInt(offsetSeconds) * 1000n);
  }

  get offsetSeconds(): number {
    return this.offsetMs() / 1000;
  }

  offsetMs(): number {
    return Number(Atomics.load(this.cell, 0));
  }

  now(): Date {
    return new Date(this.realNow() + this.offsetMs());
  }

  /** Moves the clock forward; never backwards (code that stamped a time must never see it again). */
  advance(seconds: number): void {
    if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds > maxAdvanceSeconds)
      throw new RangeError(`advance: 1 to ${maxAdvanceSeconds} whole seconds, not ${seconds}`);
    const offsetSeconds = this.offsetSeconds + seconds;
    if (this.file) {
      // Written first, then moved: a restart never reads a torn file nor misses a move it answered.
      writeFileSync(`${this.file}.tmp`, `${JSON.stringify({ offsetSeconds })}\n`);
      renameSync(`${this.file}.tmp`, this.file);
    }
    Atomics.store(this.cell, 0, BigInt(offsetSeconds) * 1000n);
  }

  reading(): ClockReading {
    return { now: this.now().toISOString(), offsetSeconds: this.offsetSeconds };
  }
}

export interface ClockReading {
  /** the cloud's time, ISO 8601 */
  readonly now: string;
  /** how far the cloud is ahead of real time */
  readonly offsetSeconds: number;
}

/** The data dir's clock: its saved offset, or real time when fresh or never moved. */
export function openLocalClock(dataDir: string, options: { readonly fresh?: boolean } = {}): LocalClock {
  const file = clockFile(dataDir);
  if (options.fresh || !existsSync(file)) return new LocalClock(0, file);
  let stored: unknown;
  try {
    stored = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message} (remove it, or start with --fresh)`);
  }
  const parsed = storedClockSchema.safeParse(stored);
  if (!parsed.success)
    throw new Error(`${file}: not { "offsetSeconds": <whole seconds ≥ 0> } (remove it, or start with --fresh)`);
  return new LocalClock(parsed.data.offsetSeconds, file);
}

const advanceSchema = z.strictObject({
  advanceSeconds: z.number().int().min(1).max(maxAdvanceSeconds),
});

/**
 * `GET /local/clock` → `{ now, offsetSeconds }`; `POST /local/clock { advanceSeconds }` moves the
 * clock, then waits for `afterAdvance` (the schedules that came due) and answers the new reading
 * with what it returned. Both regions' routers answer from the one clock.
 */
export function clockRoutes(
  clock: LocalClock,
  afterAdvance: () => Promise<Record<string, unknown>>,
): [string, LocalHandler][] {
  return [
    ['GET /local/clock', async () => json(200, clock.reading())],
    [
      'POST /local/clock',
      async (_request, body) => {
        let input: unknown;
        try {
          input = JSON.parse(body.toString('utf8'));
        } catch {
          return problem('The body is not JSON.', [{ path: '', message: 'expected { "advanceSeconds": <seconds> }' }]);
        }
        const parsed = advanceSchema.safeParse(input);
        if (!parsed.success)
          return problem(
            'One or more fields are not valid.',
            parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
          );
        clock.advance(parsed.data.advanceSeconds);
        const after = await afterAdvance();
        return json(200, { ...clock.reading(), ...after });
      },
    ],
  ];
}

const json = (statusCode: number, body: unknown): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify(body)),
});

const problem = (detail: string, errors: { path: string; message: string }[]): HttpResponse => ({
  statusCode: 400,
  headers: { 'content-type': 'application/problem+json' },
  body: Buffer.from(
    JSON.stringify({
      type: 'https://ucx.example/problems/request-is-not-valid',
      title: 'Request is not valid',
      status: 400,
      detail,
      errors,
    }),
  ),
});

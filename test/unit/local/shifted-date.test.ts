import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { LocalClock, shiftedDate } from '#local/clock';
import { findRepoRoot } from '#local/repo-root';

const day = 86_400_000;

describe('shiftedDate', () => {
  let offset = 0;
  const ShiftedDate = shiftedDate(Date, () => offset);
  beforeEach(() => {
    offset = 3 * day;
  });

  it('moves now: Date.now(), new Date() and Date() read real time plus the offset', () => {
    // Act
    const before = Date.now();
    const now = ShiftedDate.now();
    const constructed = new ShiftedDate().getTime();
    const called = Date.parse(ShiftedDate());
    const after = Date.now();

    // Assert
    for (const value of [now, constructed]) {
      expect(value).toBeGreaterThanOrEqual(before + 3 * day);
      expect(value).toBeLessThanOrEqual(after + 3 * day);
    }
    // Date() prints to the second
    expect(called).toBeGreaterThanOrEqual(Math.floor((before + 3 * day) / 1000) * 1000);
    expect(called).toBeLessThanOrEqual(after + 3 * day);
  });

  it('reads the offset on every call', () => {
    // Arrange
    const first = ShiftedDate.now();

    // Act
    offset += 10 * day;

    // Assert
    expect(ShiftedDate.now() - first).toBeGreaterThanOrEqual(10 * day);
    expect(ShiftedDate.now() - first).toBeLessThan(10 * day + 60_000);
  });

  it('keeps everything but now: dates from values, parse, UTC, the prototype and instanceof', () => {
    // Act
    const fromValue = new ShiftedDate(0);
    const fromParts = new ShiftedDate(2026, 2, 12);
    const fromString = new ShiftedDate('2026-03-12T10:00:00Z');

    // Assert
    expect(fromValue.toISOString()).toBe('1970-01-01T00:00:00.000Z');
    expect(fromParts.getTime()).toBe(new Date(2026, 2, 12).getTime());
    expect(fromString.toISOString()).toBe('2026-03-12T10:00:00.000Z');
    expect(ShiftedDate.parse('2026-03-12T10:00:00Z')).toBe(Date.parse('2026-03-12T10:00:00Z'));
    expect(ShiftedDate.UTC(2026, 2, 12)).toBe(Date.UTC(2026, 2, 12));
    expect(ShiftedDate.prototype).toBe(Date.prototype);
    expect(new ShiftedDate()).toBeInstanceOf(Date);
    expect(new Date()).toBeInstanceOf(ShiftedDate);
    expect(Object.prototype.toString.call(new ShiftedDate())).toBe('[object Date]');
    expect(JSON.stringify({ at: new ShiftedDate(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
    expect(ShiftedDate.name).toBe('Date');
    expect(ShiftedDate.length).toBe(7);
  });

  it('lets classes extend it, their instances theirs and on the moved clock', () => {
    // Arrange
    class Stamp extends ShiftedDate {
      label() {
        return `stamp ${this.toISOString()}`;
      }
    }

    // Act
    const stamp = new Stamp();
    const fixed = new Stamp(0);

    // Assert
    expect(stamp).toBeInstanceOf(Stamp);
    expect(stamp).toBeInstanceOf(Date);
    expect(stamp.getTime()).toBeGreaterThanOrEqual(Date.now() + 3 * day - 60_000);
    expect(fixed.label()).toBe('stamp 1970-01-01T00:00:00.000Z');
  });
});

describe('installShiftedDate in a worker thread', () => {
  // What a sandbox does (local/lambda-worker.mjs): install on the shared cell, then run code.
  const workerCode = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.module).then(({ installShiftedDate }) => {
      const RealDate = installShiftedDate(workerData.clock);
      parentPort.on('message', () => {
        const realBefore = RealDate.now();
        const created = new Date();
        parentPort.postMessage({
          now: Date.now(),
          constructed: created.getTime(),
          realBefore,
          real: RealDate.now(),
          isDate: created instanceof Date && created instanceof RealDate,
          sameConstructor: created.constructor === Date,
          parsed: Date.parse('2026-03-12T10:00:00Z'),
        });
      });
      parentPort.postMessage('ready');
    });
  `;
  let worker: Worker | undefined;
  afterEach(async () => {
    await worker?.terminate();
  });

  const ask = (w: Worker) =>
    new Promise<Record<string, number | boolean>>((done) => {
      w.once('message', done);
      w.postMessage('now?');
    });

  it("reads the main thread's clock: a move there is seen at once, every other Date behaviour is kept", async () => {
    // Arrange
    const clock = new LocalClock(2 * 86_400);
    const module = pathToFileURL(join(findRepoRoot(), 'local', 'shifted-date.mjs')).href;
    worker = new Worker(workerCode, { eval: true, workerData: { module, clock: clock.buffer } });
    await new Promise((ready) => worker!.once('message', ready));

    // Act
    const before = await ask(worker);
    clock.advance(30 * 86_400);
    const after = await ask(worker);

    // Assert
    // real time read just before and just after the shifted reads bounds them exactly
    expect(Number(before.now) - Number(before.realBefore)).toBeGreaterThanOrEqual(2 * day);
    expect(Number(before.now) - Number(before.real)).toBeLessThanOrEqual(2 * day);
    expect(Number(after.constructed) - Number(after.realBefore)).toBeGreaterThanOrEqual(32 * day);
    expect(Number(after.constructed) - Number(after.real)).toBeLessThanOrEqual(32 * day);
    expect(after).toMatchObject({ isDate: true, sameConstructor: true, parsed: Date.parse('2026-03-12T10:00:00Z') });
  });
});

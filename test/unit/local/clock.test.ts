import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clockFile, clockRoutes, LocalClock, maxAdvanceSeconds, openLocalClock } from '#local/clock';

const realNow = Date.parse('2026-03-12T10:00:00Z');

describe('LocalClock', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ucx-clock-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is real time until moved, then real time plus every move, kept in the data dir', () => {
    // Arrange
    const clock = new LocalClock(0, clockFile(dataDir), () => realNow);
    const before = clock.reading();

    // Act
    clock.advance(86_400);
    clock.advance(3600);

    // Assert
    expect(before).toEqual({ now: '2026-03-12T10:00:00.000Z', offsetSeconds: 0 });
    expect(clock.reading()).toEqual({ now: '2026-03-13T11:00:00.000Z', offsetSeconds: 90_000 });
    expect(clock.offsetMs()).toBe(90_000_000);
    expect(JSON.parse(readFileSync(clockFile(dataDir), 'utf8'))).toEqual({ offsetSeconds: 90_000 });
  });

  it('never moves backwards, nor by a fraction, nor by more than ten years at once', () => {
    // Arrange
    const clock = new LocalClock(60);

    // Act
    const attempts = [0, -60, 1.5, maxAdvanceSeconds + 1, Number.NaN].map((seconds) => () => clock.advance(seconds));

    // Assert
    for (const attempt of attempts) expect(attempt).toThrow(RangeError);
    expect(clock.offsetSeconds).toBe(60);
  });

  it('opens where the data dir left it, and at real time when fresh or never moved', () => {
    // Arrange
    openLocalClock(dataDir).advance(5 * 86_400);

    // Act
    const reopened = openLocalClock(dataDir);
    const fresh = openLocalClock(dataDir, { fresh: true });
    const elsewhere = openLocalClock(join(dataDir, 'never-moved'));

    // Assert
    expect(reopened.offsetSeconds).toBe(5 * 86_400);
    expect(fresh.offsetSeconds).toBe(0);
    expect(elsewhere.offsetSeconds).toBe(0);
  });

  it('refuses a clock file it cannot read, naming it', () => {
    // Arrange
    writeFileSync(clockFile(dataDir), '{"offsetSeconds": -5}');

    // Act
    const open = () => openLocalClock(dataDir);

    // Assert
    expect(open).toThrow(`${clockFile(dataDir)}: not { "offsetSeconds": <whole seconds ≥ 0> }`);
  });
});

describe('clockRoutes', () => {
  const request = {} as IncomingMessage;
  const routesOf = (clock: LocalClock, after = async () => ({ schedulesRun: ['sweep'] })) =>
    new Map(clockRoutes(clock, after));
  const answer = async (clock: LocalClock, routeKey: string, body = '') => {
    const response = await routesOf(clock).get(routeKey)!(request, Buffer.from(body), {});
    return { ...response, json: JSON.parse(response.body.toString()) };
  };

  it('reads the clock, and moves it then answers what came due', async () => {
    // Arrange
    const clock = new LocalClock(0, undefined, () => realNow);

    // Act
    const read = await answer(clock, 'GET /local/clock');
    const moved = await answer(clock, 'POST /local/clock', JSON.stringify({ advanceSeconds: 7 * 86_400 }));

    // Assert
    expect(read).toMatchObject({ statusCode: 200, json: { now: '2026-03-12T10:00:00.000Z', offsetSeconds: 0 } });
    expect(moved).toMatchObject({
      statusCode: 200,
      json: { now: '2026-03-19T10:00:00.000Z', offsetSeconds: 604_800, schedulesRun: ['sweep'] },
    });
  });

  it.each([
    ['a negative move', { advanceSeconds: -60 }, 'advanceSeconds'],
    ['no move', { advanceSeconds: 0 }, 'advanceSeconds'],
    ['a fraction', { advanceSeconds: 1.5 }, 'advanceSeconds'],
    ['more than ten years', { advanceSeconds: maxAdvanceSeconds + 1 }, 'advanceSeconds'],
    ['a string', { advanceSeconds: '3600' }, 'advanceSeconds'],
    ['a missing field', {}, 'advanceSeconds'],
    ['an unknown field', { advanceSeconds: 60, offsetSeconds: 60 }, ''],
    ['not an object', 60, ''],
  ])('answers %s with a problem naming the path, and leaves the clock', async (_case, body, path) => {
    // Arrange
    const clock = new LocalClock(0, undefined, () => realNow);

    // Act
    const res = await answer(clock, 'POST /local/clock', JSON.stringify(body));

    // Assert
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.json).toMatchObject({ status: 400, title: 'Request is not valid', type: expect.any(String) });
    expect(res.json.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(clock.offsetSeconds).toBe(0);
  });

  it('answers a body that is not JSON with a problem', async () => {
    // Act
    const res = await answer(new LocalClock(), 'POST /local/clock', '{advanceSeconds: 60');

    // Assert
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.json.detail).toBe('The body is not JSON.');
  });
});

/**
 * A region router on a given port opens it only with its routes (issue 17, finding 16): a
 * restarted cloud refuses connections while its functions are not ready, so an agent retries
 * instead of reading a 503.
 */
import { freePort } from '#local/emulators';
import { startRegionRouter, type RegionRouter } from '#local/router';

const start = (port: number) =>
  startRegionRouter({
    regionKey: 'eu',
    port,
    accountId: '000000000000',
    verifyJwt: async () => undefined,
    localRoutes: new Map(),
    log: () => {},
  });

describe('the region router before its routes', () => {
  let router: RegionRouter | undefined;
  afterEach(() => router?.close());

  it('on a given port, refuses connections until the routes are in, then answers', async () => {
    const port = await freePort();
    router = await start(port);

    const before = await fetch(`http://127.0.0.1:${port}/v1/nothing`).then(
      (res) => res.status,
      (error: Error & { cause?: { code?: string } }) => error.cause?.code,
    );
    await router.setRoutes(new Map());
    const after = await fetch(`http://127.0.0.1:${port}/v1/nothing`);

    expect(router.url).toBe(`http://127.0.0.1:${port}`);
    expect(before).toBe('ECONNREFUSED');
    expect(after.status).toBe(404);
  });

  it('a given port already taken fails the start at once', async () => {
    router = await start(0);

    await expect(start(router.port)).rejects.toThrow(/EADDRINUSE/);
  });

  it('on port 0, binds at start to learn the port and answers 503 until the routes are in', async () => {
    router = await start(0);

    const before = await fetch(`${router.url}/v1/nothing`);
    await router.setRoutes(new Map());
    const after = await fetch(`${router.url}/v1/nothing`);

    expect(before.status).toBe(503);
    expect(after.status).toBe(404);
  });
});

/** The local router answers loopback names only (issue 17, finding 11): DNS rebinding reaches nothing. */
import { request as httpRequest } from 'node:http';
import { startGraphStandin } from '#local/graph/standin';
import { isLoopbackHost, isLoopbackOrigin } from '#local/host-check';
import { startRegionRouter, type RegionRouter } from '#local/router';

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.0.0.1:4100', 'localhost', 'LOCALHOST:4200', '[::1]', '[::1]:4100'])(
    'accepts %s',
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    },
  );

  it.each([
    undefined,
    '',
    'evil.example',
    'evil.example:4100',
    'localhost.evil.example',
    '127.0.0.1.nip.io',
    'localhost:4100@evil.example',
    '[::1]evil',
    '127.0.0.2',
    '0.0.0.0:4100',
  ])('refuses %s', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('isLoopbackOrigin', () => {
  it.each([undefined, 'http://127.0.0.1:4100', 'http://localhost:5173', 'https://[::1]:4200'])(
    'accepts %s',
    (origin) => {
      expect(isLoopbackOrigin(origin)).toBe(true);
    },
  );

  it.each([
    'null',
    'https://evil.example',
    'http://127.0.0.1.evil.example',
    'file://',
    'http://localhost@evil.example',
  ])('refuses %s', (origin) => {
    expect(isLoopbackOrigin(origin)).toBe(false);
  });
});

describe('the region router', () => {
  let router: RegionRouter;
  let linked = 0;

  beforeAll(async () => {
    router = await startRegionRouter({
      regionKey: 'eu',
      port: 0,
      accountId: '000000000000',
      verifyJwt: async () => undefined,
      localRoutes: new Map([
        [
          'POST /local/auth/users/link',
          async () => {
            linked++;
            return { statusCode: 204, headers: {}, body: Buffer.alloc(0) };
          },
        ],
      ]),
      log: () => {},
    });
    router.setRoutes(new Map());
  });

  afterAll(() => router.close());

  /** A request with the Host header as a browser sends it after DNS rebinding (fetch cannot set Host). */
  const send = (path: string, host: string, origin?: string) =>
    new Promise<{ status: number; contentType: string | undefined; body: string }>((done, fail) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: router.port, path, method: 'POST', headers: { host, ...(origin && { origin }) } },
        (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => done({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body }));
        },
      );
      req.on('error', fail);
      req.end('{"groups":["backoffice"]}');
    });

  it.each(['/local/auth/users/link', '/v1/accounts/acc-1/audit'])(
    'refuses %s addressed to another name with 403 problem+json, before any route runs',
    async (path) => {
      const response = await send(path, `rebound.evil.example:${router.port}`);

      expect(response).toMatchObject({ status: 403, contentType: 'application/problem+json' });
      expect(JSON.parse(response.body)).toMatchObject({ status: 403, detail: expect.stringContaining('loopback') });
      expect(linked).toBe(0);
    },
  );

  it('serves the loopback names', async () => {
    const answers = [];
    for (const host of [`127.0.0.1:${router.port}`, `localhost:${router.port}`, `[::1]:${router.port}`])
      answers.push((await send('/local/auth/users/link', host)).status);

    expect(answers).toEqual([204, 204, 204]);
    expect(linked).toBe(3);
  });

  it('refuses a development route called by a page of another origin (a simple POST needs no rebinding)', async () => {
    const before = linked;

    const fromElsewhere = await send('/local/auth/users/link', `127.0.0.1:${router.port}`, 'https://evil.example');
    const fromThePortal = await send(
      '/local/auth/users/link',
      `127.0.0.1:${router.port}`,
      `http://127.0.0.1:${router.port}`,
    );

    expect([fromElsewhere.status, fromThePortal.status]).toEqual([403, 204]);
    expect(linked).toBe(before + 1);
  });
});

describe('the Graph stand-in', () => {
  it('answers loopback names only, as the routers', async () => {
    const graph = await startGraphStandin({ log: () => {} });
    const port = Number(new URL(graph.graph).port);
    const status = (host: string) =>
      new Promise<number>((done, fail) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/v1.0/users', headers: { host } }, (res) => {
          res.resume();
          res.on('end', () => done(res.statusCode ?? 0));
        });
        req.on('error', fail);
        req.end();
      });

    try {
      const [rebound, loopback] = [await status(`rebound.evil.example:${port}`), await status(`127.0.0.1:${port}`)];

      expect(rebound).toBe(403);
      expect(loopback).not.toBe(403);
    } finally {
      await graph.stop();
    }
  });
});

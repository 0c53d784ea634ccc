/** The agent through a real HTTP proxy (the npm `proxy` package, run in this process) with basic auth, against the local cloud. */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createProxy, type ProxyServer } from 'proxy';
import { api, newAccount, newActivationKey, perpetual } from '#test/support/licensing-api';
import { cli, stateDir, suiteSources } from './helpers';

jest.setTimeout(120_000);

const proxyAuthorization = `Basic ${Buffer.from('ucx:s3cret-pass').toString('base64')}`;

/** One request that reached the proxy: a CONNECT or a forwarded request, and whether its credentials were right. */
interface Crossing {
  readonly method: string;
  /** host:port the client asked the proxy for */
  readonly target: string;
  readonly authorized: boolean;
}

const crossings: Crossing[] = [];
const sockets = new Set<Socket>();
let proxy: ProxyServer;
let proxyPort = 0;

// A CONNECT names host:port; a forwarded request names an absolute URL.
const targetOf = (req: IncomingMessage) => (req.method === 'CONNECT' ? (req.url ?? '') : new URL(req.url ?? '').host);

beforeAll(async () => {
  proxy = createProxy(createServer());
  proxy.authenticate = (req) => {
    const authorized = req.headers['proxy-authorization'] === proxyAuthorization;
    crossings.push({ method: req.method ?? '', target: targetOf(req), authorized });
    return authorized;
  };
  proxy.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
  proxyPort = (proxy.address() as AddressInfo).port;
});

beforeEach(() => {
  crossings.length = 0;
});

afterAll(async () => {
  // CONNECT tunnels stay open for the agent's keep-alive pool; close would wait on them.
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((done) => proxy.close(() => done()));
});

describe('ucx-agent through an HTTP proxy', () => {
  it('activates, polls 200 then 304, sends telemetry and deactivates through the proxy with basic auth', async () => {
    const accountId = await newAccount([perpetual('ivr', 2)]);
    const dir = stateDir();
    const sources = suiteSources(dir, { 'ucx.ivr': { activeCalls: 1 } });
    const common = [
      '--state-dir',
      dir,
      '--no-system',
      '--sources',
      sources,
      '--proxy',
      `http://ucx:s3cret-pass@127.0.0.1:${proxyPort}`,
    ];

    const activated = await cli('activate', '--key', await newActivationKey(accountId), '--endpoint', api(), ...common);
    const polls = [await cli('poll', ...common), await cli('poll', ...common)];
    const telemetry = await cli('telemetry-once', ...common);
    const deactivated = await cli('deactivate', ...common);

    expect(activated.out).toMatch(
      new RegExp(`activated: installation inst_\\w+.* via proxy http://ucx:\\*\\*\\*@127.0.0.1:${proxyPort}`),
    );
    expect(polls.map((p) => p.out)).toEqual(['licence updated: version 1\n', 'licence unchanged (304)\n']);
    expect(telemetry.out).toBe('telemetry: sent 1, accepted 1, rejected 0, spooled 0\n');
    expect(deactivated.code).toBe(0);
    // the traffic really went through the proxy, every request of it with the credentials
    expect(crossings).toContainEqual(expect.objectContaining({ target: new URL(api()).host, authorized: true }));
    expect(crossings.filter((c) => !c.authorized)).toEqual([]);
  });

  it('says so clearly when the proxy refuses the credentials', async () => {
    const accountId = await newAccount([perpetual('ivr', 2)]);
    const dir = stateDir();

    const refused = await cli(
      'activate',
      '--key',
      await newActivationKey(accountId),
      '--endpoint',
      api(),
      '--state-dir',
      dir,
      '--no-system',
      '--proxy',
      `http://ucx:wrong@127.0.0.1:${proxyPort}`,
    );

    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/error: .*(407|Proxy)/i);
    expect(crossings).toContainEqual(expect.objectContaining({ target: new URL(api()).host, authorized: false }));
    expect(crossings.filter((c) => c.authorized)).toEqual([]);
  });
});

/** The agent through a real HTTP proxy (Debian's tinyproxy) with basic auth, against the local cloud. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { api, newAccount, newActivationKey, perpetual } from '#test/support/licensing-api';
import { cli, stateDir, suiteSources } from './helpers';

jest.setTimeout(120_000);

const tinyproxyBinary =
  ['/usr/bin/tinyproxy', '/usr/sbin/tinyproxy'].find((p) => spawnSync(p, ['-v']).status === 0) ??
  (spawnSync('sh', ['-c', 'command -v tinyproxy']).stdout?.toString().trim() || undefined);

const freePort = () =>
  new Promise<number>((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });

let proxy: ChildProcess | undefined;
let proxyPort = 0;
let logFile = '';

beforeAll(async () => {
  if (!tinyproxyBinary) return;
  const dir = stateDir();
  proxyPort = await freePort();
  logFile = join(dir, 'tinyproxy.log');
  const config = join(dir, 'tinyproxy.conf');
  writeFileSync(
    config,
    [
      `Port ${proxyPort}`,
      'Listen 127.0.0.1',
      'Timeout 60',
      `LogFile "${logFile}"`,
      'LogLevel Connect',
      'MaxClients 20',
      'Allow 127.0.0.1',
      'BasicAuth ucx s3cret-pass',
      'DisableViaHeader Yes',
    ].join('\n') + '\n',
  );
  proxy = spawn(tinyproxyBinary, ['-d', '-c', config], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    const up = await new Promise<boolean>((done) => {
      const s = connect(proxyPort, '127.0.0.1');
      s.once('connect', () => (s.destroy(), done(true)));
      s.once('error', () => done(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
});

afterAll(() => {
  proxy?.kill('SIGTERM');
});

describe('ucx-agent through tinyproxy', () => {
  it('needs tinyproxy (.ci/run installs it)', () => {
    // A loud failure, not a silent skip: the proxy path must be tested.
    expect({ tinyproxy: tinyproxyBinary ?? 'missing: apt-get install -y tinyproxy' }).toEqual({
      tinyproxy: expect.stringMatching(/tinyproxy$/),
    });
  });

  const withProxy = tinyproxyBinary ? it : it.skip;

  withProxy(
    'activates, polls 200 then 304, sends telemetry and deactivates through the proxy with basic auth',
    async () => {
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

      const activated = await cli(
        'activate',
        '--key',
        await newActivationKey(accountId),
        '--endpoint',
        api(),
        ...common,
      );
      const polls = [await cli('poll', ...common), await cli('poll', ...common)];
      const telemetry = await cli('telemetry-once', ...common);
      const deactivated = await cli('deactivate', ...common);

      expect(activated.out).toMatch(
        new RegExp(`activated: installation inst_\\w+.* via proxy http://ucx:\\*\\*\\*@127.0.0.1:${proxyPort}`),
      );
      expect(polls.map((p) => p.out)).toEqual(['licence updated: version 1\n', 'licence unchanged (304)\n']);
      expect(telemetry.out).toBe('telemetry: sent 1, accepted 1, rejected 0, spooled 0\n');
      expect(deactivated.code).toBe(0);
      const cloudPort = new URL(api()).port;
      const log = readFileSync(logFile, 'utf8');
      expect(log).toMatch(new RegExp(`127\\.0\\.0\\.1:${cloudPort}`)); // the traffic really went through the proxy
    },
  );

  withProxy('says so clearly when the proxy refuses the credentials', async () => {
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
  });
});

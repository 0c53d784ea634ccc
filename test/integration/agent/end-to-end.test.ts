/** The agent against the local cloud, as an administrator drives it: activate, poll, telemetry, status, deactivate. */
import { readArchive } from '#local/archive-reader';
import { cloud } from '#test/support/local-cloud';
import { api, newAccount, newActivationKey, perpetual } from '#test/support/licensing-api';
import { cli, stateDir, suiteSources } from './helpers';

jest.setTimeout(120_000);

async function archivedTypes(installationId: string, count: number, timeoutMs = 60_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await readArchive(cloud(), { region: 'eu', installation: installationId });
    if (rows.length >= count || Date.now() > deadline) return rows.map((r) => r.type).sort();
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('ucx-agent end to end on the local cloud', () => {
  it('activates, polls 200 then 304, sends telemetry that is accepted and archived, and deactivates', async () => {
    const accountId = await newAccount([perpetual('attendant-console', 10, 'gold'), perpetual('ivr', 4)]);
    const key = await newActivationKey(accountId);
    const dir = stateDir();
    const sources = suiteSources(dir, {
      'ucx.ivr': { activeCalls: 3 },
      'ucx.suite': {
        version: '2025.2.1',
        platform: 'Windows x64',
        installPath: 'C:\\Program Files\\UCX',
        installFolderBytes: 1024,
        vendorSecret: 'never sent',
      },
    });
    const common = ['--state-dir', dir, '--sources', sources, '--no-system'];

    const activated = await cli(
      'activate',
      '--key',
      key,
      '--endpoint',
      api(),
      '--suite-version',
      '2025.2.1',
      '--node',
      'ucx-a',
      ...common,
    );
    const first = await cli('poll', ...common);
    const second = await cli('poll', ...common);
    const telemetry = await cli('telemetry-once', ...common);
    const status = await cli('status', ...common);

    expect(activated).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^activated: installation inst_\w+, account acc_\w+, region eu, 2 product\(s\)/),
    });
    expect(first.out).toMatch(/licence updated: version 1/);
    expect(second.out).toMatch(/licence unchanged \(304\)/);
    expect(telemetry).toMatchObject({ code: 0, out: 'telemetry: sent 2, accepted 2, rejected 0, spooled 0\n' });
    expect(telemetry.err).toMatch(/ucx.suite: dropped fields outside the catalogue: vendorSecret/);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/activated: yes\n/);
    expect(status.out).toMatch(/region: eu/);
    expect(status.out).toMatch(/attendant-console\s+capacity\s+10\s+perpetual, Care gold until \d{4}-\d\d-\d\d/);
    expect(status.out).toMatch(/ivr\s+capacity\s+4/);
    // a licence just signed: 30 days of grace, shown as 30 d 0 h or, a moment later, 29 d 23 h
    expect(status.out).toMatch(/grace left: (30 d 0 h|29 d 23 h)/);
    expect(status.out).toMatch(/last poll: \S+ 304 unchanged/);
    const installationId = /installation: (inst_\w+)/.exec(status.out)![1]!;
    expect(await archivedTypes(installationId, 2)).toEqual(['ucx.ivr', 'ucx.suite']);

    const again = await cli('telemetry-once', ...common);
    expect(again.out).toBe('telemetry: sent 1, accepted 1, rejected 0, spooled 0\n'); // the unchanged inventory waits a day

    const deactivated = await cli('deactivate', ...common);
    expect(deactivated).toMatchObject({ code: 0, out: expect.stringMatching(/deactivated/) });
    const after = await cli('status', ...common);
    expect(after).toMatchObject({ code: 3, out: expect.stringMatching(/activated: no/) });
  });

  it('sends what this Linux machine really has, and the cloud accepts all of it', async () => {
    const accountId = await newAccount();
    const key = await newActivationKey(accountId);
    const dir = stateDir();

    await cli('activate', '--key', key, '--endpoint', api(), '--state-dir', dir);
    const telemetry = await cli('telemetry-once', '--state-dir', dir);

    expect(telemetry.code).toBe(0);
    const [, sent, accepted, rejected] = /sent (\d+), accepted (\d+), rejected (\d+)/.exec(telemetry.out)!;
    expect(Number(sent)).toBeGreaterThanOrEqual(7);
    expect(accepted).toBe(sent);
    expect(rejected).toBe('0');
  });

  it('refuses to run with a key file others can read', async () => {
    const accountId = await newAccount();
    const dir = stateDir();
    await cli(
      'activate',
      '--key',
      await newActivationKey(accountId),
      '--endpoint',
      api(),
      '--state-dir',
      dir,
      '--no-system',
    );
    const { chmodSync } = await import('node:fs');
    chmodSync(`${dir}/identity.key`, 0o644);

    const poll = await cli('poll', '--state-dir', dir);

    expect(poll.code).toBe(1);
    expect(poll.err).toMatch(/has mode 0644; it must be readable only by its owner. Run: chmod 600/);
  });
});

/** The CLI on a state the cloud deactivated (410): it says so and sends nothing. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '#agent/cli/commands';
import { loadOrCreateIdentity } from '#agent/sdk/identity';

// Nothing listens on the discard port: a request would fail the command.
const NO_CLOUD = 'http://127.0.0.1:9';

async function run(...args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (l) => (out += `${l}\n`), err: (l) => (err += `${l}\n`), env: {} });
  return { code, out, err };
}

async function deactivatedStateDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ucx-agent-cli-'));
  await loadOrCreateIdentity(join(dir, 'identity.key'));
  const at = '2026-03-02T09:00:00.000Z';
  writeFileSync(
    join(dir, 'state.json'),
    JSON.stringify({
      accountId: 'acc_00000001',
      region: 'eu',
      endpoint: NO_CLOUD,
      jwks: { keys: [] },
      deactivatedInCloud: { at, installationId: 'inst_abcdefgh12345678' },
      lastPoll: { at, outcome: '410 deactivated in the cloud: licence removed' },
    }),
  );
  return dir;
}

describe('ucx-agent after the cloud deactivated the installation', () => {
  it('poll, deactivate and status say so without calling the cloud', async () => {
    const dir = await deactivatedStateDir();

    const poll = await run('poll', '--state-dir', dir, '--no-system');
    const deactivate = await run('deactivate', '--state-dir', dir, '--no-system');
    const status = await run('status', '--state-dir', dir, '--no-system');

    expect(poll).toMatchObject({
      code: 1,
      out: 'this installation was deactivated (410): This installation was deactivated in the cloud at 2026-03-02T09:00:00.000Z: activate again with a new key.\n',
    });
    expect(deactivate).toMatchObject({
      code: 0,
      out: 'already deactivated in the cloud at 2026-03-02T09:00:00.000Z: its licences went back to the account then\n',
    });
    expect(status.code).toBe(3);
    expect(status.out.split('\n')).toEqual([
      'activated: no',
      'deactivated in the cloud at 2026-03-02T09:00:00.000Z: activate again with a new key (installation inst_abcdefgh12345678, its licence removed)',
      'last poll: 2026-03-02T09:00:00.000Z 410 deactivated in the cloud: licence removed',
      '',
    ]);
  });
});

/** The agent workspace's bin: `npx ucx-agent` runs the CLI from node_modules/.bin, as a vendor's install would. */
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../../../..');

describe('ucx-agent bin', () => {
  it('is linked into node_modules/.bin from the agent workspace', () => {
    const target = realpathSync(join(root, 'node_modules/.bin/ucx-agent'));

    expect(target).toBe(join(root, 'agent/bin/ucx-agent.mjs'));
  });

  it('prints its usage through npx', () => {
    const run = spawnSync('npx', ['--no-install', 'ucx-agent', '--help'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });

    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).toMatch(/^usage: ucx-agent <command>/m);
  });

  it('exits non-zero with a message for an unknown command', () => {
    const run = spawnSync('npx', ['--no-install', 'ucx-agent', 'no-such-command'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });

    expect(run.status).not.toBe(0);
    expect(run.stderr + run.stdout).toMatch(/no-such-command/);
  });
});

/** Deactivated in the portal: the agent's next poll gets 410 and the licence is gone from its state, so the suite stops enforcing from it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, call, newAccount, newActivationKey, perpetual } from '#test/support/licensing-api';
import { tokenFor } from '#test/support/local-cloud';
import { cli, stateDir } from './helpers';

jest.setTimeout(120_000);

describe('an installation deactivated in the portal', () => {
  it('loses its licence at the next poll, sends nothing more, and says to activate again', async () => {
    const accountId = await newAccount([perpetual('phone-lock', 8)]);
    const dir = stateDir();
    const common = ['--state-dir', dir, '--no-system'];
    await cli('activate', '--key', await newActivationKey(accountId), '--endpoint', api(), ...common);
    const before = await cli('status', '--json', ...common);
    const { installationId } = JSON.parse(before.out) as { installationId: string };

    const deleted = await call('DELETE', `${api()}/v1/accounts/${accountId}/installations/${installationId}`, {
      token: tokenFor({ groups: ['customer'], accountId }),
    });
    const poll = await cli('poll', ...common);
    const status = await cli('status', ...common);
    const statusJson = JSON.parse((await cli('status', '--json', ...common)).out) as Record<string, unknown>;
    const telemetry = await cli('telemetry-once', ...common);
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as Record<string, unknown>;

    expect(before.code).toBe(0);
    expect(deleted.status).toBe(204);
    expect(poll).toMatchObject({
      code: 1,
      out: expect.stringMatching(
        /^this installation was deactivated \(410\): This installation was deactivated in the cloud at \S+: activate again with a new key/,
      ),
    });
    expect(state).not.toHaveProperty('license');
    expect(state).toMatchObject({ deactivatedInCloud: { installationId, at: expect.any(String) } });
    expect(status.code).toBe(3);
    expect(status.out).toMatch(/^activated: no\ndeactivated in the cloud at \S+: activate again with a new key/);
    expect(statusJson).toMatchObject({ activated: false, deactivatedInCloud: { installationId } });
    expect(statusJson).not.toHaveProperty('licence');
    expect(telemetry).toMatchObject({
      code: 3,
      err: expect.stringMatching(/deactivated in the cloud at \S+: activate again with a new key/),
    });
  });
});

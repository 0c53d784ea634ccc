/**
 * Stale installations on a local cloud of this file's own (the clock moves): an installation
 * silent past staleAfterDays (30) is marked stale on the account answer, and releasing it (the
 * portal's DELETE) gives its licences back and refuses its next poll.
 */
import type { TestAgent } from '#test/support/agent-client';
import { accountView, activatedAgent, api, call, newAccount, perpetual } from '#test/support/licensing-api';
import { advanceClock, tokenFor, withOwnCloud } from '#test/support/local-cloud';

jest.setTimeout(180_000);

withOwnCloud();

const customer = (accountId: string) => tokenFor({ groups: ['customer'], accountId });
const poll = (agent: TestAgent) => agent.request(api(), 'GET', `/v1/installations/${agent.keyid}/license`);
const installationOf = async (accountId: string, installationId: string) =>
  ((await accountView(accountId)).installations as { installationId: string; stale: boolean; status: string }[]).find(
    (i) => i.installationId === installationId,
  );

describe('stale installations on the local cloud', () => {
  it('marks the silent installation stale after 30 days, not the polling one; releasing it refuses its next poll', async () => {
    // Arrange
    const accountId = await newAccount([perpetual('ivr', 10)]);
    const { agent: polling } = await activatedAgent(accountId, { allocation: { ivr: 2 } });
    const { agent: silent } = await activatedAgent(accountId, { allocation: { ivr: 3 } });
    expect((await poll(polling)).status).toBe(200);
    expect((await poll(silent)).status).toBe(200);
    const freshSilent = await installationOf(accountId, silent.keyid);
    await advanceClock({ days: 20 });
    expect((await poll(polling)).status).toBe(200);
    await advanceClock({ days: 11 });

    // Act
    const staleSilent = await installationOf(accountId, silent.keyid);
    const stillPolling = await installationOf(accountId, polling.keyid);
    const release = await call('DELETE', `${api()}/v1/accounts/${accountId}/installations/${silent.keyid}`, {
      token: customer(accountId),
    });
    const pollAfterRelease = await poll(silent);
    const view = await accountView(accountId);
    const audit = await call('GET', `${api()}/v1/accounts/${accountId}/audit?action=installation.deactivated`, {
      token: customer(accountId),
    });

    // Assert
    expect(freshSilent).toMatchObject({ stale: false });
    expect(staleSilent).toMatchObject({ status: 'active', stale: true });
    expect(stillPolling).toMatchObject({ status: 'active', stale: false });
    expect(release.status).toBe(204);
    expect(pollAfterRelease.status).toBe(410);
    expect(view.products).toEqual([expect.objectContaining({ product: 'ivr', allocated: 2, free: 8 })]);
    expect(view.installations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ installationId: silent.keyid, status: 'deactivated', stale: false }),
      ]),
    );
    expect(audit.json.events).toEqual([
      expect.objectContaining({
        action: 'installation.deactivated',
        actor: expect.objectContaining({ kind: 'customer' }),
        details: expect.objectContaining({ installationId: silent.keyid }),
      }),
    ]);
  });
});

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

describe('automatic release on the local cloud', () => {
  const auditOf = async (accountId: string, action: string) =>
    (
      await call('GET', `${api()}/v1/accounts/${accountId}/audit?action=${action}`, {
        token: customer(accountId),
      })
    ).json.events as { actor: { kind: string }; details: Record<string, unknown> }[];

  it('opted in at 14 days: a notice by system past day 7, the release by system past day 14, the next poll refused', async () => {
    // Arrange
    const accountId = await newAccount([perpetual('ivr', 10)]);
    const { agent } = await activatedAgent(accountId, { allocation: { ivr: 4 } });
    expect((await poll(agent)).status).toBe(200);
    const refused = await call('PATCH', `${api()}/v1/accounts/${accountId}/stale-release`, {
      token: customer(accountId),
      body: { enabled: true, afterDays: 3 },
    });
    const afterRefusal = (await accountView(accountId)).staleRelease;
    const optIn = await call('PATCH', `${api()}/v1/accounts/${accountId}/stale-release`, {
      token: customer(accountId),
      body: { enabled: true, afterDays: 14 },
    });

    const setting = (await accountView(accountId)).staleRelease;

    // Act
    const toNotice = await advanceClock({ days: 8 });
    const notices = await auditOf(accountId, 'installation.stale-notice');
    const stillActive = await installationOf(accountId, agent.keyid);
    const toRelease = await advanceClock({ days: 7 });
    const releases = await auditOf(accountId, 'installation.deactivated');
    const pollAfter = await poll(agent);

    // Assert
    expect(refused.status).toBe(400);
    expect(refused.json.errors).toEqual([expect.objectContaining({ path: 'afterDays' })]);
    expect(afterRefusal).toMatchObject({ enabled: false });
    expect(optIn.status).toBe(200);
    expect(optIn.json).toEqual({ enabled: true, afterDays: 14 });
    expect(setting).toEqual({ enabled: true, afterDays: 14 });
    for (const move of [toNotice, toRelease]) {
      expect(move.schedulesRun.length).toBeGreaterThan(0);
      expect(move.schedulesRun.filter((run) => run.error)).toEqual([]);
    }
    expect(notices).toEqual([
      expect.objectContaining({
        actor: expect.objectContaining({ kind: 'system' }),
        details: expect.objectContaining({ installationId: agent.keyid }),
      }),
    ]);
    expect(stillActive).toMatchObject({ status: 'active' });
    expect(releases).toEqual([
      expect.objectContaining({
        actor: expect.objectContaining({ kind: 'system' }),
        details: expect.objectContaining({ installationId: agent.keyid, reason: 'stale-release' }),
      }),
    ]);
    expect(pollAfter.status).toBe(410);
  });
});

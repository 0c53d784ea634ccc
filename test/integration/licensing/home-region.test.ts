/**
 * One writer region per account, through both local regions: every licensing write sent to the
 * region that is not the account's home is answered 421 with `homeRegion` and `homeEndpoint`, and
 * changes nothing (the account and its audit trail read the same before and after); licence polls
 * are answered by either region.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createOfflineRequest } from '#agent/sdk/offline';
import type { Ed25519PublicJwk } from '#agent/sdk/signing';
import { TestAgent } from '#test/support/agent-client';
import {
  accountView,
  activatedAgent,
  activationBody,
  api,
  call,
  expectProblem,
  newAccount,
  newActivationKey,
  opsToken,
  perpetual,
  type JsonResponse,
} from '#test/support/licensing-api';
import { tokenFor } from '#test/support/local-cloud';

jest.setTimeout(120_000);

const customer = (accountId: string) => tokenFor({ groups: ['customer'], accountId });
/** What a write could change: the account (products, installations, telemetry) and its audit trail. */
const accountAndTrail = async (accountId: string) => ({
  account: await accountView(accountId),
  audit: (await call('GET', `${api()}/v1/accounts/${accountId}/audit`, { token: opsToken() })).json,
});

function expectSentHome(res: JsonResponse) {
  expectProblem(res, 421);
  expect(res.json).toMatchObject({ homeRegion: 'eu', homeEndpoint: api('eu') });
}

describe('licensing writes sent to the region that is not the home', () => {
  let accountId: string;
  let agent: TestAgent;

  beforeAll(async () => {
    accountId = await newAccount([perpetual('ivr', 10), perpetual('acd', 4)]);
    ({ agent } = await activatedAgent(accountId, { allocation: { ivr: 2 } }));
  });

  const writes: [string, () => Promise<JsonResponse>][] = [
    [
      'a deposit into the account',
      () =>
        call('PUT', `${api('us')}/v1/ops/orders/us-${randomUUID()}`, {
          token: opsToken(),
          body: { account: { id: accountId }, lines: [perpetual('ivr', 5)] },
        }),
    ],
    [
      'an activation key (customer)',
      () =>
        call('POST', `${api('us')}/v1/accounts/${accountId}/activation-keys`, { token: customer(accountId), body: {} }),
    ],
    [
      'an allocation change (customer)',
      () =>
        call('PATCH', `${api('us')}/v1/accounts/${accountId}/installations/${agent.keyid}`, {
          token: customer(accountId),
          body: { allocation: { ivr: 3 } },
        }),
    ],
    [
      'the telemetry switch (customer)',
      () =>
        call('PATCH', `${api('us')}/v1/accounts/${accountId}/telemetry`, {
          token: customer(accountId),
          body: { enabled: false },
        }),
    ],
    [
      'a deactivation from the portal (customer)',
      () =>
        call('DELETE', `${api('us')}/v1/accounts/${accountId}/installations/${agent.keyid}`, {
          token: customer(accountId),
        }),
    ],
    ['a deactivation by the agent', () => agent.request(api('us'), 'DELETE', `/v1/installations/${agent.keyid}`)],
  ];

  it.each(writes)('answers 421 to %s and changes nothing', async (_name, write) => {
    const before = await accountAndTrail(accountId);

    const res = await write();

    expectSentHome(res);
    expect(await accountAndTrail(accountId)).toEqual(before);
  });

  it('answers 421 to an activation, with region and endpoint as before, and leaves the key unused', async () => {
    const key = await newActivationKey(accountId, { allocation: { acd: 1 } });
    const newcomer = await TestAgent.create();
    const before = await accountAndTrail(accountId);

    const elsewhere = await newcomer.request(api('us'), 'POST', '/v1/activations', activationBody(newcomer, key));
    const after = await accountAndTrail(accountId);
    const home = await newcomer.request(api('eu'), 'POST', '/v1/activations', activationBody(newcomer, key));

    expectSentHome(elsewhere);
    expect(elsewhere.json).toMatchObject({ region: 'eu', endpoint: api('eu') });
    expect(after).toEqual(before);
    expect(home.status).toBe(201);
  });

  it('answers 421 to an offline activation (customer)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const request = await createOfflineRequest(
      privateKey,
      publicKey.export({ format: 'jwk' }) as Ed25519PublicJwk,
      await newActivationKey(accountId, { allocation: { acd: 1 } }),
      { suiteVersion: '2025.2.1', nodes: ['air-1'] },
    );
    const before = await accountAndTrail(accountId);

    const res = await call('POST', `${api('us')}/v1/accounts/${accountId}/offline-activations`, {
      token: customer(accountId),
      body: request,
    });

    expectSentHome(res);
    expect(await accountAndTrail(accountId)).toEqual(before);
  });

  it('answers 421 to an order creating an account homed in the other region, and deposits nothing', async () => {
    const orderId = `create-${randomUUID()}`;
    const order = { account: { create: { name: 'EU Customer', region: 'eu' } }, lines: [perpetual('ivr', 1)] };

    const elsewhere = await call('PUT', `${api('us')}/v1/ops/orders/${orderId}`, { token: opsToken(), body: order });
    const home = await call('PUT', `${api('eu')}/v1/ops/orders/${orderId}`, { token: opsToken(), body: order });

    expectSentHome(elsewhere);
    expect(home.status).toBe(201);
    expect(home.json).toMatchObject({ orderId, accountCreated: true });
  });
});

describe('licence polls', () => {
  it('are answered by both regions, and a poll in the other region neither revives nor changes the installation', async () => {
    const accountId = await newAccount([perpetual('ivr', 3)]);
    const { agent } = await activatedAgent(accountId);
    const path = `/v1/installations/${agent.keyid}/license`;

    const fromUs = await agent.request(api('us'), 'GET', path);
    const fromEu = await agent.request(api('eu'), 'GET', path);
    const polled = await accountView(accountId);
    const deactivated = await call('DELETE', `${api('eu')}/v1/accounts/${accountId}/installations/${agent.keyid}`, {
      token: customer(accountId),
    });
    const afterFromUs = await agent.request(api('us'), 'GET', path);

    expect([fromUs.status, fromEu.status]).toEqual([200, 200]);
    expect(polled.installations).toEqual([
      expect.objectContaining({ installationId: agent.keyid, status: 'active', lastPollAt: expect.any(String) }),
    ]);
    expect(deactivated.status).toBe(204);
    expect(afterFromUs.status).toBe(410);
    expect((await accountView(accountId)).installations).toEqual([
      expect.objectContaining({ installationId: agent.keyid, status: 'deactivated' }),
    ]);
  });
});

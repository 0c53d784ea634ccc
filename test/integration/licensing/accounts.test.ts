import { careCycleSeconds } from '#lambdas/core/telemetry/cadence';
import { tokenFor } from '#test/support/local-cloud';
import { activatedAgent, api, call, expectProblem, newAccount, opsToken, perpetual } from '#test/support/licensing-api';

describe('account routes and who may use them', () => {
  let accountId: string;
  let otherAccountId: string;

  beforeAll(async () => {
    accountId = await newAccount([perpetual('ivr', 4)], { resellerId: 'res-alpha' });
    otherAccountId = await newAccount([perpetual('ivr', 4)], { resellerId: 'res-beta' });
  });

  const customer = () => tokenFor({ groups: ['customer'], accountId });
  const reseller = (resellerId: string) => tokenFor({ groups: ['reseller'], resellerId });

  it('lets the customer, its reseller and the back office create activation keys', async () => {
    const tokens = [customer(), reseller('res-alpha'), opsToken()];

    const results = await Promise.all(
      tokens.map((token) =>
        call('POST', `${api()}/v1/accounts/${accountId}/activation-keys`, { token, body: { allocation: { ivr: 1 } } }),
      ),
    );

    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(results[0]!.json).toMatchObject({
      activationKey: expect.stringMatching(/^UCX-/),
      expiresAt: expect.any(String),
    });
  });

  it('refuses a token for another account, another reseller and support', async () => {
    const url = `${api()}/v1/accounts/${otherAccountId}/activation-keys`;

    const byCustomer = await call('POST', url, { token: customer(), body: {} });
    const byReseller = await call('POST', url, { token: reseller('res-alpha'), body: {} });
    const bySupport = await call('POST', url, { token: tokenFor({ groups: ['support'] }), body: {} });
    const read = await call('GET', `${api()}/v1/accounts/${otherAccountId}`, { token: customer() });

    expectProblem(byCustomer, 403);
    expectProblem(byReseller, 403);
    expectProblem(bySupport, 403);
    expectProblem(read, 403);
  });

  it('validates activation-key bodies with paths', async () => {
    const url = `${api()}/v1/accounts/${accountId}/activation-keys`;

    const unknownProduct = await call('POST', url, { token: customer(), body: { allocation: { 'fax-machine': 1 } } });
    const notHeld = await call('POST', url, { token: customer(), body: { allocation: { acd: 1 } } });
    const zero = await call('POST', url, { token: customer(), body: { allocation: { ivr: 0 } } });
    const tooMany = await call('POST', url, { token: customer(), body: { allocation: { ivr: 99 } } });

    expectProblem(unknownProduct, 400, 'allocation.fax-machine');
    expectProblem(notHeld, 400, 'allocation.acd');
    expectProblem(zero, 400, 'allocation.ivr');
    expectProblem(tooMany, 409);
  });

  it('switches telemetry off and on, and the licence follows', async () => {
    const own = await newAccount([perpetual('ivr', 1)], { resellerId: 'res-alpha' });
    const { agent } = await activatedAgent(own);
    const url = `${api()}/v1/accounts/${own}/telemetry`;

    const off = await call('PATCH', url, { token: reseller('res-alpha'), body: { enabled: false } });
    const poll = await agent.request(api(), 'GET', `/v1/installations/${agent.keyid}/license`);
    const bad = await call('PATCH', url, { token: reseller('res-alpha'), body: { enabled: 'no' } });
    const on = await call('PATCH', url, {
      token: tokenFor({ groups: ['customer'], accountId: own }),
      body: { enabled: true },
    });

    expect(off.status).toBe(200);
    expect(off.json).toEqual({ enabled: false });
    const payload = JSON.parse(Buffer.from(poll.json.license.split('.')[1], 'base64url').toString());
    // Gold Care (perpetual's default) sends every 5 minutes while telemetry is on again.
    expect(payload.telemetry).toEqual({ enabled: false, intervalSeconds: careCycleSeconds.gold });
    expectProblem(bad, 400, 'enabled');
    expect(on.json).toEqual({ enabled: true });
  });
});

import { TestAgent } from '#test/support/agent-client';
import {
  accountView,
  activationBody,
  api,
  expectProblem,
  newAccount,
  newActivationKey,
  perpetual,
} from '#test/support/licensing-api';

describe('POST /v1/activations', () => {
  it('activates, and the same key with the same public key answers the same installation', async () => {
    const accountId = await newAccount([perpetual('attendant-console', 5)]);
    const key = await newActivationKey(accountId);
    const agent = await TestAgent.create();

    const first = await agent.request(api(), 'POST', '/v1/activations', activationBody(agent, key));
    const again = await agent.request(api(), 'POST', '/v1/activations', activationBody(agent, key));

    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({
      installationId: expect.stringMatching(/^inst_/),
      accountId,
      region: 'eu',
      license: expect.any(String),
      nextPollSeconds: expect.any(Number),
      telemetry: { enabled: true },
    });
    expect(again.status).toBe(200);
    expect(again.json.installationId).toBe(first.json.installationId);
  });

  it('refuses a used, an unknown and a malformed key', async () => {
    const accountId = await newAccount([perpetual('ivr', 2)]);
    const key = await newActivationKey(accountId, { allocation: { ivr: 1 } });
    const owner = await TestAgent.create();
    const thief = await TestAgent.create();
    await owner.request(api(), 'POST', '/v1/activations', activationBody(owner, key));

    const used = await thief.request(api(), 'POST', '/v1/activations', activationBody(thief, key));
    const unknown = await thief.request(
      api(),
      'POST',
      '/v1/activations',
      activationBody(thief, 'UCX-AAAAA-BBBBB-CCCCC-DDDDD'),
    );
    const malformed = await thief.request(api(), 'POST', '/v1/activations', {
      ...activationBody(thief, key),
      publicKey: { kty: 'RSA' },
    });

    expectProblem(used, 403);
    expectProblem(unknown, 403);
    expectProblem(malformed, 400, 'publicKey.kty');
  });

  it('sends an agent of a US account to the US region with 421', async () => {
    const accountId = await newAccount([perpetual('ivr', 1)], { region: 'us' });
    const key = await newActivationKey(accountId);
    const agent = await TestAgent.create();

    const res = await agent.request(api('eu'), 'POST', '/v1/activations', activationBody(agent, key));
    const there = await agent.request(api('us'), 'POST', '/v1/activations', activationBody(agent, key));

    expectProblem(res, 421);
    expect(res.json).toMatchObject({ region: 'us', endpoint: api('us') });
    expect(there.status).toBe(201);
  });

  it('lets exactly 10 of 50 concurrent activations take a capacity of 10', async () => {
    const accountId = await newAccount([perpetual('call-recording', 10)]);
    const keys = await Promise.all(
      Array.from({ length: 50 }, () => newActivationKey(accountId, { allocation: { 'call-recording': 1 } })),
    );
    const agents = await Promise.all(keys.map(() => TestAgent.create()));

    const results = await Promise.all(
      agents.map((agent, n) => agent.request(api(), 'POST', '/v1/activations', activationBody(agent, keys[n]!))),
    );

    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(40);
    const pool = (await accountView(accountId)).products.find(
      (p: { product: string }) => p.product === 'call-recording',
    );
    expect(pool).toMatchObject({ capacity: 10, allocated: 10, free: 0 });
  }, 120_000);

  it('refuses when the key asks more than is free', async () => {
    const accountId = await newAccount([perpetual('acd', 2)]);
    const key = await newActivationKey(accountId, { allocation: { acd: 2 } });
    const other = await newActivationKey(accountId, { allocation: { acd: 1 } });
    const first = await TestAgent.create();
    const second = await TestAgent.create();
    await first.request(api(), 'POST', '/v1/activations', activationBody(first, key));

    const res = await second.request(api(), 'POST', '/v1/activations', activationBody(second, other));

    expectProblem(res, 409);
  });
});

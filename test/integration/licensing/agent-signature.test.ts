import { generateKeyPairSync } from 'node:crypto';
import { TestAgent } from '#test/support/agent-client';
import {
  activatedAgent,
  activationBody,
  api,
  expectProblem,
  newAccount,
  newActivationKey,
  perpetual,
} from '#test/support/licensing-api';

describe('signed agent requests', () => {
  let agent: TestAgent;
  let path: string;

  beforeAll(async () => {
    const accountId = await newAccount([perpetual('contact-manager', 2)]);
    ({ agent } = await activatedAgent(accountId));
    path = `/v1/installations/${agent.keyid}/license`;
  });

  it('accepts a correctly signed poll', async () => {
    const res = await agent.request(api(), 'GET', path);

    expect(res.status).toBe(200);
  });

  // options are built when the test runs: a time computed at load would drift towards the window
  it.each([
    ['a missing signature', () => ({ omitSignature: true })],
    ['a signature from another key', () => ({ signWith: generateKeyPairSync('ed25519').privateKey })],
    ['an expired signature', () => ({ created: new Date(Date.now() - 310_000) })],
    ['a signature from the future', () => ({ created: new Date(Date.now() + 310_000) })],
  ])('refuses %s with 401', async (_case, options) => {
    const res = await agent.request(api(), 'GET', path, undefined, options());

    expectProblem(res, 401);
  });

  it('refuses an unknown installation key with 401', async () => {
    const stranger = await TestAgent.create();
    stranger.keyid = 'inst_unknown00000000';

    const res = await stranger.request(api(), 'GET', '/v1/installations/inst_unknown00000000/license');

    expectProblem(res, 401);
  });

  it('answers an unknown installation exactly as a known one with a bad signature (nothing tells which ids exist)', async () => {
    const stranger = await TestAgent.create();
    stranger.keyid = 'inst_unknown00000000';

    const unknown = await stranger.request(api(), 'GET', '/v1/installations/inst_unknown00000000/license');
    const forged = await agent.request(api(), 'GET', path, undefined, {
      signWith: generateKeyPairSync('ed25519').privateKey,
    });

    const answer = (res: typeof unknown) => ({ status: res.status, body: { ...res.json, instance: undefined } });
    expect(answer(unknown)).toEqual(answer(forged));
    expectProblem(unknown, 401);
  });

  it('refuses an activation whose body was changed after signing, and consumes no key', async () => {
    const accountId = await newAccount([perpetual('ivr', 1)]);
    const key = await newActivationKey(accountId);
    const newcomer = await TestAgent.create();

    const forged = await newcomer.request(api(), 'POST', '/v1/activations', activationBody(newcomer, key), {
      tamperBody: true,
    });
    const honest = await newcomer.request(api(), 'POST', '/v1/activations', activationBody(newcomer, key));

    expectProblem(forged, 401);
    expect(honest.status).toBe(201);
  });

  it('refuses an activation signed by a key other than the one it registers', async () => {
    const accountId = await newAccount([perpetual('ivr', 1)]);
    const key = await newActivationKey(accountId);
    const newcomer = await TestAgent.create();

    const res = await newcomer.request(api(), 'POST', '/v1/activations', activationBody(newcomer, key), {
      signWith: generateKeyPairSync('ed25519').privateKey,
    });

    expectProblem(res, 401);
  });
});

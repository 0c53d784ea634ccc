import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import {
  accountView,
  activatedAgent,
  api,
  call,
  expectProblem,
  newAccount,
  opsToken,
  perpetual,
} from '#test/support/licensing-api';

async function verifyLicense(jws: string, region: 'eu' | 'us' = 'eu') {
  const jwks = (await call('GET', `${api(region)}/.well-known/jwks.json`)).json as JSONWebKeySet;
  return (await jwtVerify(jws, createLocalJWKSet(jwks), { issuer: 'ucx-cloud' })).payload;
}

describe('GET /v1/installations/{id}/license', () => {
  it('answers 304 for the current ETag and a new ver after the back office deposits more capacity', async () => {
    const accountId = await newAccount([perpetual('attendant-console', 10, 'platinum')]);
    const { agent } = await activatedAgent(accountId);
    const path = `/v1/installations/${agent.keyid}/license`;
    const first = await agent.request(api(), 'GET', path);
    const etag = first.headers.get('etag')!;

    const unchanged = await agent.request(api(), 'GET', path, undefined, { headers: { 'if-none-match': etag } });
    const deposit = await call('PUT', `${api()}/v1/ops/orders/more-${randomUUID()}`, {
      token: opsToken(),
      body: { account: { id: accountId }, lines: [perpetual('attendant-console', 5, 'platinum')] },
    });
    const changed = await agent.request(api(), 'GET', path, undefined, { headers: { 'if-none-match': etag } });

    expect(first.status).toBe(200);
    expect(unchanged.status).toBe(304);
    expect(deposit.status).toBe(201);
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    const before = await verifyLicense(first.json.license);
    const after = await verifyLicense(changed.json.license);
    expect(after.ver).toBe((before.ver as number) + 1);
    expect(after).toMatchObject({
      sub: agent.keyid,
      acc: accountId,
      products: [{ product: 'attendant-console', capacity: 15, kind: 'perpetual', care: { level: 'platinum' } }],
      telemetry: { enabled: true },
      nextPollSeconds: first.json.nextPollSeconds,
    });
    expect(after.exp).toBeGreaterThan(Date.now() / 1000);
  });

  it('is answered by either region, signed by a key both JWKS list', async () => {
    const accountId = await newAccount([perpetual('ivr', 3)]);
    const { agent } = await activatedAgent(accountId);

    const fromUs = await agent.request(api('us'), 'GET', `/v1/installations/${agent.keyid}/license`);

    expect(fromUs.status).toBe(200);
    await expect(verifyLicense(fromUs.json.license, 'us')).resolves.toMatchObject({ sub: agent.keyid });
    await expect(verifyLicense(fromUs.json.license, 'eu')).resolves.toMatchObject({ sub: agent.keyid });
  });
});

describe('DELETE /v1/installations/{id}', () => {
  it('returns the capacity to the pool, answers 204 twice, and 410 afterwards', async () => {
    const accountId = await newAccount([perpetual('phone-lock', 8)]);
    const { agent } = await activatedAgent(accountId, { allocation: { 'phone-lock': 6 } });
    const allocatedBefore = (await accountView(accountId)).products[0];

    const first = await agent.request(api(), 'DELETE', `/v1/installations/${agent.keyid}`);
    const again = await agent.request(api(), 'DELETE', `/v1/installations/${agent.keyid}`);
    const poll = await agent.request(api(), 'GET', `/v1/installations/${agent.keyid}/license`);

    expect(allocatedBefore).toMatchObject({ allocated: 6, free: 2 });
    expect(first.status).toBe(204);
    expect(again.status).toBe(204);
    expectProblem(poll, 410);
    const account = await accountView(accountId);
    expect(account.products[0]).toMatchObject({ capacity: 8, allocated: 0, free: 8 });
    expect(account.installations[0]).toMatchObject({ installationId: agent.keyid, status: 'deactivated' });
  });
});

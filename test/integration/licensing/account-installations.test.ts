/**
 * The portal's installation routes through the local cloud: allocation edits within free capacity
 * (PATCH), deactivation (DELETE), and the sampled last poll in the account view.
 */
import { tokenFor } from '#test/support/local-cloud';
import type { TestAgent } from '#test/support/agent-client';
import {
  accountView,
  activatedAgent,
  api,
  call,
  expectProblem,
  newAccount,
  perpetual,
  type JsonResponse,
} from '#test/support/licensing-api';

jest.setTimeout(120_000);

const customer = (accountId: string) => tokenFor({ groups: ['customer'], accountId });
const installationUrl = (accountId: string, installationId: string) =>
  `${api()}/v1/accounts/${accountId}/installations/${installationId}`;
const patchAllocation = (accountId: string, installationId: string, allocation: unknown, token = customer(accountId)) =>
  call('PATCH', installationUrl(accountId, installationId), { token, body: { allocation } });
const poll = (agent: TestAgent, etag?: string) =>
  agent.request(api(), 'GET', `/v1/installations/${agent.keyid}/license`, undefined, {
    headers: etag ? { 'if-none-match': etag } : {},
  });
const claimsOf = (res: JsonResponse) =>
  JSON.parse(Buffer.from(String(res.json.license).split('.')[1]!, 'base64url').toString()) as {
    ver: number;
    products: { product: string; capacity: number }[];
  };
const pool = async (accountId: string, product: string) =>
  (await accountView(accountId)).products.find((p: { product: string }) => p.product === product);
const auditActions = async (accountId: string) =>
  (await call('GET', `${api()}/v1/accounts/${accountId}/audit`, { token: customer(accountId) })).json.events as {
    action: string;
    actor: { kind: string; id: string };
    details: Record<string, unknown>;
  }[];

describe('PATCH /v1/accounts/{accountId}/installations/{installationId}', () => {
  it('raises within free capacity and the agent’s next poll gets the new licence; lowering frees it again', async () => {
    const accountId = await newAccount([perpetual('ivr', 10), perpetual('acd', 3)]);
    const { agent } = await activatedAgent(accountId, { allocation: { ivr: 2 } });
    const first = await poll(agent);

    const raised = await patchAllocation(accountId, agent.keyid, { ivr: 6, acd: 1 });
    const afterRaise = await poll(agent, first.headers.get('etag')!);
    const poolAfterRaise = await pool(accountId, 'ivr');
    const lowered = await patchAllocation(accountId, agent.keyid, { ivr: 1 });

    expect(raised.status).toBe(200);
    expect(raised.json).toEqual({ installationId: agent.keyid, allocation: { ivr: 6, acd: 1 } });
    expect(afterRaise.status).toBe(200);
    expect(afterRaise.headers.get('etag')).not.toBe(first.headers.get('etag'));
    expect(claimsOf(afterRaise).ver).toBe(claimsOf(first).ver + 1);
    expect(claimsOf(afterRaise).products.map((p) => [p.product, p.capacity])).toEqual([
      ['acd', 1],
      ['ivr', 6],
    ]);
    expect(poolAfterRaise).toMatchObject({ capacity: 10, allocated: 6, free: 4 });
    expect(lowered.json.allocation).toEqual({ ivr: 1 });
    expect(await pool(accountId, 'ivr')).toMatchObject({ allocated: 1, free: 9 });
    expect(await pool(accountId, 'acd')).toMatchObject({ allocated: 0, free: 3 });
    const [latest] = await auditActions(accountId);
    expect(latest).toMatchObject({
      action: 'installation.allocation-changed',
      actor: { kind: 'customer' },
      details: { installationId: agent.keyid, from: { ivr: 6, acd: 1 }, to: { ivr: 1 } },
    });
  });

  it('lets exactly 5 of 20 concurrent raises by 1 take the 5 free', async () => {
    const accountId = await newAccount([perpetual('call-recording', 25)]);
    const agents = await Promise.all(
      Array.from({ length: 20 }, () => activatedAgent(accountId, { allocation: { 'call-recording': 1 } })),
    );

    const results = await Promise.all(
      agents.map(({ agent }) => patchAllocation(accountId, agent.keyid, { 'call-recording': 2 })),
    );

    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(15);
    for (const refused of results.filter((r) => r.status === 409))
      expectProblem(refused, 409, 'allocation.call-recording');
    expect(await pool(accountId, 'call-recording')).toMatchObject({ capacity: 25, allocated: 25, free: 0 });
    const allocations = (await accountView(accountId)).installations.map(
      (i: { allocation: Record<string, number> }) => i.allocation['call-recording'],
    );
    expect(allocations.reduce((a: number, b: number) => a + b, 0)).toBe(25);
  }, 240_000);

  it('refuses bad input with problem+json naming the failing path, and writes nothing', async () => {
    const accountId = await newAccount([perpetual('ivr', 4)]);
    const { agent } = await activatedAgent(accountId, { allocation: { ivr: 2 } });
    const before = { view: await accountView(accountId), audit: await auditActions(accountId) };

    const negative = await patchAllocation(accountId, agent.keyid, { ivr: -1 });
    const fraction = await patchAllocation(accountId, agent.keyid, { ivr: 1.5 });
    const unknownProduct = await patchAllocation(accountId, agent.keyid, { 'fax-machine': 1 });
    const notHeld = await patchAllocation(accountId, agent.keyid, { ivr: 2, acd: 1 });
    const empty = await patchAllocation(accountId, agent.keyid, {});
    const extraField = await call('PATCH', installationUrl(accountId, agent.keyid), {
      token: customer(accountId),
      body: { allocation: { ivr: 1 }, note: 'x' },
    });
    const badId = await patchAllocation(accountId, 'not-an-installation', { ivr: 1 });
    const beyond = await patchAllocation(accountId, agent.keyid, { ivr: 5 });

    expectProblem(negative, 400, 'allocation.ivr');
    expectProblem(fraction, 400, 'allocation.ivr');
    expectProblem(unknownProduct, 400, 'allocation.fax-machine');
    expectProblem(notHeld, 400, 'allocation.acd');
    expectProblem(empty, 400, 'allocation');
    expectProblem(extraField, 400, 'note');
    expectProblem(badId, 400, 'params.installationId');
    expectProblem(beyond, 409, 'allocation.ivr');
    expect(beyond.json.errors).toEqual([
      { path: 'allocation.ivr', message: 'only 2 more are free: at most 4 for this installation' },
    ]);
    expect(await accountView(accountId)).toEqual(before.view);
    expect(await auditActions(accountId)).toEqual(before.audit);
  });
});

describe('DELETE /v1/accounts/{accountId}/installations/{installationId}', () => {
  it('gives the capacity back, records who did it, and the agent’s poll gets 410; again 204', async () => {
    const accountId = await newAccount([perpetual('phone-lock', 8)]);
    const { agent } = await activatedAgent(accountId, { allocation: { 'phone-lock': 6 } });
    const token = tokenFor({ groups: ['customer'], accountId, sub: 'sub-admin-e2e' });

    const first = await call('DELETE', installationUrl(accountId, agent.keyid), { token });
    const again = await call('DELETE', installationUrl(accountId, agent.keyid), { token });
    const agentPoll = await poll(agent);

    expect(first.status).toBe(204);
    expect(again.status).toBe(204);
    expectProblem(agentPoll, 410);
    const view = await accountView(accountId);
    expect(view.products[0]).toMatchObject({ capacity: 8, allocated: 0, free: 8 });
    expect(view.installations[0]).toMatchObject({ installationId: agent.keyid, status: 'deactivated' });
    const deactivations = (await auditActions(accountId)).filter((e) => e.action === 'installation.deactivated');
    expect(deactivations).toEqual([
      expect.objectContaining({
        actor: { kind: 'customer', id: 'sub-admin-e2e' },
        details: { installationId: agent.keyid, released: { 'phone-lock': 6 } },
      }),
    ]);
  });
});

describe('who may edit and deactivate an installation', () => {
  it('refuses another account’s customer (403) and an installation named under the wrong account (404), changing nothing', async () => {
    const [accountId, otherAccountId] = await Promise.all([
      newAccount([perpetual('ivr', 4)], { resellerId: 'res-inst-a' }),
      newAccount([perpetual('ivr', 4)], { resellerId: 'res-inst-b' }),
    ]);
    const { agent } = await activatedAgent(accountId, { allocation: { ivr: 1 } });
    const intruder = customer(otherAccountId);
    const otherReseller = tokenFor({ groups: ['reseller'], resellerId: 'res-inst-b' });

    const attempts = [
      await patchAllocation(accountId, agent.keyid, { ivr: 2 }, intruder),
      await call('DELETE', installationUrl(accountId, agent.keyid), { token: intruder }),
      await patchAllocation(accountId, agent.keyid, { ivr: 2 }, otherReseller),
      await call('DELETE', installationUrl(accountId, agent.keyid), { token: tokenFor({ groups: ['support'] }) }),
    ];
    const underWrongAccount = [
      await patchAllocation(otherAccountId, agent.keyid, { ivr: 2 }, customer(otherAccountId)),
      await call('DELETE', installationUrl(otherAccountId, agent.keyid), { token: customer(otherAccountId) }),
    ];
    const byItsReseller = await patchAllocation(
      accountId,
      agent.keyid,
      { ivr: 3 },
      tokenFor({ groups: ['reseller'], resellerId: 'res-inst-a' }),
    );

    for (const res of attempts) expectProblem(res, 403);
    for (const res of underWrongAccount) expectProblem(res, 404);
    expect(byItsReseller.status).toBe(200);
    expect((await accountView(accountId)).installations[0]).toMatchObject({ status: 'active', allocation: { ivr: 3 } });
  });
});

describe('the last poll in the account view', () => {
  it('appears after a poll and is not rewritten by a second poll within the hour', async () => {
    const accountId = await newAccount([perpetual('ivr', 2)]);
    const { agent } = await activatedAgent(accountId, { allocation: { ivr: 1 } });
    const never = (await accountView(accountId)).installations[0].lastPollAt;

    const startedAt = Date.now();
    const first = await poll(agent);
    const afterFirst = (await accountView(accountId)).installations[0].lastPollAt;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await poll(agent, first.headers.get('etag')!);
    const afterSecond = (await accountView(accountId)).installations[0].lastPollAt;

    expect(never).toBeNull();
    expect(first.status).toBe(200);
    expect(second.status).toBe(304);
    expect(Date.parse(afterFirst)).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(Date.parse(afterFirst)).toBeLessThanOrEqual(Date.now());
    expect(afterSecond).toBe(afterFirst);
  });
});

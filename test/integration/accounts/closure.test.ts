/**
 * Closure, export and retention on a local cloud of this file's own (the clock moves 31 days):
 * an account with installations, telemetry, a finding, a user and a connected Microsoft 365 tenant
 * is exported, closed (polls 410, telemetry 403, nothing new accepted), and after the retention
 * period the eraser schedule deletes what the privacy policy deletes and keeps the licensing records.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { findingItemOf } from '#lambdas/adapters/dynamodb-support-store';
import { localDynamoDb } from '#local/clients';
import type { TestAgent } from '#test/support/agent-client';
import { activatedAgent, api, call, expectProblem, newAccount, opsToken, perpetual } from '#test/support/licensing-api';
import { advanceClock, cloud, tokenFor, withOwnCloud } from '#test/support/local-cloud';
import { connectTenant, presenceTable } from '#test/support/presence-api';
import { findingOf } from '#test/support/support-fixtures';
import { postBeats } from '#test/support/telemetry-api';
import { validBeat } from '#test/support/telemetry-fixtures';

jest.setTimeout(240_000);

withOwnCloud();

const customer = (accountId: string) => tokenFor({ groups: ['customer'], accountId });
const poll = (agent: TestAgent) => agent.request(api(), 'GET', `/v1/installations/${agent.keyid}/license`);
const beats = () => ({ beats: [{ ...validBeat('ucx.ivr'), id: randomUUID(), collectedAt: new Date().toISOString() }] });
const logicalId = (prefix: string) => {
  const ids = Object.keys(cloud().regions.eu.resources).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${prefix}…, found [${ids.join(', ')}]`);
  return ids[0]!;
};
const supportTable = () => cloud().regions.eu.resources[logicalId('SupportTable')]!;
const licensingTable = () =>
  Object.entries(cloud().regions.eu.resources).find(([id]) => id.startsWith('LicensingTable'))![1];

let documents: DynamoDBDocumentClient;
beforeAll(() => {
  documents = DynamoDBDocumentClient.from(localDynamoDb(cloud().regions.eu.endpoints.dynamodb));
});
afterAll(() => documents?.destroy());

const itemsOf = async (table: string, pk: string) =>
  (
    await documents.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
      }),
    )
  ).Items ?? [];

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const auditActions = async (accountId: string) =>
  (
    (await call('GET', `${api()}/v1/accounts/${accountId}/audit?limit=1000`, { token: opsToken() })).json.events as {
      action: string;
    }[]
  ).map((e) => e.action);

describe('closing an account on the local cloud', () => {
  let accountId: string;
  let agents: TestAgent[];
  let name: string;

  beforeAll(async () => {
    accountId = await newAccount([perpetual('ivr', 10)]);
    name = (await call('GET', `${api()}/v1/accounts/${accountId}`, { token: opsToken() })).json.name;
    agents = [
      (await activatedAgent(accountId, { allocation: { ivr: 2 } })).agent,
      (await activatedAgent(accountId, { allocation: { ivr: 3 } })).agent,
    ];
    for (const agent of agents) expect((await postBeats(agent, beats())).status).toBe(202);
    // the rules consumer writes each installation's state from the stream
    for (const agent of agents)
      await eventually(
        () => itemsOf(supportTable(), `INST#${agent.keyid}`),
        (items) => items.some((i) => i.sk === 'STATE'),
        'the rules state',
      );
    const finding = findingOf(agents[0]!.keyid, accountId);
    await documents.send(new PutCommand({ TableName: supportTable(), Item: findingItemOf(finding) }));
    const invited = await call('POST', `${api()}/v1/accounts/${accountId}/users`, {
      token: opsToken(),
      body: { email: `closure-${randomUUID().slice(0, 8)}@fabrikam.example` },
    });
    expect(invited.status).toBe(201);
    await connectTenant(accountId);
  });

  it('exports every section as an attachment, and audits it', async () => {
    const res = await call('GET', `${api()}/v1/accounts/${accountId}/export`, { token: customer(accountId) });

    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="account-${accountId}.json"`);
    expect(res.json).toMatchObject({
      format: 'ucx-account-export/1',
      account: { accountId, name, region: 'eu' },
      telemetry: { enabled: true },
      entitlements: [expect.objectContaining({ product: 'ivr', quantity: 10 })],
      productPools: [expect.objectContaining({ product: 'ivr', allocated: 5 })],
      installations: expect.arrayContaining(
        agents.map((a) => expect.objectContaining({ installationId: a.keyid, status: 'active' })),
      ),
      activationKeys: [
        expect.objectContaining({ allocation: { ivr: 2 } }),
        expect.objectContaining({ allocation: { ivr: 3 } }),
      ],
      support: { findings: [expect.objectContaining({ ruleId: 'db-express-cap' })] },
      presence: { enabled: true, tenant: expect.objectContaining({ tenantId: expect.any(String) }) },
      users: [expect.objectContaining({ email: expect.stringMatching(/^closure-/) })],
      termsConsents: expect.any(Array),
    });
    expect(res.json.audit.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['installation.activated', 'presence.connected']),
    );
    expect(res.text).not.toMatch(/sealedRefreshToken|refresh_token/);
    expect(await auditActions(accountId)).toContain('account.exported');
  });

  it('closes it: every poll 410, telemetry 403, nothing new accepted; closing again answers the same', async () => {
    const wrongName = await call('POST', `${api()}/v1/accounts/${accountId}/closure`, {
      token: customer(accountId),
      body: { confirmName: `${name} (not)` },
    });
    const closed = await call('POST', `${api()}/v1/accounts/${accountId}/closure`, {
      token: customer(accountId),
      body: { confirmName: name },
    });
    const again = await call('POST', `${api()}/v1/accounts/${accountId}/closure`, {
      token: opsToken(),
      body: { confirmName: name },
    });

    expectProblem(wrongName, 400, 'confirmName');
    expect(closed.status).toBe(200);
    expect(closed.json).toMatchObject({ accountId, status: 'closed', eraseAfter: expect.any(String) });
    expect(Date.parse(closed.json.eraseAfter) - Date.parse(closed.json.closedAt)).toBe(30 * 86_400_000);
    expect(again.json).toEqual(closed.json);
    for (const agent of agents) {
      expect((await poll(agent)).status).toBe(410);
      expect((await postBeats(agent, beats())).status).toBe(403);
    }
    expectProblem(
      await call('POST', `${api()}/v1/accounts/${accountId}/activation-keys`, { token: opsToken(), body: {} }),
      410,
    );
    expectProblem(
      await call('PATCH', `${api()}/v1/accounts/${accountId}/telemetry`, {
        token: customer(accountId),
        body: { enabled: true },
      }),
      410,
    );
    expectProblem(
      await call('PUT', `${api()}/v1/ops/orders/after-closure-${randomUUID()}`, {
        token: opsToken(),
        body: { account: { id: accountId }, lines: [perpetual('ivr', 1)] },
      }),
      410,
    );
    const view = await call('GET', `${api()}/v1/accounts/${accountId}`, { token: opsToken() });
    expect(view.json.installations).toEqual(agents.map(() => expect.objectContaining({ status: 'deactivated' })));
    expect((await call('GET', `${api()}/v1/accounts/${accountId}/presence`, { token: opsToken() })).json).toMatchObject(
      {
        enabled: false,
      },
    );
    expect(await auditActions(accountId)).toEqual(expect.arrayContaining(['account.closed', 'presence.disconnected']));
  });

  it('after the retention period the eraser deletes the erasable data, keeps the licensing records, and runs again harmlessly', async () => {
    const before = {
      support: await itemsOf(supportTable(), `INST#${agents[0]!.keyid}`),
      presence: await presenceTable().itemsOf(accountId),
    };

    const moved = await advanceClock({ days: 31 });
    const rerun = await call('POST', `${api()}/local/schedules/${logicalId('AccountEraserSchedule')}/run`);

    expect(before.support.map((i) => i.sk)).toEqual(
      expect.arrayContaining(['STATE', expect.stringMatching(/^FINDING#/)]),
    );
    expect(before.presence.length).toBeGreaterThan(0);
    const eraserRun = moved.schedulesRun.find(
      (r) => r.schedule.startsWith('AccountEraserSchedule') && r.region === 'eu',
    );
    expect(eraserRun?.result).toMatchObject({ erased: [accountId] });
    expect(rerun.status).toBe(200);
    expect(rerun.json.result).toEqual({ erased: [], unfinished: [], skipped: [] });
    for (const agent of agents) expect(await itemsOf(supportTable(), `INST#${agent.keyid}`)).toEqual([]);
    expect(await presenceTable().itemsOf(accountId)).toEqual([]);
    const users = await call('GET', `${api()}/v1/accounts/${accountId}/users`, { token: opsToken() });
    expect(users.json.users).toEqual([]);
    // kept: the account reduced, its entitlements and the licence audit, each with its expiry
    const account = await call('GET', `${api()}/v1/accounts/${accountId}`, { token: opsToken() });
    expect(account.status).toBe(200);
    const closure = await call('GET', `${api()}/v1/accounts/${accountId}/closure`, { token: opsToken() });
    expect(closure.json).toMatchObject({ status: 'closed', erasedAt: expect.any(String) });
    const kept = await itemsOf(licensingTable(), `ACC#${accountId}`);
    expect(kept.map((i) => i.sk)).toEqual(expect.arrayContaining(['META', expect.stringMatching(/^ENT#ivr#/)]));
    expect(kept.every((i) => typeof i.ttl === 'number')).toBe(true);
    // the keys its installations were bound to go with them (docs/retention.md)
    for (const agent of agents) {
      const bound = await itemsOf(licensingTable(), `THUMB#${agent.thumbprint}`);
      expect(bound).toEqual([expect.objectContaining({ ttl: kept.find((i) => i.sk === 'META')!.ttl })]);
    }
    const actions = await auditActions(accountId);
    expect(actions).toEqual(expect.arrayContaining(['order.deposited', 'installation.activated', 'account.erased']));
    expect(actions.filter((a) => a === 'account.erased')).toHaveLength(1);
    expect(await call('DELETE', `${api()}/v1/accounts/${accountId}/closure`, { token: opsToken() })).toMatchObject({
      status: 410,
    });
  });
});

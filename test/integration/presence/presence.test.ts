/**
 * The Presence Service on a local cloud of its own (its clock moves): a tenant connected, the
 * reference agent's session, changes from the Graph stand-in to the agent, renewal before expiry,
 * lifecycle events, bad input, and a disconnection that erases everything.
 */
import { activatedAgent, api, call, newAccount, perpetual } from '#test/support/licensing-api';
import { advanceClock, cloud, withOwnCloud } from '#test/support/local-cloud';
import {
  connectTenant,
  customerToken,
  eventually,
  graphLifecycle,
  presenceTable,
  sessionFor,
  setGraphPresence,
} from '#test/support/presence-api';

jest.setTimeout(120_000);
withOwnCloud();

const upns = ['user1@contoso.example', 'user2@contoso.example', 'user3@contoso.example'];

describe('the Presence Service', () => {
  let accountId: string;
  let agent: Awaited<ReturnType<typeof activatedAgent>>['agent'];

  beforeAll(async () => {
    accountId = await newAccount([perpetual('attendant-console', 5)]);
    ({ agent } = await activatedAgent(accountId));
  });

  it('refuses a session while Presence is off, then connects a tenant and shows who connected it', async () => {
    // Arrange
    const { session } = sessionFor(agent);
    const refused = new Promise<{ status?: number }>((done) =>
      session.on('state', (s: { state: string; status?: number }) => s.state === 'refused' && done(s)),
    );

    // Act
    session.connect();
    const refusal = await refused;
    await session.close();
    await connectTenant(accountId);
    const settings = await call('GET', `${api()}/v1/accounts/${accountId}/presence`, {
      token: customerToken(accountId),
    });

    // Assert
    expect(refusal.status).toBe(403);
    expect(settings.json).toMatchObject({
      enabled: true,
      tenant: { tenantId: cloud().identity.tenantId, connectedBy: 'admin@contoso.example' },
    });
  });

  it('relays a change of a watched user to the session, once, with no Graph read', async () => {
    // Arrange
    const { session, seen } = sessionFor(agent);
    session.connect();
    session.subscribe(upns);
    await eventually(() => seen.snapshot.length === 3, 'the snapshot of 3 users');

    // Act
    await setGraphPresence('user2@contoso.example', 'Busy', 'InACall');
    await eventually(() => seen.presence.length > 0, 'the change at the agent');
    await setGraphPresence('user2@contoso.example', 'Busy', 'InACall'); // Graph repeating itself
    await setGraphPresence('user9@contoso.example', 'Away', 'Away'); // nobody watches user9
    await setGraphPresence('user3@contoso.example', 'Available', 'Available');
    await eventually(() => seen.presence.length > 1, 'the second change');
    await session.close();

    // Assert
    expect(seen.snapshot.map((p) => p.user).sort()).toEqual(upns);
    expect(seen.presence.map((p) => [p.user, p.availability, p.activity])).toEqual([
      ['user2@contoso.example', 'Busy', 'InACall'],
      ['user3@contoso.example', 'Available', 'Available'],
    ]);
  });

  it('answers frames it cannot take with an error frame and keeps the session open', async () => {
    // Arrange
    const { session, seen } = sessionFor(agent);
    session.connect();
    session.subscribe(['user4@contoso.example']);
    await eventually(() => seen.snapshot.length === 1, 'the first snapshot');
    const ws = (session as unknown as { socket?: { send(text: string): void } }).socket;

    // Act
    ws?.send('not json');
    ws?.send(JSON.stringify({ op: 'subscribe', id: 'x1', users: ['not-a-upn'] }));
    ws?.send(JSON.stringify({ op: 'teleport', id: 'x2' }));
    await eventually(() => seen.errors.length === 3, 'three error frames');
    session.subscribe(['user5@contoso.example']);
    await eventually(() => seen.snapshot.some((p) => p.user === 'user5@contoso.example'), 'a later snapshot');
    await session.close();

    // Assert
    expect(seen.errors).toEqual([
      expect.objectContaining({ op: 'error', status: 400, title: 'Frame is not JSON' }),
      expect.objectContaining({ op: 'error', id: 'x1', status: 400, detail: expect.stringContaining('users.0') }),
      expect.objectContaining({ op: 'error', id: 'x2', status: 400, detail: expect.stringContaining('op') }),
    ]);
  });

  it('answers the signed HTTP snapshot for a suite without WebSockets, judging its body only after the signature', async () => {
    // Arrange
    const path = `/v1/installations/${agent.keyid}/presence/snapshot`;

    // Act
    const answered = await agent.request(api(), 'POST', path, {
      users: ['User1@Contoso.example', 'nobody@contoso.example'],
    });
    const badBody = await agent.request(api(), 'POST', path, { users: ['not-a-upn'] });
    const unsigned = await call('POST', `${api()}${path}`, { body: { users: ['not-a-upn'] } });

    // Assert
    expect(answered.status).toBe(200);
    expect(answered.json).toMatchObject({
      presences: [{ user: 'user1@contoso.example', availability: expect.any(String) }],
      unknown: ['nobody@contoso.example'],
    });
    expect(badBody.status).toBe(400);
    expect(badBody.json.errors).toEqual([expect.objectContaining({ path: 'users.0' })]);
    expect(unsigned.status).toBe(401);
  });

  it('renews a subscription before it expires while the session stays open, and resyncs it after a missed notification', async () => {
    // Arrange
    const { session, seen } = sessionFor(agent);
    session.connect();
    session.subscribe(upns);
    await eventually(() => seen.snapshot.length >= 3, 'the snapshot');
    const table = presenceTable();
    const subscriptionId = (await table.get(`USER#${accountId}`, 'a0000000-0000-4000-8000-000000000001'))
      ?.subscriptionId as string;
    const before = (await table.get(`PSUB#${subscriptionId}`, 'PSUB'))?.expiresAt as string;

    // Act: 40 minutes on in 5-minute steps, the suite pinging as it does (a session idle 10 minutes is closed)
    const ws = (session as unknown as { socket?: { send(text: string): void } }).socket;
    for (let step = 0; step < 8; step++) {
      ws?.send(JSON.stringify({ op: 'ping' }));
      await new Promise((r) => setTimeout(r, 100));
      await advanceClock({ seconds: 5 * 60 });
    }
    const renewed = await (async () => {
      for (let i = 0; i < 200; i++) {
        const item = await table.get(`PSUB#${subscriptionId}`, 'PSUB');
        if (item && (item.expiresAt as string) > before) return item.expiresAt as string;
        await new Promise((r) => setTimeout(r, 50));
      }
      return undefined;
    })();
    await graphLifecycle('missed');
    await eventually(() => seen.resync.length >= 3, 'the resync');
    await session.close();

    // Assert
    expect(renewed).toBeDefined();
    expect(Date.parse(renewed!) - Date.parse(before)).toBeGreaterThan(30 * 60_000);
    expect(seen.resync.map((p) => p.user).sort()).toEqual(upns);
    expect(seen.reconnected).toEqual([]); // the session stayed open throughout
  });

  it('disconnecting closes the sessions and erases the token, subscriptions and presence', async () => {
    // Arrange
    const { session, seen } = sessionFor(agent);
    const states: string[] = [];
    session.on('state', (s: { state: string; status?: number; reason?: string }) =>
      states.push(`${s.state} ${s.status ?? ''} ${s.reason ?? ''}`),
    );
    session.connect();
    session.subscribe(upns);
    await eventually(() => seen.snapshot.length >= 3, 'the snapshot');
    const table = presenceTable();
    expect((await table.itemsOf(accountId)).length).toBeGreaterThan(3);

    // Act
    const res = await call('DELETE', `${api()}/v1/accounts/${accountId}/presence/connections`, {
      token: customerToken(accountId),
    });
    await eventually(
      () => session.state === 'refused',
      () => `the session refused (states: ${states.join(' → ')})`,
      30_000,
    );
    const left = await table.itemsOf(accountId);

    // Assert
    expect(res.status).toBe(204);
    expect(states.at(-2)).toMatch(/^connecting .*closed/);
    expect(states.at(-1)).toMatch(/^refused 403 .*No Microsoft 365 tenant/);
    expect(left).toEqual([{ pk: `ACCOUNT#${accountId}`, sk: 'PRESENCE', enabled: true }]);
  });
});

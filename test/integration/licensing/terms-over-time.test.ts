/**
 * Entitlements and Care as the local cloud's clock moves (a cloud of this file's own: the run's
 * cloud is shared, and other files' keys and licences would expire under them). Nothing is written
 * between the moves: capacity, licences and Care follow the entitlements at the cloud's instant.
 */
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import type { TestAgent } from '#test/support/agent-client';
import { accountView, activatedAgent, api, call, newAccount, opsToken, perpetual } from '#test/support/licensing-api';
import { advanceClock, cloudNow, tokenFor, withOwnCloud } from '#test/support/local-cloud';
import { postBeats } from '#test/support/telemetry-api';

jest.setTimeout(180_000);

withOwnCloud();

const DAY_MS = 86_400_000;
const fromNow = (days: number) => new Date(cloudNow().getTime() + days * DAY_MS).toISOString();

async function licence(agent: TestAgent) {
  const res = await agent.request(api(), 'GET', `/v1/installations/${agent.keyid}/license`);
  if (res.status !== 200) throw new Error(`licence poll: ${res.status} ${res.text}`);
  const jwks = (await call('GET', `${api()}/.well-known/jwks.json`)).json as JSONWebKeySet;
  const { payload } = await jwtVerify(res.json.license as string, createLocalJWKSet(jwks), {
    issuer: 'ucx-cloud',
    currentDate: cloudNow(),
  });
  return payload as { ver: number; products: Record<string, unknown>[] };
}

const productOf = async (accountId: string, product: string) =>
  ((await accountView(accountId)).products as { product: string }[]).find((p) => p.product === product);

describe('entitlements over time on the local cloud', () => {
  it('a perpetual 5 and a subscription 3 ending tomorrow: capacity 8 today, 5 after the end, the terms saying so', async () => {
    // Arrange
    const endsAt = fromNow(1);
    const accountId = await newAccount([
      { product: 'ivr', quantity: 5, kind: 'perpetual' },
      { product: 'ivr', quantity: 3, kind: 'subscription', startsAt: fromNow(-30), endsAt },
    ]);
    const { agent } = await activatedAgent(accountId);
    const today = await licence(agent);
    const capacityToday = await productOf(accountId, 'ivr');

    // Act
    await advanceClock({ days: 1, seconds: 3600 });
    const afterTheEnd = await licence(agent);
    const capacityAfter = await productOf(accountId, 'ivr');
    const more = await call('POST', `${api()}/v1/accounts/${accountId}/activation-keys`, {
      token: opsToken(),
      body: { allocation: { ivr: 1 } },
    });

    // Assert
    expect(capacityToday).toMatchObject({ capacity: 8, allocated: 8, free: 0, expiresAt: endsAt });
    expect(today.products).toEqual([
      expect.objectContaining({
        product: 'ivr',
        capacity: 8,
        kind: 'subscription',
        expiresAt: endsAt,
        terms: [
          { quantity: 5, kind: 'perpetual' },
          { quantity: 3, kind: 'subscription', startsAt: expect.any(String), endsAt },
        ],
      }),
    ]);
    expect(capacityAfter).toMatchObject({ capacity: 5, allocated: 8, free: 0, shortfall: { quantity: 3 } });
    expect(afterTheEnd.ver).toBeGreaterThan(today.ver);
    expect(afterTheEnd.products).toEqual([
      expect.objectContaining({
        capacity: 8,
        terms: [{ quantity: 5, kind: 'perpetual' }],
        shortfall: { quantity: 3, enforcedAt: new Date(Date.parse(endsAt) + 30 * DAY_MS).toISOString() },
      }),
    ]);
    expect(more.status).toBe(409);
  });

  it('a shortfall keeps the allocation until enforcedAt, and the licence carries only what is covered after it', async () => {
    // Arrange
    const accountId = await newAccount([
      { product: 'acd', quantity: 2, kind: 'perpetual' },
      { product: 'acd', quantity: 2, kind: 'subscription', startsAt: fromNow(-10), endsAt: fromNow(1) },
    ]);
    const { agent } = await activatedAgent(accountId);
    await advanceClock({ days: 2 });
    const inGrace = await licence(agent);

    // Act
    await advanceClock({ days: 30 });
    const enforced = await licence(agent);

    // Assert
    expect(inGrace.products).toEqual([expect.objectContaining({ capacity: 4, shortfall: expect.any(Object) })]);
    expect(enforced.products).toEqual([
      { product: 'acd', capacity: 2, kind: 'perpetual', terms: [{ quantity: 2, kind: 'perpetual' }] },
    ]);
    // the stored allocation is reduced by the hourly enforcement step once this account's scan segment
    // comes round (shortfall-enforcement.test.ts); the licence above is enforced at read time either way
    const product = await productOf(accountId, 'acd');
    expect(product).toMatchObject({ capacity: 2 });
    expect([2, 4]).toContain((product as { allocated?: number } | undefined)?.allocated);
  });

  it('Care renewed by a care line: the licence’s care.expiresAt follows it', async () => {
    // Arrange
    const accountId = await newAccount([
      { product: 'phone-lock', quantity: 3, kind: 'perpetual', care: { level: 'gold', endsAt: fromNow(20) } },
    ]);
    const { agent } = await activatedAgent(accountId);
    const before = await licence(agent);
    const renewedUntil = fromNow(385);

    // Act
    const renewal = await call('PUT', `${api()}/v1/ops/orders/care-${randomUUID()}`, {
      token: opsToken(),
      body: {
        account: { id: accountId },
        lines: [{ product: 'phone-lock', kind: 'care', care: { level: 'gold', endsAt: renewedUntil } }],
      },
    });
    const after = await licence(agent);

    // Assert
    expect(renewal.status).toBe(201);
    expect(before.products[0]?.care).toEqual({ level: 'gold', expiresAt: expect.any(String) });
    expect(after.products[0]).toMatchObject({ capacity: 3, care: { level: 'gold', expiresAt: renewedUntil } });
    expect(await productOf(accountId, 'phone-lock')).toMatchObject({
      capacity: 3,
      care: { level: 'gold', expiresAt: renewedUntil },
    });
  });

  it('a Gold account whose Care has lapsed gets no proactive event; one whose Care runs does', async () => {
    // Arrange: two Gold accounts, one whose Care ends tomorrow; the clock moves past it
    const lapsing = await newAccount([
      { product: 'attendant-console', quantity: 2, kind: 'perpetual', care: { level: 'gold', endsAt: fromNow(1) } },
    ]);
    const running = await newAccount([perpetual('attendant-console', 2, 'gold')]);
    const { agent: lapsed } = await activatedAgent(lapsing);
    const { agent: covered } = await activatedAgent(running);
    await advanceClock({ days: 2 });

    // Act: both report a database over 92 % of the Express cap
    for (const agent of [lapsed, covered]) {
      const at = cloudNow().getTime();
      const res = await postBeats(agent, {
        beats: [
          {
            id: randomUUID(),
            type: 'ucx.database_server',
            collectedAt: new Date(at - 2000).toISOString(),
            data: { edition: 'Express Edition (64-bit)', version: '16.0.1000.6', instanceName: 'SQLEXPRESS' },
          },
          {
            id: randomUUID(),
            type: 'ucx.database',
            collectedAt: new Date(at - 1000).toISOString(),
            data: {
              name: 'UCX',
              sizeBytes: Math.round(9.5 * 1024 ** 3),
              filePaths: ['C:\\Program Files\\Microsoft SQL Server\\UCX.mdf'],
              authType: 'windows',
              fullTextCatalogStatus: 'Idle',
              lastMaintenanceAt: new Date(at - 1000).toISOString(),
            },
          },
        ],
      });
      expect(res.status).toBe(202);
    }
    const lapsedFinding = await expressFinding(lapsed.keyid);
    const coveredFinding = await expressFinding(covered.keyid);

    // Assert: both are found; only the one with Care is told proactively
    expect(lapsedFinding.status).toBe('open');
    expect(coveredFinding.status).toBe('open');
    expect(await busEvents(covered.keyid)).toEqual(['opened']);
    expect(await busEvents(lapsed.keyid)).toEqual([]);
  });
});

async function expressFinding(installationId: string): Promise<{ status: string }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await call('GET', `${api()}/v1/installations/${installationId}/findings?status=all`, {
      token: tokenFor({ groups: ['support'] }),
    });
    const found = (res.json?.findings ?? []).find((f: { ruleId: string }) => f.ruleId === 'db-express-cap');
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for the db-express-cap finding of ${installationId}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function busEvents(installationId: string): Promise<string[]> {
  const res = await call('GET', `${api()}/local/events`);
  const events = (res.json?.events ?? []) as { detail: { finding: { installationId: string }; kind: string } }[];
  return events.filter((e) => e.detail?.finding?.installationId === installationId).map((e) => e.detail.kind);
}

/**
 * An account-wide change on an account of many installations, through the API on the local cloud:
 * one commit on the account, and every installation's next poll carries it. The installations are
 * activated through the API, 20 at a time, once for both changes.
 *
 * 250 installations: a change that wrote every installation in its transaction would fail above
 * DynamoDB's 100 items a transaction, so 2.5 times that proves what 1,000 did (which cost ~90 s of
 * `npm test`: each activation and each rebuilding poll reads the whole account partition).
 */
import { randomUUID } from 'node:crypto';
import type { TestAgent } from '#test/support/agent-client';
import { activatedAgent, api, call, newAccount, opsToken, perpetual } from '#test/support/licensing-api';

const CONCURRENCY = 20;
const INSTALLATIONS = 250;

/** `task` over every item, at most CONCURRENCY at once, results in order. */
async function bounded<T, R>(items: readonly T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const n = next++;
      results[n] = await task(items[n]!);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results;
}

interface Polled {
  agent: TestAgent;
  etag: string;
}

/** Activates `count` installations of one ivr licence each and polls each once, keeping its ETag. */
async function installations(accountId: string, count: number): Promise<Polled[]> {
  return bounded(Array.from({ length: count }), async () => {
    const { agent } = await activatedAgent(accountId, { allocation: { ivr: 1 } });
    const first = await agent.request(api(), 'GET', `/v1/installations/${agent.keyid}/license`);
    if (first.status !== 200) throw new Error(`first poll: ${first.status} ${first.text}`);
    return { agent, etag: first.headers.get('etag')! };
  });
}

/**
 * Each installation's next poll, sent with the ETag it holds: its status and the licence's payload.
 * The installation then holds the ETag this poll answered.
 */
async function nextPolls(polled: Polled[]) {
  return bounded(polled, async (installation) => {
    const res = await installation.agent.request(
      api(),
      'GET',
      `/v1/installations/${installation.agent.keyid}/license`,
      undefined,
      { headers: { 'if-none-match': installation.etag } },
    );
    const payload =
      res.status === 200 ? JSON.parse(Buffer.from(res.json.license.split('.')[1], 'base64url').toString()) : undefined;
    if (res.status === 200) installation.etag = res.headers.get('etag')!;
    return { status: res.status, payload };
  });
}

describe('an account-wide change on a big account', () => {
  let accountId: string;
  let polled: Polled[];

  beforeAll(async () => {
    accountId = await newAccount([perpetual('ivr', INSTALLATIONS)]);
    polled = await installations(accountId, INSTALLATIONS);
  }, 600_000);

  it(`switches telemetry off for an account of ${INSTALLATIONS} installations, and every next poll says so`, async () => {
    // Act
    const off = await call('PATCH', `${api()}/v1/accounts/${accountId}/telemetry`, {
      token: opsToken(),
      body: { enabled: false },
    });
    const polls = await nextPolls(polled);

    // Assert
    expect(off.status).toBe(200);
    expect(polls).toHaveLength(INSTALLATIONS);
    expect(new Set(polls.map((p) => p.status))).toEqual(new Set([200]));
    expect(new Set(polls.map((p) => p.payload?.telemetry?.enabled))).toEqual(new Set([false]));
  }, 300_000);

  it(`reaches the same ${INSTALLATIONS} installations' next polls with a deposit (Care renewed)`, async () => {
    // Act
    const deposit = await call('PUT', `${api()}/v1/ops/orders/care-${randomUUID()}`, {
      token: opsToken(),
      body: {
        account: { id: accountId },
        lines: [{ product: 'ivr', kind: 'care', care: { level: 'platinum', endsAt: '2030-01-01T00:00:00.000Z' } }],
      },
    });
    const polls = await nextPolls(polled);

    // Assert
    expect(deposit.status).toBe(201);
    expect(polls).toHaveLength(INSTALLATIONS);
    expect(new Set(polls.map((p) => p.status))).toEqual(new Set([200]));
    expect(new Set(polls.map((p) => p.payload?.products?.[0]?.care?.level))).toEqual(new Set(['platinum']));
  }, 300_000);
});

/**
 * The back office against the local cloud: orders checked by kind and reference, the preview,
 * finding accounts by name, reseller and installation, recent orders and new accounts, and the
 * vendor's `Order Deposited` event on the local EventBridge.
 */
import { randomUUID } from 'node:crypto';
import { cloudNow, tokenFor } from '#test/support/local-cloud';
import {
  activatedAgent,
  api,
  approvedReseller,
  call,
  expectProblem,
  inOneYear,
  opsToken,
  perpetual,
} from '#test/support/licensing-api';

const day = 86_400_000;
/** The same value every call: a replayed order must be the same body. */
const once = <T>(make: () => T) => {
  let value: T | undefined;
  return () => (value ??= make());
};
const order = (orderId: string, body: unknown, path = '') =>
  call(path === '/preview' ? 'POST' : 'PUT', `${api()}/v1/ops/orders/${orderId}${path}`, { token: opsToken(), body });
const search = (query: string) => call('GET', `${api()}/v1/ops/accounts?${query}`, { token: opsToken() });

describe('the back office', () => {
  const suffix = randomUUID().slice(0, 8);
  const resellerId = `res-bo-${suffix}`;
  const name = `Backoffice Zyx ${suffix} Clinic`;
  const orderId = `bo-${suffix}`;
  const since = new Date(cloudNow().getTime() - 60_000).toISOString();
  const body = once(() => ({
    account: { create: { name, region: 'eu', resellerId } },
    lines: [
      perpetual('ivr', 3),
      {
        product: 'call-recording',
        quantity: 4,
        kind: 'subscription',
        startsAt: new Date(cloudNow().getTime() - day).toISOString(),
        endsAt: inOneYear(),
        care: { level: 'gold' },
      },
    ],
  }));
  let accountId: string;

  beforeAll(async () => {
    await approvedReseller(resellerId);
  });

  it('refuses an unknown reseller and Care already over, at their paths', async () => {
    const unknown = await order(`bo-unknown-${suffix}`, {
      account: { create: { name, region: 'eu', resellerId: `res-nobody-${suffix}` } },
      lines: [perpetual('ivr', 1)],
    });
    const past = await order(`bo-past-${suffix}`, {
      account: { create: { name, region: 'eu' } },
      lines: [
        {
          product: 'ivr',
          quantity: 1,
          kind: 'perpetual',
          care: { level: 'gold', endsAt: `${since.slice(0, 10)}T00:00:00Z` },
        },
      ],
    });

    expectProblem(unknown, 400, 'account.create.resellerId');
    expectProblem(past, 400, 'lines.0.care.endsAt');
  });

  it('previews the order, then deposits what the preview showed', async () => {
    const preview = await order(orderId, body(), '/preview');
    const deposited = await order(orderId, body());
    accountId = deposited.json.accountId;
    const account = await call('GET', `${api()}/v1/accounts/${accountId}`, { token: opsToken() });

    expect(preview.status).toBe(200);
    expect(deposited.status).toBe(201);
    expect(
      preview.json.products.map((p: { product: string; capacity: number; care?: unknown }) => [
        p.product,
        p.capacity,
        p.care,
      ]),
    ).toEqual(
      account.json.products.map((p: { product: string; capacity: number; care?: unknown }) => [
        p.product,
        p.capacity,
        p.care,
      ]),
    );
  });

  it('finds the account by a word of its name, any case, and by its reseller', async () => {
    const byName = await search(`q=${encodeURIComponent(`zyx ${suffix.toUpperCase()}`)}`);
    const byWord = await search(`q=${encodeURIComponent('clinic')}&limit=100`);
    const byReseller = await search(`resellerId=${resellerId}`);

    expect(byName.status).toBe(200);
    expect(byName.json.accounts).toEqual([
      expect.objectContaining({ accountId, name, region: 'eu', resellerId, matchedBy: 'name', admins: [] }),
    ]);
    expect(byWord.json.accounts.map((a: { accountId: string }) => a.accountId)).toContain(accountId);
    expect(byReseller.json.accounts.map((a: { accountId: string }) => a.accountId)).toEqual([accountId]);
  });

  it('finds the account by one of its installations, whose activation is a vendor event too', async () => {
    const { activation } = await activatedAgent(accountId, { allocation: { ivr: 1 } });

    const found = await search(`installationId=${activation.installationId}`);
    const asQ = await search(`q=${activation.installationId}`);
    const events = await call(
      'GET',
      `${api()}/local/events?detailType=${encodeURIComponent('Installation Activated')}`,
    );

    expect(found.json.accounts.map((a: { accountId: string }) => a.accountId)).toEqual([accountId]);
    expect(asQ.json.accounts).toEqual([expect.objectContaining({ accountId, matchedBy: 'installation' })]);
    expect(events.json.events).toContainEqual(
      expect.objectContaining({
        source: 'ucx.licensing',
        detail: expect.objectContaining({
          accountId,
          installationId: activation.installationId,
          allocation: { ivr: 1 },
          actor: { kind: 'installation', id: expect.any(String) },
        }),
      }),
    );
  });

  it('lists the order among recent orders and the account among new accounts, paged', async () => {
    const orders = await call('GET', `${api()}/v1/ops/orders?since=${encodeURIComponent(since)}&limit=100`, {
      token: opsToken(),
    });
    const accounts = await search(`createdSince=${encodeURIComponent(since)}&limit=100`);
    const firstPage = await search(`createdSince=${encodeURIComponent(since)}&limit=1`);

    expect(orders.status).toBe(200);
    expect(orders.json.orders).toContainEqual(
      expect.objectContaining({ orderId, accountId, accountCreated: true, lines: expect.any(Array) }),
    );
    expect(accounts.json.accounts.map((a: { accountId: string }) => a.accountId)).toContain(accountId);
    expect(firstPage.json.accounts).toHaveLength(1);
    expect(firstPage.json.nextCursor).toEqual(expect.any(String));
  });

  it('sends Account Created and Order Deposited to the vendor bus', async () => {
    const res = await call('GET', `${api()}/local/events?detailType=${encodeURIComponent('Order Deposited')}`);

    const deposited = res.json.events.find((e: { detail: { orderId?: string } }) => e.detail.orderId === orderId);
    expect(deposited).toMatchObject({
      source: 'ucx.licensing',
      detailType: 'Order Deposited',
      detail: { version: 1, accountId, orderId, accountCreated: true, actor: { kind: 'backoffice' } },
    });
    const created = (await call('GET', `${api()}/local/events?detailType=${encodeURIComponent('Account Created')}`))
      .json.events;
    expect(created).toContainEqual(
      expect.objectContaining({
        source: 'ucx.accounts',
        detail: expect.objectContaining({ accountId, origin: 'order' }),
      }),
    );
  });

  it('is closed to anyone but the back office', async () => {
    const support = await call('GET', `${api()}/v1/ops/accounts?q=x`, {
      token: tokenFor({ groups: ['support'] }),
    });

    expectProblem(support, 403);
  });
});

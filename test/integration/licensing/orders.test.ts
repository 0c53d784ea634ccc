import { randomUUID } from 'node:crypto';
import { tokenFor } from '#test/support/local-cloud';
import {
  accountView,
  api,
  approvedReseller,
  call,
  expectProblem,
  inOneYear,
  newAccount,
  opsToken,
  perpetual,
} from '#test/support/licensing-api';

const orderUrl = (orderId: string) => `${api()}/v1/ops/orders/${orderId}`;
const createBody = (lines: unknown[]) => ({ account: { create: { name: 'Order Test', region: 'eu' } }, lines });

describe('PUT /v1/ops/orders/{orderId}', () => {
  // an order names only an approved reseller
  beforeAll(() => approvedReseller('res-acme'));

  it('deposits once when the same order is replayed, and refuses the same id with another body', async () => {
    const accountId = await newAccount([perpetual('ivr', 2)]);
    const orderId = `replay-${randomUUID()}`;
    const body = { account: { id: accountId }, lines: [perpetual('acd', 4)] };

    const first = await call('PUT', orderUrl(orderId), { token: opsToken(), body });
    const second = await call('PUT', orderUrl(orderId), { token: opsToken(), body });
    const other = await call('PUT', orderUrl(orderId), {
      token: opsToken(),
      body: { ...body, lines: [perpetual('acd', 5)] },
    });

    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.json).toEqual(first.json);
    expectProblem(other, 409);
    const account = await accountView(accountId);
    expect(account.products.find((p: { product: string }) => p.product === 'acd')).toMatchObject({
      capacity: 4,
      free: 4,
    });
  });

  it("invites a reseller's new customer's first administrator, once across replays, and keeps the e-mail out of the order", async () => {
    const orderId = `admin-${randomUUID()}`;
    const email = `first-admin-${randomUUID().slice(0, 8)}@example.com`;
    const body = {
      account: { create: { name: 'Invited Customer', region: 'eu', resellerId: 'res-acme' } },
      lines: [perpetual('ivr', 2)],
      admin: { email },
    };

    const first = await call('PUT', orderUrl(orderId), { token: opsToken(), body });
    const replay = await call('PUT', orderUrl(orderId), { token: opsToken(), body });
    const users = await call('GET', `${api()}/v1/accounts/${first.json.accountId}/users`, {
      token: tokenFor({ groups: ['reseller'], resellerId: 'res-acme' }),
    });

    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ accountCreated: true, adminInvited: true });
    expect(JSON.stringify(first.json)).not.toContain(email);
    expect(replay.status).toBe(200);
    expect(replay.json).toEqual(first.json);
    expect(users.json.users).toEqual([expect.objectContaining({ email, status: 'invited' })]);
  });

  it('creates the Smart Account in its home region with its reseller', async () => {
    const res = await call('PUT', `${api('us')}/v1/ops/orders/new-${randomUUID()}`, {
      token: opsToken(),
      body: {
        account: { create: { name: 'US Customer', region: 'us', resellerId: 'res-acme' } },
        lines: [
          {
            product: 'digital-fax',
            quantity: 3,
            kind: 'subscription',
            startsAt: new Date().toISOString(),
            endsAt: inOneYear(),
          },
        ],
      },
    });

    expect(res.status).toBe(201);
    const account = await accountView(res.json.accountId);
    expect(account).toMatchObject({ region: 'us', resellerId: 'res-acme', telemetry: { enabled: true } });
    expect(account.products).toEqual([
      expect.objectContaining({ product: 'digital-fax', kind: 'subscription', capacity: 3 }),
    ]);
  });

  const bad: [string, unknown, string][] = [
    ['wrong types', createBody([{ product: 'ivr', quantity: '3', kind: 'perpetual' }]), 'lines.0.quantity'],
    ['a missing field', createBody([{ product: 'ivr', kind: 'perpetual' }]), 'lines.0.quantity'],
    ['an unknown product', createBody([{ product: 'fax-machine', quantity: 1, kind: 'perpetual' }]), 'lines.0.product'],
    ['a zero quantity', createBody([{ product: 'ivr', quantity: 0, kind: 'perpetual' }]), 'lines.0.quantity'],
    ['a negative quantity', createBody([{ product: 'ivr', quantity: -2, kind: 'perpetual' }]), 'lines.0.quantity'],
    [
      'an end before the start',
      createBody([
        {
          product: 'ivr',
          quantity: 1,
          kind: 'subscription',
          startsAt: '2027-01-01T00:00:00Z',
          endsAt: '2026-01-01T00:00:00Z',
        },
      ]),
      'lines.0.endsAt',
    ],
    ['no lines', createBody([]), 'lines'],
    ['an unknown field', { ...createBody([perpetual('ivr', 1)]), discount: 10 }, 'discount'],
    ['a bad region', { account: { create: { name: 'X', region: 'asia' } }, lines: [perpetual('ivr', 1)] }, 'account'],
  ];

  it.each(bad)('answers %s with a 400 naming the path and writes nothing', async (_case, body, path) => {
    const orderId = `bad-${randomUUID()}`;

    const res = await call('PUT', orderUrl(orderId), { token: opsToken(), body });
    const retry = await call('PUT', orderUrl(orderId), { token: opsToken(), body: createBody([perpetual('ivr', 1)]) });

    expectProblem(res, 400, path);
    expect(retry.status).toBe(201); // the refused attempt left no order record behind
  });

  it('answers malformed JSON, an oversize body and a wrong content type with clear 4xx', async () => {
    const malformed = await call('PUT', orderUrl(`m-${randomUUID()}`), {
      token: opsToken(),
      rawBody: '{"account": {',
      headers: { 'content-type': 'application/json' },
    });
    const oversize = await call('PUT', orderUrl(`o-${randomUUID()}`), {
      token: opsToken(),
      rawBody: JSON.stringify({ ...createBody([perpetual('ivr', 1)]), pad: 'x'.repeat(300 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    const wrongType = await call('PUT', orderUrl(`t-${randomUUID()}`), {
      token: opsToken(),
      rawBody: 'account=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    expectProblem(malformed, 400, '');
    expectProblem(oversize, 413);
    expectProblem(wrongType, 415);
  });

  it('answers an unknown account with 404 and a malformed order id with 400', async () => {
    const unknown = await call('PUT', orderUrl(`u-${randomUUID()}`), {
      token: opsToken(),
      body: { account: { id: 'acc_doesnotexist0000' }, lines: [perpetual('ivr', 1)] },
    });
    const badId = await call('PUT', orderUrl('bad%20id%20with%20spaces'), {
      token: opsToken(),
      body: createBody([perpetual('ivr', 1)]),
    });

    expectProblem(unknown, 404);
    expectProblem(badId, 400, 'params.orderId');
  });

  it('is for the back office only', async () => {
    const body = createBody([perpetual('ivr', 1)]);

    const anonymous = await call('PUT', orderUrl(`a-${randomUUID()}`), { body });
    const customer = await call('PUT', orderUrl(`c-${randomUUID()}`), {
      token: tokenFor({ groups: ['customer'], accountId: 'acc_someone000000' }),
      body,
    });
    const reseller = await call('PUT', orderUrl(`r-${randomUUID()}`), {
      token: tokenFor({ groups: ['reseller'], resellerId: 'res-x' }),
      body,
    });

    expect(anonymous.status).toBe(401);
    expectProblem(customer, 403);
    expectProblem(reseller, 403);
  });
});

/** The audit log through the local cloud: what licensing changes wrote, filtered, paged and as CSV. */
import { tokenFor } from '#test/support/local-cloud';
import {
  activatedAgent,
  api,
  call,
  expectProblem,
  newAccount,
  newActivationKey,
  perpetual,
} from '#test/support/licensing-api';

jest.setTimeout(60_000);

let accountId: string;
const customer = () => tokenFor({ groups: ['customer'], accountId });

beforeAll(async () => {
  accountId = await newAccount([perpetual('ivr', 10)]);
  await newActivationKey(accountId, { allocation: { ivr: 1 } });
  await activatedAgent(accountId, { allocation: { ivr: 2 } });
});

describe('GET /v1/accounts/{accountId}/audit', () => {
  it('lists the account’s changes newest first', async () => {
    const res = await call('GET', `${api()}/v1/accounts/${accountId}/audit`, { token: customer() });

    expect(res.status).toBe(200);
    expect(res.json.events.map((e: { action: string }) => e.action)).toEqual([
      'installation.activated',
      'activation-key.created',
      'activation-key.created',
      'order.deposited',
    ]);
    expect(res.json.nextCursor).toBeNull();
  });

  it('filters by action and pages with the cursor', async () => {
    const url = `${api()}/v1/accounts/${accountId}/audit?action=activation-key.created&limit=1`;

    const first = await call('GET', url, { token: customer() });
    const second = await call('GET', `${url}&cursor=${first.json.nextCursor}`, { token: customer() });

    expect(first.json.events).toHaveLength(1);
    expect(second.json.events).toHaveLength(1);
    expect(second.json.events[0].eventId).not.toBe(first.json.events[0].eventId);
    expect(second.json.events[0].at <= first.json.events[0].at).toBe(true);
    expect(second.json.nextCursor).toBeNull();
  });

  it('leaves out events outside the time range', async () => {
    const res = await call('GET', `${api()}/v1/accounts/${accountId}/audit?to=2000-01-01`, { token: customer() });

    expect(res.json.events).toEqual([]);
  });

  it('answers CSV for Accept: text/csv', async () => {
    const res = await call('GET', `${api()}/v1/accounts/${accountId}/audit?action=order.deposited`, {
      token: customer(),
      headers: { accept: 'text/csv' },
    });

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('at,action,actorKind,actorId,eventId,details,by');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(',order.deposited,backoffice,');
    expect(lines[1]).toMatch(/,back office$/);
  });

  it('refuses a forged cursor with the field named', async () => {
    const res = await call('GET', `${api()}/v1/accounts/${accountId}/audit?cursor=Zm9v`, { token: customer() });

    expectProblem(res, 400, 'query.cursor');
  });
});

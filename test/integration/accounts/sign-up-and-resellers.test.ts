/**
 * Accounts end to end on the local cloud (docs/accounts.md): sign-up's Smart Account (421 in the
 * other region, 409 a second time), invitations that an unconfirmed sign-up cannot squat, a
 * half-done invitation repaired by the retry, the user index, and a reseller that acts for a
 * customer only once approved and named by it.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { api, call, opsToken, perpetual } from '#test/support/licensing-api';

const auth = (path: string, body: unknown) => call('POST', `${api('us')}/local/auth/${path}`, { body });
const fresh = (what: string) => `${what}-${randomUUID().slice(0, 8)}@example.com`;

async function outboxFor(email: string): Promise<{ subject: string; code?: string }[]> {
  const res = await call('GET', `${api('us')}/local/outbox`);
  return (res.json.messages as { to: string; subject: string; code?: string }[]).filter((m) => m.to === email);
}

/** A person who signed up and verified locally; their token, signed in now. */
async function verifiedPerson(email = fresh('person'), password = 'correct horse 42') {
  expect((await auth('sign-up', { email, password })).status).toBe(201);
  const [verification] = await outboxFor(email);
  expect((await auth('verify', { email, code: verification!.code })).status).toBe(200);
  return { email, password, token: await signIn(email, password) };
}

async function signIn(email: string, password: string): Promise<string> {
  const res = await auth('sign-in', { email, password });
  expect(res.status).toBe(200);
  return res.json.token as string;
}

const subOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;

describe('sign-up to a Smart Account', () => {
  it('creates the account in the chosen region, the person its administrator; 421 elsewhere, 409 again', async () => {
    const person = await verifiedPerson();
    const body = { name: 'Signed Up Inc', region: 'us', country: 'US' };

    const wrong = await call('POST', `${api('eu')}/v1/accounts`, { token: person.token, body });
    const created = await call('POST', `${api('us')}/v1/accounts`, { token: person.token, body });
    const token = await signIn(person.email, person.password);
    const again = await call('POST', `${api('us')}/v1/accounts`, { token, body });
    const users = await call('GET', `${api('us')}/v1/accounts/${created.json.accountId}/users`, { token });
    const audit = await call('GET', `${api('us')}/v1/accounts/${created.json.accountId}/audit`, { token });

    expect(wrong.status).toBe(421);
    expect(wrong.json).toMatchObject({ homeRegion: 'us', homeEndpoint: api('us') });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ region: 'us', country: 'US', origin: 'sign-up' });
    expect(again.status).toBe(409);
    expect(users.json.users).toEqual([expect.objectContaining({ email: person.email, status: 'active' })]);
    expect(audit.json.events.map((e: { action: string }) => e.action)).toContain('account.created');
  });
});

describe('invitations', () => {
  it('reach the invitee, not the one who pre-registered the address unconfirmed', async () => {
    const email = fresh('ceo');
    expect((await auth('sign-up', { email, password: 'squatter 123' })).status).toBe(201);

    const order = await call('PUT', `${api('us')}/v1/ops/orders/PO-SQUAT-${randomUUID().slice(0, 8)}`, {
      token: opsToken(),
      body: {
        account: { create: { name: 'Squatted Customer', region: 'us' } },
        lines: [perpetual('ivr', 1)],
        admin: { email },
      },
    });
    const invitation = (await outboxFor(email)).find((m) => m.subject === 'Your invitation to UCX Cloud');
    const squatter = await auth('sign-in', { email, password: 'squatter 123' });
    const reset = await auth('reset-password', { email, code: invitation?.code, password: 'rightful 456' });
    const invitee = await auth('sign-in', { email, password: 'rightful 456' });

    expect(order.json).toMatchObject({ accountCreated: true, adminInvited: true });
    expect(squatter.status).toBe(401);
    expect(reset.status).toBe(200);
    expect(invitee.status).toBe(200);
    const claims = JSON.parse(Buffer.from((invitee.json.token as string).split('.')[1]!, 'base64url').toString());
    expect(claims['custom:accountId']).toBe(order.json.accountId);
  });

  it("say so when the address is another account's user, and a half-done one is completed by the retry", async () => {
    const first = await call('PUT', `${api('us')}/v1/ops/orders/PO-A-${randomUUID().slice(0, 8)}`, {
      token: opsToken(),
      body: { account: { create: { name: 'A', region: 'us' } }, lines: [perpetual('ivr', 1)] },
    });
    const accountId = first.json.accountId as string;
    const taken = fresh('taken');
    await call('POST', `${api('us')}/v1/accounts/${accountId}/users`, { token: opsToken(), body: { email: taken } });
    const elsewhere = await call('PUT', `${api('us')}/v1/ops/orders/PO-B-${randomUUID().slice(0, 8)}`, {
      token: opsToken(),
      body: { account: { create: { name: 'B', region: 'us' } }, lines: [perpetual('ivr', 1)], admin: { email: taken } },
    });
    // What a failure between the two steps leaves: the directory's user, no index item.
    const half = fresh('half');
    const usersFile = join(dirname(process.env['UCX_CLOUD_JSON']!), 'auth', 'users.json');
    const stored = JSON.parse(readFileSync(usersFile, 'utf8')) as Record<string, unknown>[];
    stored.push({ sub: randomUUID(), email: half, passwordHash: '', verified: true, groups: ['customer'], accountId });
    writeFileSync(`${usersFile}.e2e`, JSON.stringify(stored, null, 2));
    renameSync(`${usersFile}.e2e`, usersFile);
    const before = await call('GET', `${api('us')}/v1/accounts/${accountId}/users`, { token: opsToken() });
    const retry = await call('POST', `${api('us')}/v1/accounts/${accountId}/users`, {
      token: opsToken(),
      body: { email: half },
    });
    const after = await call('GET', `${api('us')}/v1/accounts/${accountId}/users`, { token: opsToken() });

    expect(elsewhere.json).toMatchObject({ adminInvited: false, adminNotInvitedReason: 'user-of-another-account' });
    expect(before.json.users.map((u: { email: string }) => u.email)).toEqual([taken]);
    expect(retry.status).toBe(201);
    expect(after.json.users.map((u: { email: string }) => u.email).sort()).toEqual([half, taken].sort());
  });
});

describe('resellers', () => {
  it('apply, act for nobody until approved, then act for a customer that named them, until removed', async () => {
    const customer = await verifiedPerson(fresh('customer'));
    const created = await call('POST', `${api('us')}/v1/accounts`, {
      token: customer.token,
      body: { name: 'Customer of a partner', region: 'us', country: 'FR' },
    });
    const accountId = created.json.accountId as string;
    const admin = await signIn(customer.email, customer.password);
    const partner = await verifiedPerson(fresh('partner'));
    const accountUrl = `${api('us')}/v1/accounts/${accountId}`;

    const applied = await call('POST', `${api('us')}/v1/resellers`, {
      token: partner.token,
      body: { companyName: 'Partner SARL', country: 'FR' },
    });
    const resellerId = applied.json.resellerId as string;
    const pending = await call('GET', `${api('us')}/v1/ops/resellers?status=pending`, { token: opsToken() });
    const refusedWhilePending = await call('PUT', `${accountUrl}/reseller`, { token: admin, body: { resellerId } });
    const notActing = await call('GET', accountUrl, { token: partner.token });
    const approved = await call('POST', `${api('us')}/v1/ops/resellers/${resellerId}/approval`, { token: opsToken() });
    const resellerToken = await signIn(partner.email, partner.password);
    const beforeNamed = await call('GET', accountUrl, { token: resellerToken });
    const named = await call('PUT', `${accountUrl}/reseller`, { token: admin, body: { resellerId } });
    const acting = await call('GET', accountUrl, { token: resellerToken });
    const customers = await call('GET', `${api('us')}/v1/resellers/${resellerId}/accounts`, { token: resellerToken });
    const removed = await call('DELETE', `${accountUrl}/reseller`, { token: admin });
    const afterRemoval = await call('GET', accountUrl, { token: resellerToken });

    expect(applied.status).toBe(201);
    expect(applied.json).toMatchObject({ status: 'pending', applicantSub: subOf(partner.token) });
    expect(pending.json.resellers.map((r: { resellerId: string }) => r.resellerId)).toContain(resellerId);
    expect(refusedWhilePending.status).toBe(409);
    expect(notActing.status).toBe(403);
    expect(approved.json).toMatchObject({ status: 'approved' });
    expect(beforeNamed.status).toBe(403);
    expect(named.json).toEqual({ accountId, resellerId, companyName: 'Partner SARL' });
    expect(acting.status).toBe(200);
    expect(customers.json.accounts.map((a: { accountId: string }) => a.accountId)).toEqual([accountId]);
    expect(removed.status).toBe(204);
    expect(afterRemoval.status).toBe(403);
  });
});

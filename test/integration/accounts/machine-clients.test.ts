/**
 * The vendor's ERP as a machine client, on a local cloud of this file's own (the clock moves past
 * the authorizer's cache): the back office creates a client with `orders:write`; the client gets a
 * token at the local token endpoint and deposits an order with it (audited as `client:<id>`); the
 * same token may not search accounts (`accounts:read`); a customer's or a no-TOTP staff token is
 * still refused; after revocation the client gets no token and its token is refused; a person's
 * back-office token still works on the same routes. Every request passes the Lambda authorizer the
 * local router runs from the synthesized template.
 */
import { randomUUID } from 'node:crypto';
import { api, call, opsToken, perpetual } from '#test/support/licensing-api';
import { advanceClock, cloud, tokenFor, withOwnCloud } from '#test/support/local-cloud';

jest.setTimeout(240_000);

withOwnCloud();

async function tokenOf(clientId: string, clientSecret: string, scope?: string) {
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
  const form = new URLSearchParams({ grant_type: 'client_credentials', ...(scope && { scope }) });
  return call('POST', cloud().tokenUrl, {
    rawBody: form.toString(),
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
  });
}

const orderBody = () => ({
  account: { create: { name: 'ERP customer', region: 'eu' } },
  lines: [perpetual('attendant-console', 3)],
});

describe('machine-to-machine clients', () => {
  it('deposits an order as the ERP within its scope, until revoked; people keep their access', async () => {
    // Arrange: the back office creates the client
    const created = await call('POST', `${api()}/v1/ops/clients`, {
      token: opsToken(),
      body: { name: 'ERP', scopes: ['orders:write'] },
    });
    expect(created.status).toBe(201);
    const { clientId, clientSecret, tokenUrl } = created.json as {
      clientId: string;
      clientSecret: string;
      tokenUrl: string;
    };
    expect(tokenUrl).toBe(cloud().tokenUrl);
    const listed = await call('GET', `${api()}/v1/ops/clients`, { token: opsToken() });
    expect(listed.json.clients).toEqual([expect.objectContaining({ clientId, name: 'ERP', scopes: ['orders:write'] })]);
    expect(listed.text).not.toContain(clientSecret);

    // Act: the ERP gets a token and deposits an order
    const issued = await tokenOf(clientId, clientSecret);
    const token = issued.json.access_token as string;
    const deposited = await call('PUT', `${api()}/v1/ops/orders/erp-${randomUUID()}`, { token, body: orderBody() });
    const preview = await call('POST', `${api()}/v1/ops/orders/erp-${randomUUID()}/preview`, {
      token,
      body: orderBody(),
    });
    const search = await call('GET', `${api()}/v1/ops/accounts?q=ERP`, { token });
    const account = await call('GET', `${api()}/v1/accounts/${deposited.json.accountId}`, { token });
    const makesClients = await call('GET', `${api()}/v1/ops/clients`, { token });

    // Assert
    expect(issued.status).toBe(200);
    expect(issued.json).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(deposited.status).toBe(201);
    expect(preview.status).toBe(200);
    expect(search.status).toBe(403);
    expect(account.status).toBe(403);
    // The client routes take a person's ID token only (the JWT authorizer).
    expect(makesClients.status).toBe(401);
    const audit = await call('GET', `${api()}/v1/accounts/${deposited.json.accountId}/audit?limit=100`, {
      token: opsToken(),
    });
    expect(audit.json.events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'order.deposited', actor: { kind: 'backoffice', id: `client:${clientId}` } }),
      ]),
    );

    // Act: other callers of the same routes
    const customer = tokenFor({ groups: ['customer'], accountId: deposited.json.accountId });
    const noTotp = tokenFor({ groups: [], extra: { 'ucx:mfa_setup_required': 'true' } });
    const byCustomer = await call('PUT', `${api()}/v1/ops/orders/erp-${randomUUID()}`, {
      token: customer,
      body: orderBody(),
    });
    const byNoTotp = await call('PUT', `${api()}/v1/ops/orders/erp-${randomUUID()}`, {
      token: noTotp,
      body: orderBody(),
    });
    const byNobody = await call('PUT', `${api()}/v1/ops/orders/erp-${randomUUID()}`, { body: orderBody() });
    const forged = await call('PUT', `${api()}/v1/ops/orders/erp-${randomUUID()}`, {
      token: `${token.slice(0, -4)}AAAA`,
      body: orderBody(),
    });
    const customerReads = await call('GET', `${api()}/v1/accounts/${deposited.json.accountId}`, { token: customer });

    // Assert
    expect(byCustomer.status).toBe(403);
    expect(byNoTotp.status).toBe(403);
    expect(byNobody.status).toBe(401);
    // A token that does not verify is 401 (as the JWT authorizer answers): a client fetches a new one.
    expect(forged.status).toBe(401);
    const forgedBadBody = await call('PUT', `${api()}/v1/ops/orders/erp-${randomUUID()}`, {
      token: `${token.slice(0, -4)}AAAA`,
      body: {},
    });
    expect(forgedBadBody.status).toBe(401);
    expect(customerReads.status).toBe(200);

    // Act: revoked (twice: idempotent), then past the authorizer's 60-second cache
    const revoked = await call('DELETE', `${api()}/v1/ops/clients/${clientId}`, { token: opsToken() });
    const again = await call('DELETE', `${api()}/v1/ops/clients/${clientId}`, { token: opsToken() });
    const refusedToken = await tokenOf(clientId, clientSecret);
    await advanceClock({ seconds: 61 });
    const afterRevocation = await call('PUT', `${api()}/v1/ops/orders/erp-${randomUUID()}`, {
      token,
      body: orderBody(),
    });
    const byPerson = await call('PUT', `${api()}/v1/ops/orders/erp-${randomUUID()}`, {
      token: opsToken(),
      body: orderBody(),
    });
    const personSearch = await call('GET', `${api()}/v1/ops/accounts?q=ERP`, { token: opsToken() });

    // Assert
    expect([revoked.status, again.status]).toEqual([204, 204]);
    expect(refusedToken.status).toBe(401);
    expect(refusedToken.json).toEqual({ error: 'invalid_client' });
    expect(afterRevocation.status).toBe(403);
    expect(byPerson.status).toBe(201);
    expect(personSearch.status).toBe(200);
    const after = await call('GET', `${api()}/v1/ops/clients`, { token: opsToken() });
    expect(after.json.clients[0]).toMatchObject({ clientId, revokedAt: expect.any(String) });
  });

  it('refuses a bad secret, an unknown grant and a scope the client was not given', async () => {
    const created = await call('POST', `${api()}/v1/ops/clients`, {
      token: opsToken(),
      body: { name: 'Reporting', scopes: ['accounts:read'] },
    });
    const { clientId, clientSecret } = created.json as { clientId: string; clientSecret: string };

    expect((await tokenOf(clientId, `${clientSecret}x`)).json).toEqual({ error: 'invalid_client' });
    expect((await tokenOf(clientId, clientSecret, 'ucx/orders:write')).json).toEqual({ error: 'invalid_scope' });
    const token = (await tokenOf(clientId, clientSecret, 'ucx/accounts:read')).json.access_token as string;
    expect((await call('GET', `${api()}/v1/ops/orders?since=2020-01-01`, { token })).status).toBe(200);
    expect((await call('PUT', `${api()}/v1/ops/orders/erp-${randomUUID()}`, { token, body: orderBody() })).status).toBe(
      403,
    );
    const bad = await call('POST', `${api()}/v1/ops/clients`, {
      token: opsToken(),
      body: { name: 'x', scopes: ['admin'] },
    });
    expect(bad.status).toBe(400);
  });
});

import { createHash } from 'node:crypto';
import { ConflictError, ForbiddenError, ValidationError, WrongRegionError } from '#lambdas/core/errors';
import {
  completeTenantConnection,
  disconnectTenant,
  getPresenceSettings,
  setPresence,
  startTenantConnection,
} from '#lambdas/core/presence/account';
import { principals, T0 } from '#test/support/licensing-fixtures';
import {
  connectedAccount,
  openedSession,
  PORTAL,
  presenceWorld,
  TENANT_ID,
  URLS,
  type PresenceWorld,
} from '#test/support/presence-fixtures';

const ACCOUNT = 'acc_00000001';
const OTHER = 'acc_00000002';
const RETURN_TO = `${PORTAL}/accounts/${ACCOUNT}`;

let world: PresenceWorld;

beforeEach(() => {
  world = presenceWorld();
});

const query = (location: string) => Object.fromEntries(new URL(location).searchParams);

describe('setPresence', () => {
  it('turns Presence on, audited with the principal as actor', async () => {
    world.licensing.addAccount(ACCOUNT);

    const view = await setPresence(world.deps, principals.customer(ACCOUNT), ACCOUNT, { enabled: true });

    expect(view).toEqual({ enabled: true, sessions: 0 });
    expect(world.audit.events).toEqual([
      {
        accountId: ACCOUNT,
        at: T0.toISOString(),
        eventId: 'evt_00000001',
        actor: { kind: 'customer', id: `sub-${ACCOUNT}` },
        action: 'presence.enabled',
        details: { enabled: true },
      },
    ]);
  });

  it('turns it off: the suite’s sessions are closed and forgotten, the tenant stays connected', async () => {
    await connectedAccount(world, ACCOUNT);
    const one = await openedSession(world, ACCOUNT, 'inst_1');
    const two = await openedSession(world, ACCOUNT, 'inst_2');

    const view = await setPresence(world.deps, principals.backoffice, ACCOUNT, { enabled: false });

    expect(view).toEqual({
      enabled: false,
      tenant: { tenantId: TENANT_ID, connectedBy: 'admin@fabrikam.example', connectedAt: T0.toISOString() },
      sessions: 0,
    });
    expect(world.channel.closed.sort()).toEqual([one.connectionId, two.connectionId].sort());
    expect(await world.store.getSession(one.connectionId)).toBeUndefined();
    expect(await world.store.getSession(two.connectionId)).toBeUndefined();
    expect(world.audit.events.map((e) => e.action)).toEqual(['presence.disabled']);
  });

  it('changes and audits nothing when the switch already has the asked value', async () => {
    await connectedAccount(world, ACCOUNT);

    const view = await setPresence(world.deps, principals.customer(ACCOUNT), ACCOUNT, { enabled: true });

    expect(view.enabled).toBe(true);
    expect(world.audit.events).toEqual([]);
  });

  it('answers 421 in the region that is not the account’s home, and changes nothing', async () => {
    world.licensing.addAccount(ACCOUNT, { region: 'us' });

    const attempt = setPresence(world.deps, principals.backoffice, ACCOUNT, { enabled: true });

    await expect(attempt).rejects.toBeInstanceOf(WrongRegionError);
    await expect(attempt).rejects.toMatchObject({ status: 421, homeRegion: 'us' });
    expect(await world.store.getAccount(ACCOUNT)).toBeUndefined();
    expect(world.audit.events).toEqual([]);
  });

  it('refuses a customer of another account (403)', async () => {
    world.licensing.addAccount(ACCOUNT);

    const attempt = setPresence(world.deps, principals.customer(OTHER), ACCOUNT, { enabled: true });

    await expect(attempt).rejects.toMatchObject({ status: 403 });
    await expect(getPresenceSettings(world.deps, principals.customer(OTHER), ACCOUNT)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect(await world.store.getAccount(ACCOUNT)).toBeUndefined();
  });

  it('lets support read the settings but not set them', async () => {
    await connectedAccount(world, ACCOUNT);
    await openedSession(world, ACCOUNT, 'inst_1');

    const read = await getPresenceSettings(world.deps, principals.support, ACCOUNT);
    const attempt = setPresence(world.deps, principals.support, ACCOUNT, { enabled: false });

    expect(read).toMatchObject({ enabled: true, tenant: { tenantId: TENANT_ID }, sessions: 1 });
    await expect(attempt).rejects.toBeInstanceOf(ForbiddenError);
    expect((await world.store.getAccount(ACCOUNT))?.enabled).toBe(true);
  });
});

describe('startTenantConnection', () => {
  it('stores a pending sign-in and sends the browser to Microsoft with the S256 challenge of its verifier', async () => {
    await connectedAccount(world, ACCOUNT, { connected: false });

    const { authorizeUrl } = await startTenantConnection(world.deps, principals.customer(ACCOUNT), ACCOUNT, {
      returnTo: RETURN_TO,
      loginHint: 'admin@fabrikam.example',
    });

    const [request] = world.identity.requests;
    const pending = world.store.authorizations.get(request!.state);
    expect(authorizeUrl).toContain(`state=${request!.state}`);
    expect(pending).toEqual({
      state: request!.state,
      accountId: ACCOUNT,
      codeVerifier: expect.any(String),
      redirectUri: URLS.redirect,
      returnTo: RETURN_TO,
      actor: { kind: 'customer', id: `sub-${ACCOUNT}` },
      expiresAt: '2026-03-02T09:10:00.000Z',
    });
    expect(request).toEqual({
      state: request!.state,
      codeChallenge: createHash('sha256').update(pending!.codeVerifier).digest('base64url'),
      redirectUri: URLS.redirect,
      loginHint: 'admin@fabrikam.example',
    });
    expect(pending!.codeVerifier.length).toBeGreaterThanOrEqual(43); // RFC 7636's minimum
  });

  it('refuses (409) while Presence is off', async () => {
    await connectedAccount(world, ACCOUNT, { enabled: false, connected: false });

    const attempt = startTenantConnection(world.deps, principals.customer(ACCOUNT), ACCOUNT, { returnTo: RETURN_TO });

    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    expect(world.store.authorizations.size).toBe(0);
  });

  it('refuses (409) while a tenant is connected', async () => {
    await connectedAccount(world, ACCOUNT);

    const attempt = startTenantConnection(world.deps, principals.customer(ACCOUNT), ACCOUNT, { returnTo: RETURN_TO });

    await expect(attempt).rejects.toMatchObject({ status: 409 });
    expect(world.store.authorizations.size).toBe(0);
  });

  it('lets a tenant whose grant Microsoft revoked be connected again', async () => {
    await connectedAccount(world, ACCOUNT);
    await world.store.updateTenant(ACCOUNT, { grantRevokedAt: T0.toISOString() });

    const again = await startTenantConnection(world.deps, principals.customer(ACCOUNT), ACCOUNT, {
      returnTo: RETURN_TO,
    });

    expect(again.authorizeUrl).toContain('state=');
    expect(world.store.authorizations.size).toBe(1);
  });

  it('refuses a returnTo of another origin, naming the field', async () => {
    await connectedAccount(world, ACCOUNT, { connected: false });

    const attempt = startTenantConnection(world.deps, principals.customer(ACCOUNT), ACCOUNT, {
      returnTo: 'https://evil.example/phish',
    });

    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ errors: [{ path: 'returnTo' }] });
    expect(world.store.authorizations.size).toBe(0);
    expect(world.identity.requests).toEqual([]);
  });

  it('accepts a returnTo on the API’s own origin', async () => {
    await connectedAccount(world, ACCOUNT, { connected: false });

    const result = await startTenantConnection(world.deps, principals.customer(ACCOUNT), ACCOUNT, {
      returnTo: `${new URL(URLS.redirect).origin}/portal/accounts/${ACCOUNT}`,
    });

    expect(result.authorizeUrl).toContain('state=');
  });
});

describe('completeTenantConnection', () => {
  async function started() {
    await connectedAccount(world, ACCOUNT, { connected: false });
    await startTenantConnection(world.deps, principals.customer(ACCOUNT), ACCOUNT, { returnTo: RETURN_TO });
    return world.identity.requests[0]!.state;
  }

  it('redeems the code with the stored verifier, stores the sealed token and sends the browser back', async () => {
    const state = await started();
    const verifier = world.store.authorizations.get(state)!.codeVerifier;
    world.clock.advance(60_000);

    const { location } = await completeTenantConnection(world.deps, { state, code: 'code-1' });

    expect(location).toBe(`${RETURN_TO}?presence=connected`);
    expect(world.identity.redeemed).toEqual([{ code: 'code-1', codeVerifier: verifier, redirectUri: URLS.redirect }]);
    expect((await world.store.getAccount(ACCOUNT))?.tenant).toEqual({
      tenantId: TENANT_ID,
      connectedBy: 'admin@fabrikam.example',
      connectedAt: '2026-03-02T09:01:00.000Z',
      sealedRefreshToken: await world.vault.seal('refresh-1', { accountId: ACCOUNT }),
    });
    expect(world.audit.events).toEqual([
      expect.objectContaining({
        accountId: ACCOUNT,
        actor: { kind: 'customer', id: `sub-${ACCOUNT}` },
        action: 'presence.connected',
        details: { tenantId: TENANT_ID },
      }),
    ]);
  });

  it('redeems nothing when Presence was turned off while the administrator was at Microsoft', async () => {
    const state = await started();
    await world.store.setEnabled(ACCOUNT, false);

    const { location } = await completeTenantConnection(world.deps, { state, code: 'code-1' });

    expect(query(location)).toMatchObject({ presence: 'error', reason: expect.stringContaining('turned off') });
    expect(world.identity.redeemed).toEqual([]);
    expect((await world.store.getAccount(ACCOUNT))?.tenant).toBeUndefined();
  });

  it('redeems a state once: the second arrival lands in the portal with presence=error', async () => {
    const state = await started();
    await completeTenantConnection(world.deps, { state, code: 'code-1' });

    const { location } = await completeTenantConnection(world.deps, { state, code: 'code-1' });

    expect(location.startsWith(`${PORTAL}/?`)).toBe(true);
    expect(query(location)).toMatchObject({ presence: 'error' });
    expect(world.identity.redeemed).toHaveLength(1);
  });

  it('accepts a state for 10 minutes and not a moment longer', async () => {
    const state = await started();
    world.clock.advance(600_000);

    const { location } = await completeTenantConnection(world.deps, { state, code: 'code-1' });

    expect(query(location)).toMatchObject({ presence: 'error' });
    expect(world.identity.redeemed).toEqual([]);
    expect((await world.store.getAccount(ACCOUNT))?.tenant).toBeUndefined();
  });

  it('connects within the 10 minutes', async () => {
    const state = await started();
    world.clock.advance(599_000);

    const { location } = await completeTenantConnection(world.deps, { state, code: 'code-1' });

    expect(query(location)).toEqual({ presence: 'connected' });
  });

  it('sends the browser back with presence=error when the administrator refused consent, audited', async () => {
    const state = await started();

    const { location } = await completeTenantConnection(world.deps, {
      state,
      error: 'access_denied',
      error_description: 'AADSTS65004: User declined to consent',
    });

    expect(location.startsWith(`${RETURN_TO}?`)).toBe(true);
    expect(query(location)).toEqual({
      presence: 'error',
      reason: 'The administrator did not give consent in Microsoft 365.',
    });
    expect(world.identity.redeemed).toEqual([]);
    expect((await world.store.getAccount(ACCOUNT))?.tenant).toBeUndefined();
    expect(world.audit.events.map((e) => [e.action, e.actor])).toEqual([
      ['presence.connection-refused', { kind: 'customer', id: `sub-${ACCOUNT}` }],
    ]);
  });

  it('sends an unknown state to the portal’s root with presence=error', async () => {
    const { location } = await completeTenantConnection(world.deps, { state: 'x'.repeat(43), code: 'code-1' });

    expect(new URL(location).origin).toBe(PORTAL);
    expect(new URL(location).pathname).toBe('/');
    expect(query(location)).toMatchObject({ presence: 'error' });
    expect(world.identity.redeemed).toEqual([]);
    expect(world.audit.events).toEqual([]);
  });

  it('says so when Microsoft does not confirm the code, and stores nothing', async () => {
    const state = await started();
    world.identity.failure = new Error('invalid_grant');

    const { location } = await completeTenantConnection(world.deps, { state, code: 'code-1' });

    expect(query(location)).toMatchObject({ presence: 'error' });
    expect((await world.store.getAccount(ACCOUNT))?.tenant).toBeUndefined();
    expect(world.audit.events.map((e) => e.action)).toEqual(['presence.connection-failed']);
  });
});

describe('disconnectTenant', () => {
  async function connectedWithSubscriptions() {
    await connectedAccount(world, ACCOUNT);
    const session = await openedSession(world, ACCOUNT, 'inst_1');
    const alice = { id: 'id-alice', upn: 'alice@fabrikam.example' };
    await world.store.addWatches(session, [alice]);
    await world.store.cacheUsers(ACCOUNT, [alice]);
    for (const n of [1, 2])
      await world.store.putSubscription({
        subscriptionId: `psub_${n}`,
        accountId: ACCOUNT,
        graphId: `graph-${n}`,
        clientState: 'cs',
        userIds: [alice.id],
        expiresAt: '2026-03-02T09:59:00.000Z',
      });
    return session;
  }

  it('deletes the Graph subscriptions, closes the sessions, erases everything but the switch, audited', async () => {
    const session = await connectedWithSubscriptions();

    await disconnectTenant(world.deps, principals.customer(ACCOUNT), ACCOUNT);

    expect(world.graph.called('deleteSubscription').sort()).toEqual([['graph-1'], ['graph-2']]);
    expect(world.graphOpenedFor).toEqual([{ tenantId: TENANT_ID, refreshToken: 'refresh-1' }]);
    expect(world.channel.closed).toEqual([session.connectionId]);
    expect(world.store.remnants(ACCOUNT)).toEqual([{ enabled: true }]);
    expect(world.audit.events.map((e) => [e.action, e.details])).toEqual([
      ['presence.disconnected', { tenantId: TENANT_ID }],
    ]);
  });

  it('erases and audits even when Graph fails', async () => {
    const session = await connectedWithSubscriptions();
    world.graph.failures.set('deleteSubscription', new Error('Graph is down'));

    await disconnectTenant(world.deps, principals.customer(ACCOUNT), ACCOUNT);

    expect(world.channel.closed).toEqual([session.connectionId]);
    expect(world.store.remnants(ACCOUNT)).toEqual([{ enabled: true }]);
    expect(world.audit.events.map((e) => e.action)).toEqual(['presence.disconnected']);
    expect(world.log.warnings).toHaveLength(1);
  });

  it('refuses support (403) and leaves the tenant connected', async () => {
    await connectedWithSubscriptions();

    const attempt = disconnectTenant(world.deps, principals.support, ACCOUNT);

    await expect(attempt).rejects.toBeInstanceOf(ForbiddenError);
    expect((await world.store.getAccount(ACCOUNT))?.tenant?.tenantId).toBe(TENANT_ID);
  });
});

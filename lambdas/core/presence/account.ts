/**
 * The account's side of Presence: the switch, connecting a Microsoft 365 tenant (OAuth 2.0 code
 * flow with PKCE, the refresh token sealed by KMS) and disconnecting it (everything erased).
 */
import { createHash, randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { assertAccountAccess, assertMayAddressAccount, type Principal } from '../licensing/access';
import { assertAccountOpen } from '../licensing/account-open';
import { assertHomeRegion } from '../licensing/home-region';
import type { SmartAccount } from '../licensing/model';
import { need, type PresenceDeps } from './deps';
import type { PresenceAccount } from './store';

const authorizationSeconds = 600;

export const presenceSwitchBodySchema = z.strictObject({ enabled: z.boolean() });

const returnToSchema = z.string().check(
  z.maxLength(2048),
  z.url(),
  z.refine((url) => /^https:\/\//.test(url) || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(url), {
    message: 'must be an https URL (or http on this machine)',
  }),
);

export const connectBodySchema = z.strictObject({
  returnTo: returnToSchema,
  /** the Microsoft 365 administrator's e-mail, to skip Microsoft's account picker */
  loginHint: z.optional(z.string().check(z.trim(), z.email(), z.maxLength(256))),
});

export interface PresenceSettingsView {
  readonly enabled: boolean;
  readonly tenant?: {
    readonly tenantId: string;
    readonly connectedBy: string;
    readonly connectedAt: string;
    readonly needsReconnect?: boolean;
  };
  readonly sessions: number;
}

async function accountFor(deps: PresenceDeps, principal: Principal, accountId: string, access: 'read' | 'manage') {
  assertMayAddressAccount(principal, accountId);
  const account = await need(deps, 'licensing').getAccount(accountId);
  assertAccountAccess(principal, account ?? undefined, access);
  if (!account) throw new NotFoundError(`Account ${accountId} does not exist.`);
  // Presence data lives in the home region only: the other region answers 421.
  if (deps.here) assertHomeRegion(account.region, deps.here);
  return account;
}

async function view(deps: PresenceDeps, accountId: string, presence?: PresenceAccount): Promise<PresenceSettingsView> {
  const stored = presence ?? (await deps.store.getAccount(accountId));
  const sessions = stored?.enabled ? (await deps.store.listSessions(accountId)).length : 0;
  const tenant = stored?.tenant;
  return {
    enabled: stored?.enabled ?? false,
    ...(tenant && {
      tenant: {
        tenantId: tenant.tenantId,
        connectedBy: tenant.connectedBy,
        connectedAt: tenant.connectedAt,
        ...(tenant.grantRevokedAt && { needsReconnect: true }),
      },
    }),
    sessions,
  };
}

export async function getPresenceSettings(deps: PresenceDeps, principal: Principal, accountId: string) {
  await accountFor(deps, principal, accountId, 'read');
  return view(deps, accountId);
}

function allowedOrigins(urls: { redirect: string; portalOrigins: readonly string[] }): string[] {
  return [...urls.portalOrigins.map((o) => new URL(o).origin), new URL(urls.redirect).origin];
}

function actorOf(principal: Principal) {
  return { kind: principal.role, id: principal.sub } as const;
}

async function audit(
  deps: PresenceDeps,
  account: SmartAccount,
  actor: { kind: string; id: string },
  action: string,
  details: Record<string, unknown>,
) {
  await need(deps, 'audit').append({
    accountId: account.accountId,
    at: deps.clock.now().toISOString(),
    eventId: deps.ids.id('evt_'),
    actor: actor as never,
    action,
    details,
  });
}

/** Off closes the suite's sessions at once; the tenant stays connected for when it is turned on again. */
export async function setPresence(
  deps: PresenceDeps,
  principal: Principal,
  accountId: string,
  body: z.infer<typeof presenceSwitchBodySchema>,
) {
  const account = await accountFor(deps, principal, accountId, 'manage');
  if (body.enabled) assertAccountOpen(account);
  const before = await deps.store.getAccount(accountId);
  if ((before?.enabled ?? false) !== body.enabled) {
    await deps.store.setEnabled(accountId, body.enabled);
    await audit(deps, account, actorOf(principal), body.enabled ? 'presence.enabled' : 'presence.disabled', {
      enabled: body.enabled,
    });
    if (!body.enabled) await closeSessions(deps, accountId);
  }
  return view(deps, accountId);
}

async function closeSessions(deps: PresenceDeps, accountId: string) {
  const channel = need(deps, 'channel');
  for (const session of await deps.store.listSessions(accountId)) {
    await channel.close(session.connectionId);
    await deps.store.deleteSession(session.connectionId);
  }
}

/** Starts "Connect Microsoft 365": the URL the browser goes to for the administrator's consent. */
export async function startTenantConnection(
  deps: PresenceDeps,
  principal: Principal,
  accountId: string,
  body: z.infer<typeof connectBodySchema>,
): Promise<{ authorizeUrl: string }> {
  assertAccountOpen(await accountFor(deps, principal, accountId, 'manage'));
  const urls = need(deps, 'urls');
  // Only back to the portal: the consent redirect must not become an open redirect.
  if (!allowedOrigins(urls).includes(new URL(body.returnTo).origin))
    throw new ValidationError([{ path: 'returnTo', message: 'must be a page of the portal' }]);
  const presence = await deps.store.getAccount(accountId);
  if (!presence?.enabled)
    throw new ConflictError('Turn the Presence Service on before connecting Microsoft 365.', [
      { path: 'enabled', message: 'Presence is off for this account' },
    ]);
  if (presence.tenant && !presence.tenant.grantRevokedAt)
    throw new ConflictError(
      `Tenant ${presence.tenant.tenantId} is already connected; disconnect it first to connect another.`,
    );
  const state = randomBytes(32).toString('base64url');
  const codeVerifier = randomBytes(32).toString('base64url');
  const redirectUri = urls.redirect;
  await deps.store.putAuthorization({
    state,
    accountId,
    codeVerifier,
    redirectUri,
    returnTo: body.returnTo,
    actor: actorOf(principal),
    expiresAt: new Date(deps.clock.now().getTime() + authorizationSeconds * 1000).toISOString(),
  });
  const authorizeUrl = await need(deps, 'identity').authorizeUrl({
    state,
    codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url'),
    redirectUri,
    ...(body.loginHint && { loginHint: body.loginHint }),
  });
  return { authorizeUrl };
}

export const callbackQuerySchema = z.object({
  state: z.string().check(z.minLength(16), z.maxLength(128)),
  code: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
  error: z.optional(z.string().check(z.maxLength(256))),
  error_description: z.optional(z.string().check(z.maxLength(2048))),
});

/** Where the browser goes after Microsoft's redirect: back to the portal, saying how it went. */
export async function completeTenantConnection(
  deps: PresenceDeps,
  query: z.infer<typeof callbackQuerySchema>,
): Promise<{ location: string }> {
  const pending = await deps.store.takeAuthorization(query.state);
  if (!pending || pending.expiresAt <= deps.clock.now().toISOString()) {
    // The browser still lands in the portal, which says what happened.
    const home = new URL('/', allowedOrigins(need(deps, 'urls'))[0]);
    home.searchParams.set('presence', 'error');
    home.searchParams.set('reason', 'This sign-in link was already used or is older than 10 minutes: connect again.');
    return { location: home.toString() };
  }
  const back = (outcome: Record<string, string>) => {
    const url = new URL(pending.returnTo);
    for (const [key, value] of Object.entries(outcome)) url.searchParams.set(key, value);
    return { location: url.toString() };
  };
  const licensing = need(deps, 'licensing');
  const account = await licensing.getAccount(pending.accountId);
  if (!account) return back({ presence: 'error', reason: 'The account no longer exists.' });
  if (!(await deps.store.getAccount(account.accountId))?.enabled)
    return back({
      presence: 'error',
      reason: 'The Presence Service was turned off meanwhile: turn it on and connect again.',
    });
  if (query.error || !query.code) {
    await audit(deps, account, pending.actor, 'presence.connection-refused', { error: query.error ?? 'no code' });
    return back({ presence: 'error', reason: microsoftRefusal(query.error) });
  }
  try {
    const grant = await need(deps, 'identity').redeemCode({
      code: query.code,
      codeVerifier: pending.codeVerifier,
      redirectUri: pending.redirectUri,
    });
    const sealedRefreshToken = await need(deps, 'vault').seal(grant.refreshToken, { accountId: account.accountId });
    const tenant = {
      tenantId: grant.tenantId,
      connectedBy: grant.consentedBy,
      connectedAt: deps.clock.now().toISOString(),
      sealedRefreshToken,
    };
    const existing = await deps.store.getAccount(account.accountId);
    if (existing?.tenant?.grantRevokedAt) await deps.store.eraseTenant(account.accountId);
    if (!(await deps.store.putTenant(account.accountId, tenant)))
      return back({ presence: 'error', reason: 'Another tenant was connected meanwhile; disconnect it first.' });
    await audit(deps, account, pending.actor, 'presence.connected', { tenantId: grant.tenantId });
    return back({ presence: 'connected' });
  } catch (error) {
    deps.log.warn('presence: redeeming the authorization code failed', { error: String(error) });
    await audit(deps, account, pending.actor, 'presence.connection-failed', {});
    return back({ presence: 'error', reason: 'Microsoft did not confirm the sign-in; try again.' });
  }
}

function microsoftRefusal(error: string | undefined): string {
  switch (error) {
    case 'access_denied':
      return 'The administrator did not give consent in Microsoft 365.';
    case 'consent_required':
    case 'interaction_required':
    case 'login_required':
      return 'Microsoft 365 needs an administrator of the tenant to sign in and consent.';
    default:
      return 'Microsoft 365 refused the connection; try again or ask the tenant administrator.';
  }
}

/**
 * Disconnects: Graph subscriptions deleted (best effort: they expire within the hour anyway), the
 * suite's sessions closed, then the token, subscriptions, sessions, watched users and presence
 * erased. Microsoft offers an app no call to withdraw a tenant's consent: docs/presence.md says how
 * the tenant's administrator removes it.
 */
export async function disconnectTenant(deps: PresenceDeps, principal: Principal, accountId: string): Promise<void> {
  const account = await accountFor(deps, principal, accountId, 'manage');
  const presence = await deps.store.getAccount(accountId);
  if (!presence?.tenant) return;
  // From here on a reconnecting suite is refused: the sessions closed below cannot come back.
  await deps.store.updateTenant(accountId, { grantRevokedAt: deps.clock.now().toISOString() });
  try {
    const refreshToken = await need(deps, 'vault').open(presence.tenant.sealedRefreshToken, { accountId });
    const graph = need(deps, 'graphFor')({ tenantId: presence.tenant.tenantId, refreshToken });
    for (const id of presence.subscriptionIds) {
      const record = await deps.store.getSubscription(id);
      if (record) await graph.deleteSubscription(record.graphId);
    }
  } catch (error) {
    deps.log.warn('presence: deleting Graph subscriptions failed; they expire on their own', { error: String(error) });
  }
  await closeSessions(deps, accountId);
  await deps.store.eraseTenant(accountId);
  await audit(deps, account, actorOf(principal), 'presence.disconnected', { tenantId: presence.tenant.tenantId });
}

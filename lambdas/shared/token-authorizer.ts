/**
 * The Lambda authorizer's decision on the 'staff-or-machine' routes (docs/back-office.md): a
 * person's ID token exactly as the JWT authorizer takes it (issuer, the portal client as audience,
 * `token_use: id`), or a machine client's access token of the same issuer carrying the route's
 * scope, whose `CLIENT#` record exists and is not revoked. Issuer and JWKS come from the
 * environment, so the local issuer's tokens are verified locally by this same code.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { machineMayCall, type MachineClientStore } from '../core/accounts/machine-clients';
import { apiRoutes, type ApiRoute } from './api-routes';
import { machineContextKind, unauthenticatedContextKind } from './auth';

export interface TokenAuthorizerSettings {
  readonly issuer: string;
  readonly jwksUrl: string;
  /** the audience of a person's ID token */
  readonly portalClientId: string;
}

export interface AuthorizerDecision {
  readonly isAuthorized: boolean;
  readonly context?: Record<string, string>;
}

const denied: AuthorizerDecision = { isAuthorized: false };
/**
 * An HTTP API's Lambda authorizer can only answer 403; an expired or invalid token must be 401 (the
 * portal refreshes on it, an OAuth client fetches a new token). So it passes, marked, and the
 * handler's principalFromEvent answers 401 before doing anything.
 */
const unauthenticated: AuthorizerDecision = { isAuthorized: true, context: { kind: unauthenticatedContextKind } };

/** The scope a machine needs per route key; routes that admit no machine are absent. */
const routeScopes = new Map(
  (apiRoutes as readonly ApiRoute[])
    .filter((r) => r.auth === 'staff-or-machine' && r.scope !== undefined)
    .map((r) => [`${r.method} ${r.path}`, r.scope!]),
);

/** As API Gateway's JWT authorizer renders claims: strings, arrays as `[a b]`. */
function claimsContext(payload: JWTPayload): Record<string, string> {
  const context: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    // `kind` marks a machine's context (auth.ts): a person's token never sets it.
    if (name === 'kind') continue;
    context[name] = Array.isArray(value)
      ? `[${value.join(' ')}]`
      : typeof value === 'object' && value !== null
        ? JSON.stringify(value)
        : String(value);
  }
  return context;
}

export function tokenAuthorizer(
  settings: TokenAuthorizerSettings,
  clients: Pick<MachineClientStore, 'get'>,
  keys: JWTVerifyGetKey = createRemoteJWKSet(new URL(settings.jwksUrl)),
) {
  return async (authorization: string | undefined, routeKey: string): Promise<AuthorizerDecision> => {
    const token = authorization?.replace(/^Bearer\s+/i, '').trim();
    if (!token) return unauthenticated;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, { issuer: settings.issuer, algorithms: ['RS256', 'ES256'] }));
    } catch (error) {
      // The issuer's keys out of reach is our failure (500, not cached), not the caller's token.
      if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) throw error;
      return unauthenticated;
    }
    if (payload['token_use'] === 'id') {
      const audience = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      // What the JWT authorizer refused (401) stays a 401.
      if (!audience.includes(settings.portalClientId) || typeof payload.sub !== 'string') return unauthenticated;
      return { isAuthorized: true, context: claimsContext(payload) };
    }
    if (payload['token_use'] !== 'access' || typeof payload['client_id'] !== 'string') return unauthenticated;
    const clientId = payload['client_id'];
    const scopes = typeof payload['scope'] === 'string' ? payload['scope'].split(' ') : [];
    const routeScope = routeScopes.get(routeKey);
    // The route decides first: a route no machine may call costs no read.
    if (routeScope === undefined || !machineMayCall(await clients.get(clientId), scopes, routeScope)) return denied;
    return { isAuthorized: true, context: { kind: machineContextKind, sub: `client:${clientId}`, clientId } };
  };
}

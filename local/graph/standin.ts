/**
 * The Microsoft identity platform and Microsoft Graph stand-in: the subset the Presence Service
 * uses, in their real wire formats, so the cloud code reaches it through oauth4webapi and its HTTP
 * client with only its authority and base URL changed. Identity endpoints are served over TLS (OAuth
 * clients, oauth4webapi and MSAL alike, insist on https); Graph and the `/local/` control routes over
 * plain http.
 */
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, sign, verify } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { X509Certificate } from 'node:crypto';
import {
  administrator,
  consentedScopes,
  findUser as findDirectoryUser,
  knownTenant,
  presenceApp,
  seededUsers,
  tenantDomain,
  tenantId,
  type DirectoryUser,
} from './directory';
import { encryptResourceData, parseEncryptionCertificate } from './rich-notification';
import { selfSignedCertificate, type TlsIdentity } from './tls';
import { foreignHostRefusal, isLoopbackHost } from '../host-check';

export { tenantDomain, tenantId, presenceApp, users } from './directory';

/** Graph's limits for presence subscriptions and reads. */
export const maxPresenceIds = 650;
export const maxSubscriptionMinutes = 60;
const validationTimeoutMs = 10_000;
const accessTokenSeconds = 3600;
const codeSeconds = 600;
/** The app id Graph's change-tracking tokens name as `azp`. */
const graphChangeTrackingAppId = '0bf30f3b-4a52-48df-9a82-234910c4a086';

export interface GraphStandinOptions {
  /** plain http: Graph and control routes. @default 0, a free port */
  readonly port?: number;
  /** https: the identity platform. @default 0, a free port */
  readonly identityPort?: number;
  /** the clock subscriptions, codes and tokens expire by */
  readonly now?: () => Date;
  readonly tls?: TlsIdentity;
  readonly log?: (line: string) => void;
  /** numbered users in the tenant (user1…userN; the benchmark's 10,000). @default 50 */
  readonly directorySize?: number;
}

export interface GraphStandin {
  /** Graph's base URL (`<graph>/v1.0/...`) and the control routes' (`<graph>/local/...`) */
  readonly graph: string;
  /** the identity platform's host (`<identity>/<tenant>/oauth2/v2.0/...`) */
  readonly identity: string;
  /** the authority (identity host and tenant) of the seeded tenant */
  readonly authority: string;
  /** PEM certificate of the identity endpoints: a client trusts it to reach them */
  readonly ca: string;
  readonly tenantId: string;
  readonly app: { readonly clientId: string; readonly clientSecret: string };
  /** the next `requests` Graph calls answer 429 with `Retry-After: retryAfterSeconds` */
  throttle(requests: number, retryAfterSeconds?: number): void;
  setPresence(user: string, availability: string, activity: string): Promise<PresenceChange>;
  lifecycle(event: LifecycleEvent): Promise<{ notified: string[] }>;
  stop(): Promise<void>;
}

export type LifecycleEvent = 'missed' | 'reauthorizationRequired' | 'subscriptionRemoved';
const lifecycleEvents: readonly string[] = ['missed', 'reauthorizationRequired', 'subscriptionRemoved'];

export interface PresenceChange {
  readonly id: string;
  readonly availability: string;
  readonly activity: string;
  /** the subscriptions whose notification URL accepted the change */
  readonly notified: string[];
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

interface Subscription {
  id: string;
  resource: string;
  userIds: Set<string>;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl?: string;
  clientState?: string;
  expirationDateTime: Date;
  includeResourceData: boolean;
  encryptionCertificate?: string;
  encryptionCertificateId?: string;
  certificate?: X509Certificate;
  latestSupportedTlsVersion: string;
  applicationId: string;
  creatorId: string;
}

interface Grant {
  clientId: string;
  user: DirectoryUser;
  scopes: string[];
}

class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

class AadError extends Error {
  constructor(
    readonly error: string,
    readonly code: number,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export async function startGraphStandin(options: GraphStandinOptions = {}): Promise<GraphStandin> {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => undefined);
  const tls = options.tls ?? selfSignedCertificate();
  const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = createHash('sha256')
    .update(signing.publicKey.export({ format: 'der', type: 'spki' }))
    .digest('base64url');

  const directorySize = options.directorySize ?? seededUsers;
  const findUser = (idOrUpn: string) => findDirectoryUser(idOrUpn, directorySize);
  // Everyone is Offline until told otherwise.
  const presence = new Map<string, { availability: string; activity: string }>();
  const presenceOf = (id: string) =>
    presence.get(id) ?? (findUser(id) ? { availability: 'Offline', activity: 'Offline' } : undefined);
  const codes = new Map<
    string,
    {
      grant: Grant;
      redirectUri: string;
      challenge?: string;
      nonce?: string;
      expires: number;
    }
  >();
  const refreshTokens = new Map<string, Grant & { revoked: boolean }>();
  const subscriptions = new Map<string, Subscription>();
  let throttled = { requests: 0, retryAfterSeconds: 1 };
  const requestCounts = new Map<string, number>();

  const identityServer = createHttpsServer({ key: tls.key, cert: tls.cert }, (req, res) =>
    serve(req, res, identityRoute),
  );
  const graphServer = createHttpServer((req, res) => serve(req, res, graphRoute));
  const [identityPort, graphPort] = await Promise.all([
    listen(identityServer, options.identityPort ?? 0),
    listen(graphServer, options.port ?? 0),
  ]);
  const identity = `https://127.0.0.1:${identityPort}`;
  const graph = `http://127.0.0.1:${graphPort}`;
  log(`graph: Microsoft Graph stand-in ${graph}, identity platform ${identity}/${tenantDomain}`);

  // ----- tokens ------------------------------------------------------------------------------
  function jwt(claims: Record<string, unknown>): string {
    const header = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid })).toString('base64url');
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), signing.privateKey).toString('base64url');
    return `${header}.${payload}.${signature}`;
  }

  function verifyJwt(token: string): Record<string, unknown> | undefined {
    const [header, payload, signature] = token.split('.');
    if (!header || !payload || !signature) return undefined;
    const ok = verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      signing.publicKey,
      Buffer.from(signature, 'base64url'),
    );
    if (!ok) return undefined;
    try {
      const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  function issueTokens(grant: Grant, nonce?: string): Record<string, unknown> {
    const iat = Math.floor(now().getTime() / 1000);
    const graphScopes = grant.scopes.filter((s) => !oidcScopes.has(s));
    const accessToken = jwt({
      aud: 'https://graph.microsoft.com',
      iss: `https://sts.windows.net/${tenantId}/`,
      iat,
      nbf: iat,
      exp: iat + accessTokenSeconds,
      appid: grant.clientId,
      tid: tenantId,
      oid: grant.user.id,
      sub: grant.user.id,
      upn: grant.user.userPrincipalName,
      name: grant.user.displayName,
      scp: graphScopes.join(' '),
      ver: '1.0',
    });
    // an id_token only for the openid scope, as Microsoft answers
    const idToken = grant.scopes.includes('openid')
      ? jwt({
          aud: grant.clientId,
          iss: `${identity}/${tenantId}/v2.0`,
          iat,
          nbf: iat,
          exp: iat + accessTokenSeconds,
          tid: tenantId,
          oid: grant.user.id,
          sub: grant.user.id,
          name: grant.user.displayName,
          preferred_username: grant.user.userPrincipalName,
          ver: '2.0',
          ...(nonce !== undefined && { nonce }),
        })
      : undefined;
    const answer: Record<string, unknown> = {
      token_type: 'Bearer',
      scope: graphScopes.join(' '),
      expires_in: accessTokenSeconds,
      ext_expires_in: accessTokenSeconds,
      access_token: accessToken,
      ...(idToken !== undefined && { id_token: idToken }),
      client_info: Buffer.from(JSON.stringify({ uid: grant.user.id, utid: tenantId })).toString('base64url'),
    };
    if (grant.scopes.includes('offline_access')) {
      const refreshToken = `0.local.${randomBytes(48).toString('base64url')}`;
      refreshTokens.set(refreshToken, { ...grant, revoked: false });
      answer.refresh_token = refreshToken;
    }
    return answer;
  }

  // ----- identity platform -------------------------------------------------------------------
  async function identityRoute(req: IncomingMessage, url: URL, body: Buffer): Promise<Reply> {
    const match =
      /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/authorize|oauth2\/v2\.0\/token|discovery\/v2\.0\/keys)$/.exec(
        url.pathname,
      );
    if (!match) return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not Found' };
    const [, tenant, endpoint] = match as unknown as [string, string, string];
    try {
      if (!knownTenant(tenant))
        throw new AadError(
          'invalid_tenant',
          90002,
          `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
        );
      if (endpoint.startsWith('v2.0/.well-known') && req.method === 'GET') return openIdConfiguration(tenant);
      if (endpoint === 'discovery/v2.0/keys' && req.method === 'GET') return jwks();
      if (endpoint === 'oauth2/v2.0/authorize' && req.method === 'GET') return authorize(url);
      if (endpoint === 'oauth2/v2.0/token' && req.method === 'POST')
        return token(new URLSearchParams(body.toString('utf8')));
      return { status: 405, headers: { 'content-type': 'text/plain' }, body: 'Method Not Allowed' };
    } catch (error) {
      if (error instanceof AadError) return aadError(error);
      throw error;
    }
  }

  function openIdConfiguration(tenant: string): Reply {
    const base = `${identity}/${tenant}`;
    return json(200, {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${identity}/${tenantId}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${graph}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'oid'],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'EU',
      cloud_instance_name: '127.0.0.1',
      cloud_graph_host_name: '127.0.0.1',
      msgraph_host: new URL(graph).host,
      rbac_url: graph,
    });
  }

  function jwks(): Reply {
    const jwk = createPublicKey(signing.publicKey).export({ format: 'jwk' });
    return json(200, {
      keys: [{ kty: 'RSA', use: 'sig', kid, n: jwk.n, e: jwk.e, issuer: `${identity}/${tenantId}/v2.0` }],
    });
  }

  function authorize(url: URL): Reply {
    const p = url.searchParams;
    const clientId = p.get('client_id');
    const redirectUri = p.get('redirect_uri');
    // Without a client or a trustworthy redirect URI, Microsoft shows an error page rather than redirect.
    if (!clientId) return errorPage(900144, "The request body must contain the following parameter: 'client_id'.");
    if (clientId !== presenceApp.clientId)
      return errorPage(
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenantDomain}'.`,
      );
    if (!redirectUri || !isHttpUrl(redirectUri))
      return errorPage(
        50011,
        'The redirect URI specified in the request does not match the redirect URIs configured for the application.',
      );
    const state = p.get('state') ?? undefined;
    const fail = (error: string, code: number, message: string): Reply => {
      const target = new URL(redirectUri);
      target.searchParams.set('error', error);
      target.searchParams.set('error_description', `AADSTS${code}: ${message}`);
      if (state !== undefined) target.searchParams.set('state', state);
      return { status: 302, headers: { location: target.toString() } };
    };
    if (p.get('response_type') !== 'code')
      return fail('unsupported_response_type', 700054, "response_type must be 'code' for this application.");
    const challenge = p.get('code_challenge') ?? undefined;
    const method = p.get('code_challenge_method') ?? (challenge ? 'plain' : undefined);
    if (challenge !== undefined && method !== 'S256')
      return fail('invalid_request', 501491, "Invalid code_challenge_method: only 'S256' is supported.");
    if (challenge !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(challenge))
      return fail('invalid_request', 501481, 'The code_challenge is not a base64url SHA-256 digest.');
    const scopes = scopeList(p.get('scope') ?? '');
    if (scopes.length === 0)
      return fail('invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
    const unknownScope = scopes.find((s) => !oidcScopes.has(s) && !(consentedScopes as readonly string[]).includes(s));
    if (unknownScope)
      return fail(
        'invalid_client',
        650053,
        `The application asked for scope '${unknownScope}' that doesn't exist on the resource.`,
      );
    const hint = p.get('login_hint')?.toLowerCase();
    // The stand-in has one signed-in browser: the administrator's. Anyone else would see a sign-in page.
    if (hint !== administrator.userPrincipalName)
      return fail(
        'login_required',
        50058,
        'A silent sign-in request was sent but no user is signed in (the stand-in signs in admin@contoso.example only).',
      );
    const code = `1.local.${randomBytes(32).toString('base64url')}`;
    codes.set(code, {
      grant: { clientId, user: administrator, scopes },
      redirectUri,
      ...(challenge !== undefined && { challenge }),
      ...(p.get('nonce') !== null && { nonce: p.get('nonce') as string }),
      expires: now().getTime() + codeSeconds * 1000,
    });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    if (state !== undefined) target.searchParams.set('state', state);
    target.searchParams.set('session_state', randomUUID());
    return { status: 302, headers: { location: target.toString() } };
  }

  function token(p: URLSearchParams): Reply {
    const clientId = p.get('client_id');
    if (!clientId)
      throw new AadError(
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'client_id'.",
      );
    if (clientId !== presenceApp.clientId)
      throw new AadError(
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenantDomain}'.`,
      );
    if (p.get('client_secret') !== presenceApp.clientSecret)
      throw new AadError(
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
        401,
      );
    const grantType = p.get('grant_type');
    if (grantType === 'authorization_code') {
      const code = p.get('code') ?? '';
      const issued = codes.get(code);
      codes.delete(code);
      if (!issued || issued.expires <= now().getTime())
        throw new AadError(
          'invalid_grant',
          70008,
          'The provided authorization code or refresh token has expired due to inactivity.',
        );
      if (issued.grant.clientId !== clientId || issued.redirectUri !== p.get('redirect_uri'))
        throw new AadError(
          'invalid_grant',
          50148,
          'The redirect_uri or client does not match the authorization request.',
        );
      if (issued.challenge !== undefined) {
        const verifier = p.get('code_verifier') ?? '';
        if (createHash('sha256').update(verifier).digest('base64url') !== issued.challenge)
          throw new AadError(
            'invalid_grant',
            501481,
            'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
          );
      }
      return json(200, issueTokens(issued.grant, issued.nonce));
    }
    if (grantType === 'refresh_token') {
      const held = refreshTokens.get(p.get('refresh_token') ?? '');
      if (!held || held.clientId !== clientId)
        throw new AadError('invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
      if (held.revoked)
        throw new AadError(
          'invalid_grant',
          50173,
          'The provided grant has expired due to it being revoked, a fresh auth token is needed.',
        );
      const asked = scopeList(p.get('scope') ?? '');
      const scopes = asked.length > 0 ? asked.filter((s) => held.scopes.includes(s) || oidcScopes.has(s)) : held.scopes;
      return json(200, issueTokens({ clientId, user: held.user, scopes }));
    }
    throw new AadError(
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grantType ?? ''}'.`,
    );
  }

  function aadError(error: AadError): Reply {
    const correlationId = randomUUID();
    const traceId = randomUUID();
    // Microsoft writes `2026-12-04 10:00:00Z`
    const timestamp = now()
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d{3}Z$/, 'Z');
    return json(error.status, {
      error: error.error,
      error_description: `AADSTS${error.code}: ${error.message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [error.code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
    });
  }

  // ----- Graph -------------------------------------------------------------------------------
  async function graphRoute(req: IncomingMessage, url: URL, body: Buffer): Promise<Reply> {
    const path = url.pathname;
    if (path.startsWith('/local/')) return control(req, path, body);
    // What the cloud asked of Graph, by method and first path segment (GET /local/requests).
    const counted = `${req.method} /${path.split('/')[2] ?? ''}`;
    requestCounts.set(counted, (requestCounts.get(counted) ?? 0) + 1);
    if (!path.startsWith('/v1.0/'))
      return graphError(new GraphError(400, 'BadRequest', `Invalid version: ${path.split('/')[1] ?? ''}`));
    try {
      if (throttled.requests > 0) {
        throttled.requests -= 1;
        throw new GraphError(
          429,
          'TooManyRequests',
          'Too many requests are being sent. Retry after the time in the Retry-After header.',
          { 'retry-after': String(throttled.retryAfterSeconds) },
        );
      }
      const caller = authenticate(req);
      const route = `${req.method} ${path.slice('/v1.0'.length)}`;
      const matching = (pattern: RegExp) => pattern.exec(route) ?? undefined;
      let m: RegExpExecArray | undefined;
      m = matching(/^GET \/users\/([^/]+)$/);
      if (m) {
        requireScope(caller, 'User.ReadBasic.All');
        const user = findUser(decodeURIComponent(m[1] as string));
        if (!user)
          throw new GraphError(
            404,
            'Request_ResourceNotFound',
            `Resource '${decodeURIComponent(m[1] as string)}' does not exist or one of its queried reference-property objects are not present.`,
          );
        return json(200, { '@odata.context': `${graph}/v1.0/$metadata#users/$entity`, ...user });
      }
      m = matching(/^POST \/(?:users\/([^/]+)|me)\/revokeSignInSessions$/);
      if (m) {
        const user = m[1] === undefined ? findUser(caller.oid) : findUser(decodeURIComponent(m[1]));
        if (!user) throw new GraphError(404, 'Request_ResourceNotFound', `Resource '${m[1]}' does not exist.`);
        for (const held of refreshTokens.values()) if (held.user.id === user.id) held.revoked = true;
        return json(200, { '@odata.context': `${graph}/v1.0/$metadata#Edm.Boolean`, value: true });
      }
      if (route === 'POST /communications/getPresencesByUserId') {
        requireScope(caller, 'Presence.Read.All');
        const ids = parseBody(body, (b) =>
          Array.isArray(b.ids) && b.ids.every((i) => typeof i === 'string') ? (b.ids as string[]) : undefined,
        );
        if (ids.length === 0 || ids.length > maxPresenceIds)
          throw new GraphError(400, 'BadRequest', `The number of ids must be between 1 and ${maxPresenceIds}.`);
        return json(200, {
          '@odata.context': `${graph}/v1.0/$metadata#Collection(microsoft.graph.presence)`,
          value: ids.flatMap((id) => {
            const p = presenceOf(id.toLowerCase());
            return p ? [{ id: id.toLowerCase(), ...p }] : [];
          }),
        });
      }
      if (route === 'POST /subscriptions') return json(201, view(await createSubscription(caller, body)));
      if (route === 'GET /subscriptions')
        return json(200, {
          '@odata.context': `${graph}/v1.0/$metadata#subscriptions`,
          value: live()
            .filter((s) => s.applicationId === caller.appid)
            .map(view),
        });
      m = matching(/^(GET|PATCH|DELETE) \/subscriptions\/([^/]+)$/);
      if (m) {
        const subscription = owned(caller, m[2] as string);
        if (m[1] === 'GET') return json(200, view(subscription));
        if (m[1] === 'DELETE') {
          subscriptions.delete(subscription.id);
          return { status: 204 };
        }
        const expiration = parseBody(body, (b) =>
          typeof b.expirationDateTime === 'string' ? b.expirationDateTime : undefined,
        );
        subscription.expirationDateTime = checkExpiration(expiration);
        return json(200, view(subscription));
      }
      m = matching(/^POST \/subscriptions\/([^/]+)\/reauthorize$/);
      if (m) {
        owned(caller, m[1] as string);
        return { status: 204 };
      }
      throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${path.split('/')[2] ?? ''}'.`);
    } catch (error) {
      if (error instanceof GraphError) return graphError(error);
      throw error;
    }
  }

  function authenticate(req: IncomingMessage): { oid: string; appid: string; scp: string[] } {
    const header = req.headers.authorization ?? '';
    const token = /^Bearer (.+)$/i.exec(header)?.[1];
    if (!token) throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    const claims = verifyJwt(token);
    if (claims?.aud !== 'https://graph.microsoft.com' || claims.tid !== tenantId)
      throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now().getTime())
      throw new GraphError(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.');
    return {
      oid: String(claims.oid),
      appid: String(claims.appid),
      scp: typeof claims.scp === 'string' ? claims.scp.split(' ') : [],
    };
  }

  function requireScope(caller: { scp: string[] }, scope: string): void {
    if (!caller.scp.includes(scope))
      throw new GraphError(
        403,
        'Forbidden',
        `Missing scope permissions on the request. API requires one of '${scope}'.`,
      );
  }

  const live = () => [...subscriptions.values()].filter((s) => s.expirationDateTime.getTime() > now().getTime());

  function owned(caller: { appid: string }, id: string): Subscription {
    const subscription = subscriptions.get(id);
    if (!subscription || subscription.applicationId !== caller.appid || subscription.expirationDateTime <= now())
      throw new GraphError(404, 'ResourceNotFound', `The object was not found.`);
    return subscription;
  }

  function checkExpiration(value: string): Date {
    const at = new Date(value);
    if (Number.isNaN(at.getTime())) throw new GraphError(400, 'BadRequest', `Invalid expirationDateTime '${value}'.`);
    if (at.getTime() <= now().getTime())
      throw new GraphError(400, 'ExtensionError', 'Subscription expiration must be in the future.');
    if (at.getTime() > now().getTime() + maxSubscriptionMinutes * 60_000)
      throw new GraphError(
        400,
        'ExtensionError',
        `Subscription expiration can only be ${maxSubscriptionMinutes} minutes in the future.`,
      );
    return at;
  }

  async function createSubscription(
    caller: { oid: string; appid: string; scp: string[] },
    body: Buffer,
  ): Promise<Subscription> {
    requireScope(caller, 'Presence.Read.All');
    const b = parseBody(body, (x) => x);
    const str = (key: string) => (typeof b[key] === 'string' ? (b[key] as string) : undefined);
    const resource = str('resource') ?? '';
    const userIds = presenceResourceIds(resource);
    if (!userIds) throw new GraphError(400, 'InvalidRequest', `Unsupported resource '${resource}'.`);
    if (userIds.length === 0 || userIds.length > maxPresenceIds)
      throw new GraphError(
        400,
        'InvalidRequest',
        `The number of ids in the filter must be between 1 and ${maxPresenceIds}.`,
      );
    if (str('changeType') !== 'updated')
      throw new GraphError(400, 'InvalidRequest', "changeType must be 'updated' for presence subscriptions.");
    const expirationDateTime = checkExpiration(str('expirationDateTime') ?? '');
    const notificationUrl = str('notificationUrl');
    if (!notificationUrl || !isHttpUrl(notificationUrl))
      throw new GraphError(400, 'InvalidRequest', 'notificationUrl must be an absolute https URL.');
    const lifecycleNotificationUrl = str('lifecycleNotificationUrl');
    if (lifecycleNotificationUrl !== undefined && !isHttpUrl(lifecycleNotificationUrl))
      throw new GraphError(400, 'InvalidRequest', 'lifecycleNotificationUrl must be an absolute https URL.');
    const clientState = str('clientState');
    if (clientState !== undefined && clientState.length > 128)
      throw new GraphError(400, 'InvalidRequest', 'clientState must be at most 128 characters.');
    const includeResourceData = b.includeResourceData === true;
    let certificate: X509Certificate | undefined;
    if (includeResourceData) {
      if (!str('encryptionCertificate') || !str('encryptionCertificateId'))
        throw new GraphError(
          400,
          'InvalidRequest',
          'encryptionCertificate and encryptionCertificateId are required when includeResourceData is true.',
        );
      try {
        certificate = parseEncryptionCertificate(str('encryptionCertificate') as string);
      } catch {
        throw new GraphError(
          400,
          'InvalidRequest',
          'encryptionCertificate is not a base64 X.509 certificate with an RSA key.',
        );
      }
    }
    for (const target of [notificationUrl, lifecycleNotificationUrl]) {
      if (target !== undefined && !(await validates(target)))
        throw new GraphError(
          400,
          'ValidationError',
          `Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.`,
        );
    }
    const subscription: Subscription = {
      id: randomUUID(),
      resource,
      userIds: new Set(userIds),
      changeType: 'updated',
      notificationUrl,
      ...(lifecycleNotificationUrl !== undefined && { lifecycleNotificationUrl }),
      ...(clientState !== undefined && { clientState }),
      expirationDateTime,
      includeResourceData,
      ...(includeResourceData && {
        encryptionCertificate: str('encryptionCertificate'),
        encryptionCertificateId: str('encryptionCertificateId'),
        certificate,
      }),
      latestSupportedTlsVersion: str('latestSupportedTlsVersion') ?? 'v1_2',
      applicationId: caller.appid,
      creatorId: caller.oid,
    };
    subscriptions.set(subscription.id, subscription);
    return subscription;
  }

  /** Graph's validation handshake: the endpoint echoes the token as text/plain within 10 s. */
  async function validates(target: string): Promise<boolean> {
    const validationToken = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
    const url = new URL(target);
    url.searchParams.set('validationToken', validationToken);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        signal: AbortSignal.timeout(validationTimeoutMs),
      });
      const text = await response.text();
      return (
        response.status === 200 &&
        (response.headers.get('content-type') ?? '').startsWith('text/plain') &&
        text === validationToken
      );
    } catch {
      return false;
    }
  }

  function view(s: Subscription): Record<string, unknown> {
    return {
      '@odata.context': `${graph}/v1.0/$metadata#subscriptions/$entity`,
      id: s.id,
      resource: s.resource,
      applicationId: s.applicationId,
      changeType: s.changeType,
      clientState: s.clientState ?? null,
      notificationUrl: s.notificationUrl,
      notificationQueryOptions: null,
      lifecycleNotificationUrl: s.lifecycleNotificationUrl ?? null,
      expirationDateTime: s.expirationDateTime.toISOString(),
      creatorId: s.creatorId,
      includeResourceData: s.includeResourceData,
      latestSupportedTlsVersion: s.latestSupportedTlsVersion,
      encryptionCertificate: s.encryptionCertificate ?? null,
      encryptionCertificateId: s.encryptionCertificateId ?? null,
      notificationUrlAppId: null,
    };
  }

  // ----- notifications -----------------------------------------------------------------------
  async function setPresence(who: string, availability: string, activity: string): Promise<PresenceChange> {
    const user = findUser(who);
    if (!user) throw new GraphError(404, 'Request_ResourceNotFound', `Resource '${who}' does not exist.`);
    presence.set(user.id, { availability, activity });
    const resource = `communications/presences('${user.id}')`;
    const notified: string[] = [];
    await Promise.all(
      live()
        .filter((s) => s.userIds.has(user.id))
        .map(async (s) => {
          const item = {
            subscriptionId: s.id,
            subscriptionExpirationDateTime: s.expirationDateTime.toISOString(),
            changeType: 'updated',
            resource,
            resourceData: { '@odata.type': '#Microsoft.Graph.presence', '@odata.id': resource, id: user.id },
            ...(s.clientState !== undefined && { clientState: s.clientState }),
            tenantId,
            ...(s.certificate &&
              s.encryptionCertificateId !== undefined && {
                encryptedContent: encryptResourceData(
                  { '@odata.type': '#Microsoft.Graph.presence', id: user.id, availability, activity },
                  s.certificate,
                  s.encryptionCertificateId,
                ),
              }),
          };
          const body = {
            value: [item],
            ...(s.includeResourceData && { validationTokens: [changeTrackingToken(s.applicationId)] }),
          };
          if (await deliver(s.notificationUrl, body)) notified.push(s.id);
        }),
    );
    return { id: user.id, availability, activity, notified };
  }

  function changeTrackingToken(appId: string): string {
    const iat = Math.floor(now().getTime() / 1000);
    return jwt({
      aud: appId,
      iss: `https://sts.windows.net/${tenantId}/`,
      iat,
      nbf: iat,
      exp: iat + 3600,
      azp: graphChangeTrackingAppId,
      tid: tenantId,
    });
  }

  async function lifecycle(event: LifecycleEvent): Promise<{ notified: string[] }> {
    const notified: string[] = [];
    await Promise.all(
      live().map(async (s) => {
        if (event === 'subscriptionRemoved') subscriptions.delete(s.id);
        if (s.lifecycleNotificationUrl === undefined) return;
        const item = {
          subscriptionId: s.id,
          subscriptionExpirationDateTime: s.expirationDateTime.toISOString(),
          tenantId,
          organizationId: tenantId,
          ...(s.clientState !== undefined && { clientState: s.clientState }),
          lifecycleEvent: event,
          resource: s.resource,
        };
        if (await deliver(s.lifecycleNotificationUrl, { value: [item] })) notified.push(s.id);
      }),
    );
    return { notified };
  }

  async function deliver(target: string, body: unknown): Promise<boolean> {
    try {
      const response = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(validationTimeoutMs),
      });
      await response.arrayBuffer();
      if (response.status >= 300) log(`graph: ${target} answered ${response.status}`);
      return response.status < 300;
    } catch (error) {
      log(`graph: delivery to ${target} failed: ${(error as Error).message}`);
      return false;
    }
  }

  // ----- control routes ----------------------------------------------------------------------
  async function control(req: IncomingMessage, path: string, body: Buffer): Promise<Reply> {
    try {
      if (req.method === 'POST' && path === '/local/presence') {
        const b = parseBody(body, (x) =>
          typeof x.user === 'string' && typeof x.availability === 'string' && typeof x.activity === 'string'
            ? { user: x.user, availability: x.availability, activity: x.activity }
            : undefined,
        );
        return json(200, await setPresence(b.user, b.availability, b.activity));
      }
      if (req.method === 'POST' && path === '/local/lifecycle') {
        const event = parseBody(body, (x) =>
          typeof x.event === 'string' && lifecycleEvents.includes(x.event) ? (x.event as LifecycleEvent) : undefined,
        );
        return json(200, await lifecycle(event));
      }
      if (req.method === 'GET' && path === '/local/requests') return json(200, Object.fromEntries(requestCounts));
      if (req.method === 'POST' && path === '/local/throttle') {
        const b = parseBody(body, (x) =>
          Number.isInteger(x.requests) && (x.requests as number) >= 0
            ? {
                requests: x.requests as number,
                retryAfterSeconds: Number.isInteger(x.retryAfterSeconds) ? (x.retryAfterSeconds as number) : 1,
              }
            : undefined,
        );
        throttle(b.requests, b.retryAfterSeconds);
        return json(200, throttled);
      }
      return problem(404, 'Not Found', `no control route ${req.method} ${path}`);
    } catch (error) {
      if (error instanceof GraphError) return problem(error.status, error.code, error.message);
      throw error;
    }
  }

  function throttle(requests: number, retryAfterSeconds = 1): void {
    throttled = { requests, retryAfterSeconds };
  }

  // ----- plumbing ----------------------------------------------------------------------------
  function graphError(error: GraphError): Reply {
    const reply = json(error.status, {
      error: {
        code: error.code,
        message: error.message,
        innerError: {
          date: now()
            .toISOString()
            .replace(/\.\d{3}Z$/, ''),
          'request-id': randomUUID(),
          'client-request-id': randomUUID(),
        },
      },
    });
    return { ...reply, headers: { ...reply.headers, ...error.headers } };
  }

  function serve(
    req: IncomingMessage,
    res: ServerResponse,
    route: (req: IncomingMessage, url: URL, body: Buffer) => Promise<Reply>,
  ): void {
    // As the region routers: a page that rebound its DNS name to 127.0.0.1 reaches nothing here.
    if (!isLoopbackHost(req.headers.host)) {
      const refusal = foreignHostRefusal(req.headers.host);
      req.resume();
      res.writeHead(refusal.statusCode, refusal.headers);
      res.end(refusal.body);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      route(req, new URL(req.url ?? '/', 'http://127.0.0.1'), Buffer.concat(chunks))
        .catch((error: Error) => {
          log(`graph: ${req.method} ${req.url}: ${error.stack ?? error.message}`);
          return json(500, { error: { code: 'InternalServerError', message: 'The stand-in failed.' } });
        })
        .then((reply) => {
          res.writeHead(reply.status, reply.headers);
          res.end(reply.body);
        });
    });
  }

  return {
    graph,
    identity,
    authority: `${identity}/${tenantDomain}`,
    ca: tls.cert,
    tenantId,
    app: presenceApp,
    throttle,
    setPresence,
    lifecycle,
    stop: async () => {
      await Promise.all([close(identityServer), close(graphServer)]);
    },
  };
}

const oidcScopes = new Set(['openid', 'profile', 'email', 'offline_access']);

/** Scopes as MSAL and portals write them: with or without Graph's resource prefix. */
function scopeList(value: string): string[] {
  return value
    .split(/\s+/)
    .filter(Boolean)
    .map((s) => s.replace(/^https:\/\/graph\.microsoft\.com\//i, ''));
}

/** The user ids of `communications/presences?$filter=id in ('…')` or `communications/presences/{id}`. */
export function presenceResourceIds(resource: string): string[] | undefined {
  const single = /^\/?communications\/presences\/([0-9a-f-]{36})$/i.exec(resource);
  if (single) return [(single[1] as string).toLowerCase()];
  const filter = /^\/?communications\/presences\?\$filter=id in \((.*)\)$/i.exec(resource);
  if (!filter) return undefined;
  const items = (filter[1] as string).split(',').map((s) => s.trim());
  const ids = items.map((s) => /^'([0-9a-f-]{36})'$/i.exec(s)?.[1]?.toLowerCase());
  return ids.every((id): id is string => id !== undefined) ? ids : undefined;
}

/** Graph wants https; the stand-in also takes http, since the local cloud's receivers are plain http. */
function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function parseBody<T>(body: Buffer, pick: (value: Record<string, unknown>) => T | undefined): T {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new GraphError(400, 'BadRequest', 'Unable to read JSON request payload.');
  }
  const picked = typeof value === 'object' && value !== null ? pick(value as Record<string, unknown>) : undefined;
  if (picked === undefined) throw new GraphError(400, 'BadRequest', 'The request body is not what this route takes.');
  return picked;
}

function json(status: number, body: unknown): Reply {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
}

function problem(status: number, title: string, detail: string): Reply {
  return {
    status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify({ status, title, detail }),
  };
}

function errorPage(code: number, message: string): Reply {
  return {
    status: 400,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: `<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body><p>AADSTS${code}: ${message}</p></body></html>`,
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolvePort((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolveClose) => {
    server.close(() => resolveClose());
    server.closeAllConnections();
  });
}

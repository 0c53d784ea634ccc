/**
 * The Microsoft identity platform for the multi-tenant Presence app, through oauth4webapi: the admin's
 * authorization code + PKCE flow, and each tenant's delegated Graph tokens from its refresh token
 * (cached per container and tenant until shortly before they expire).
 */
import { readFileSync } from 'node:fs';
import * as oauth from 'oauth4webapi';
import * as z from 'zod/mini';
import {
  GraphGrantRevokedError,
  type IdentityPlatform,
  type NotificationDecryptor,
  type TenantGrant,
  type TenantGraphFactory,
} from '../core/presence/ports';
import type { Env } from '../shared/env';
import { GraphTenantClient, type AccessTokenSource } from './graph-client';
import { microsoftHttp, type HttpSend } from './graph-http';
import { readJsonSecret } from './graph-secrets';

declare module 'oauth4webapi' {
  /** exported but untyped: the hook openid-client uses for Entra ID's `{tenantid}` issuer */
  export const _expectedIssuer: unique symbol;
  interface AuthorizationServer {
    readonly [_expectedIssuer]?: (result: { claims: oauth.JsonObject }) => string;
  }
}

/** Delegated Graph scopes, asked for at sign-in and on every refresh. */
export const presenceScopes = ['Presence.Read.All', 'User.ReadBasic.All', 'offline_access'] as const;
/** The sign-in adds an id_token naming the tenant and the consenting user. */
const signInScopes = ['openid', 'profile', ...presenceScopes].join(' ');
/** A refresh asks for no id_token: only the Graph token and the (maybe rotated) refresh token are used. */
const refreshScopes = presenceScopes.join(' ');
/** A cached access token is renewed when it has less than this left. */
const accessTokenMarginMs = 5 * 60_000;

export interface MicrosoftConfig {
  /** the identity platform's origin, e.g. `https://login.microsoftonline.com` */
  readonly authorityHost: string;
  /** Graph's origin, e.g. `https://graph.microsoft.com` (the adapter adds `/v1.0`) */
  readonly graphUrl: string;
  /** Secrets Manager ARN, or `file:<path>`, of `{ clientId, clientSecret }` */
  readonly appSecretRef: string;
  /** PEM of an extra CA the identity platform (and an https Graph) chains to */
  readonly extraCaPem?: string;
}

/** The Microsoft side of the Presence Lambdas' environment; throws naming what is missing. */
export function microsoftConfigFromEnv(
  e: Pick<Env, 'MS_AUTHORITY_HOST' | 'MS_GRAPH_URL' | 'PRESENCE_APP_SECRET' | 'MS_IDENTITY_CA_FILE'>,
): MicrosoftConfig {
  if (!e.PRESENCE_APP_SECRET) throw new Error('invalid Lambda environment: PRESENCE_APP_SECRET: Required');
  return {
    authorityHost: e.MS_AUTHORITY_HOST.replace(/\/+$/, ''),
    graphUrl: e.MS_GRAPH_URL.replace(/\/+$/, ''),
    appSecretRef: e.PRESENCE_APP_SECRET,
    ...(e.MS_IDENTITY_CA_FILE && { extraCaPem: readFileSync(e.MS_IDENTITY_CA_FILE, 'utf8') }),
  };
}

const appCredentialsSchema = z.object({
  clientId: z.string().check(z.minLength(1)),
  clientSecret: z.string().check(z.minLength(1)),
});

const idTokenClaimsSchema = z.object({
  tid: z.string().check(z.minLength(1)),
  preferred_username: z.optional(z.string().check(z.minLength(1))),
  upn: z.optional(z.string().check(z.minLength(1))),
});

/** Statuses whose Response must have no body. */
const nullBodyStatuses = new Set([101, 204, 205, 304]);

/** oauth4webapi's fetch over our transport (the global fetch takes no extra CA). */
function transportFetch(send: HttpSend): NonNullable<oauth.TokenEndpointRequestOptions[typeof oauth.customFetch]> {
  return async (url, request) => {
    const answer = await send(url, {
      method: request.method,
      headers: request.headers,
      ...(request.body !== undefined && { body: request.body.toString() }),
    });
    return new Response(nullBodyStatuses.has(answer.status) ? null : answer.body, {
      status: answer.status,
      headers: answer.headers,
    });
  };
}

type MicrosoftAuthority = oauth.AuthorizationServer & { authorization_endpoint: string; token_endpoint: string };

/**
 * The endpoints of `authorityHost/tenantSegment`, as Microsoft's discovery document gives them, built
 * here so that no discovery call is made.
 */
function authority(authorityHost: string, tenantSegment: string): MicrosoftAuthority {
  const endpoints = `${authorityHost}/${tenantSegment}/oauth2/v2.0`;
  const issuer = `${authorityHost}/{tenantid}/v2.0`;
  return {
    issuer,
    authorization_endpoint: `${endpoints}/authorize`,
    token_endpoint: `${endpoints}/token`,
    // a multi-tenant authority's id_token carries its tenant's own issuer: the template filled with the token's tid
    [oauth._expectedIssuer]: ({ claims }) =>
      typeof claims.tid === 'string' ? issuer.replace('{tenantid}', claims.tid) : issuer,
  };
}

/** invalid_grant, interaction_required and their kin: the grant is gone, an administrator must connect again. */
function rethrowRevoked(error: unknown): never {
  const revokedCodes = new Set(['invalid_grant', 'interaction_required', 'consent_required', 'login_required']);
  if (error instanceof oauth.ResponseBodyError && revokedCodes.has(error.error)) {
    throw new GraphGrantRevokedError(`the tenant's grant is gone (${error.error})`);
  }
  throw error;
}

interface TokenEndpoint {
  readonly as: MicrosoftAuthority;
  readonly client: oauth.Client;
  readonly auth: oauth.ClientAuth;
  readonly requestOptions: oauth.TokenEndpointRequestOptions;
}

/** The app's credentials, read once per container, and the authorities' endpoints over our transport. */
class IdentityClient {
  private credentials?: Promise<z.infer<typeof appCredentialsSchema>>;
  readonly send: HttpSend;
  private readonly requestOptions: oauth.TokenEndpointRequestOptions;

  constructor(private readonly config: MicrosoftConfig) {
    this.send = microsoftHttp(config.extraCaPem === undefined ? {} : { extraCaPem: config.extraCaPem });
    this.requestOptions = { [oauth.customFetch]: transportFetch(this.send) };
  }

  authority(tenantSegment: string): MicrosoftAuthority {
    return authority(this.config.authorityHost, tenantSegment);
  }

  async clientId(): Promise<string> {
    return (await this.appCredentials()).clientId;
  }

  async tokenEndpoint(tenantSegment: string): Promise<TokenEndpoint> {
    const { clientId, clientSecret } = await this.appCredentials();
    return {
      as: this.authority(tenantSegment),
      client: { client_id: clientId },
      auth: oauth.ClientSecretPost(clientSecret),
      requestOptions: this.requestOptions,
    };
  }

  private appCredentials() {
    this.credentials ??= readJsonSecret(this.config.appSecretRef, appCredentialsSchema).catch((error: unknown) => {
      this.credentials = undefined;
      throw error;
    });
    return this.credentials;
  }
}

/** The admin's connection flow, at the multi-tenant `organizations` authority. */
export function msIdentityPlatform(config: MicrosoftConfig): IdentityPlatform {
  const identity = new IdentityClient(config);
  return {
    async authorizeUrl(request) {
      const url = new URL(identity.authority('organizations').authorization_endpoint);
      url.search = new URLSearchParams({
        client_id: await identity.clientId(),
        response_type: 'code',
        redirect_uri: request.redirectUri,
        scope: signInScopes,
        state: request.state,
        code_challenge: request.codeChallenge,
        code_challenge_method: 'S256',
        // the connect button is an explicit grant: show what is granted, with the organisation-wide box
        prompt: 'consent',
        ...(request.loginHint !== undefined && { login_hint: request.loginHint }),
      }).toString();
      return url.toString();
    },

    async redeemCode(input): Promise<TenantGrant> {
      const { as, client, auth, requestOptions } = await identity.tokenEndpoint('organizations');
      // the use case has checked the callback's state: this only hands the code over
      const callback = oauth.validateAuthResponse(
        as,
        client,
        new URLSearchParams({ code: input.code }),
        oauth.skipStateCheck,
      );
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        auth,
        callback,
        input.redirectUri,
        input.codeVerifier,
        { ...requestOptions, additionalParameters: { scope: signInScopes } },
      );
      const result = await oauth
        .processAuthorizationCodeResponse(as, client, response, { requireIdToken: true })
        .catch(rethrowRevoked);
      const claims = idTokenClaimsSchema.parse(oauth.getValidatedIdTokenClaims(result));
      const consentedBy = claims.preferred_username ?? claims.upn;
      if (!result.refresh_token || !consentedBy) {
        throw new Error('the identity platform granted no refresh token or named no user (offline_access missing?)');
      }
      return { tenantId: claims.tid, consentedBy: consentedBy.toLowerCase(), refreshToken: result.refresh_token };
    },
  };
}

export interface TenantGraphFactoryOptions {
  /** the certificate subscriptions ask Graph to encrypt to */
  readonly certificates: Pick<NotificationDecryptor, 'certificate'>;
  /** each 429 or 503 from Graph: the composition root turns it into a metric */
  readonly onThrottle?: (retryAfterSeconds: number) => void;
  /** waits before the in-place retry of a throttled call @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Date.now */
  readonly now?: () => number;
}

interface CachedAccessToken {
  readonly accessToken: string;
  readonly expiresAtMs: number;
  /** the refresh tokens this token may stand for: the one redeemed and the one Microsoft returned */
  readonly redeemed: string;
  readonly latest: string;
}

/** Graph per tenant; build it once per container, so its access tokens are reused across invocations. */
export function tenantGraphFactory(config: MicrosoftConfig, options: TenantGraphFactoryOptions): TenantGraphFactory {
  const identity = new IdentityClient(config);
  const now = options.now ?? Date.now;
  const cache = new Map<string, CachedAccessToken>();
  const inFlight = new Map<string, Promise<CachedAccessToken>>();

  async function redeem(tenantId: string, refreshToken: string): Promise<CachedAccessToken> {
    const requestedAtMs = now();
    const { as, client, auth, requestOptions } = await identity.tokenEndpoint(tenantId);
    const response = await oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, {
      ...requestOptions,
      additionalParameters: { scope: refreshScopes },
    });
    const result = await oauth.processRefreshTokenResponse(as, client, response).catch(rethrowRevoked);
    const entry: CachedAccessToken = {
      accessToken: result.access_token,
      expiresAtMs: requestedAtMs + (result.expires_in ?? 10 * 60) * 1000,
      redeemed: refreshToken,
      // Microsoft may rotate the refresh token; without a new one the redeemed one stays good
      latest: result.refresh_token ?? refreshToken,
    };
    cache.set(tenantId, entry);
    return entry;
  }

  return (tenant) => {
    let current: CachedAccessToken | undefined;
    const tokens: AccessTokenSource = {
      async accessToken({ renew = false } = {}) {
        const cached = cache.get(tenant.tenantId);
        const standsFor = cached && (cached.redeemed === tenant.refreshToken || cached.latest === tenant.refreshToken);
        if (!renew && cached && standsFor && cached.expiresAtMs - now() > accessTokenMarginMs) {
          current = cached;
          return cached.accessToken;
        }
        // a renewal redeems the newest refresh token known: Microsoft may have revoked the older one
        const refreshToken = standsFor && cached ? cached.latest : tenant.refreshToken;
        let pending = inFlight.get(tenant.tenantId);
        if (!pending) {
          pending = redeem(tenant.tenantId, refreshToken).finally(() => inFlight.delete(tenant.tenantId));
          inFlight.set(tenant.tenantId, pending);
        }
        current = await pending;
        return current.accessToken;
      },
      rotatedRefreshToken() {
        return current && current.latest !== tenant.refreshToken ? current.latest : undefined;
      },
    };
    return new GraphTenantClient({
      graphUrl: config.graphUrl,
      send: identity.send,
      tokens,
      certificates: options.certificates,
      ...(options.onThrottle && { onThrottle: options.onThrottle }),
      ...(options.sleep && { sleep: options.sleep }),
    });
  };
}

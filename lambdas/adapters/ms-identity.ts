/**
 * The Microsoft identity platform for the multi-tenant Presence app, through MSAL: the admin's
 * authorization code + PKCE flow, and each tenant's delegated Graph tokens from its refresh token
 * (cached per container and tenant until shortly before they expire).
 */
import { readFileSync } from 'node:fs';
import {
  AuthError,
  ConfidentialClientApplication,
  InteractionRequiredAuthError,
  type AuthenticationResult,
  type INetworkModule,
  type NetworkResponse,
} from '@azure/msal-node';
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

/** Delegated Graph scopes; MSAL adds openid and profile. */
export const presenceScopes = ['Presence.Read.All', 'User.ReadBasic.All', 'offline_access'] as const;
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
type AppCredentials = z.infer<typeof appCredentialsSchema>;

/** MSAL's network module over our transport (MSAL's own uses fetch, which takes no extra CA). */
export function msalNetworkClient(send: HttpSend): INetworkModule {
  const exchange = async <T>(url: string, method: string, headers?: Record<string, string>, body?: string) => {
    const answer = await send(url, { method, ...(headers && { headers }), ...(body !== undefined && { body }) });
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      // an error page, not a token answer: MSAL reports the status with an empty body
      parsed = {};
    }
    return { status: answer.status, headers: answer.headers, body: parsed as T } satisfies NetworkResponse<T>;
  };
  return {
    sendGetRequestAsync: (url, options) => exchange(url, 'GET', options?.headers),
    sendPostRequestAsync: (url, options) => exchange(url, 'POST', options?.headers, options?.body ?? ''),
  };
}

const idTokenClaimsSchema = z.object({
  tid: z.string().check(z.minLength(1)),
  preferred_username: z.optional(z.string().check(z.minLength(1))),
  upn: z.optional(z.string().check(z.minLength(1))),
});
const serializedCacheSchema = z.object({
  RefreshToken: z._default(z.record(z.string(), z.object({ home_account_id: z.string(), secret: z.string() })), {}),
});

/** The refresh token MSAL cached for the account of `result`. */
function cachedRefreshToken(app: ConfidentialClientApplication, result: AuthenticationResult): string | undefined {
  const cache = serializedCacheSchema.parse(JSON.parse(app.getTokenCache().serialize()));
  const homeAccountId = result.account?.homeAccountId;
  return Object.values(cache.RefreshToken).find((entry) => entry.home_account_id === homeAccountId)?.secret;
}

/** invalid_grant, interaction_required and their kin: the grant is gone, an administrator must connect again. */
function rethrowRevoked(error: unknown): never {
  const revokedCodes = new Set(['invalid_grant', 'interaction_required', 'consent_required', 'login_required']);
  if (
    error instanceof InteractionRequiredAuthError ||
    (error instanceof AuthError && revokedCodes.has(error.errorCode))
  ) {
    throw new GraphGrantRevokedError(`the tenant's grant is gone (${error.errorCode})`);
  }
  throw error;
}

/** One MSAL client per authority, its secret read once per container. */
class MsalClients {
  private credentials?: Promise<AppCredentials>;
  private readonly byAuthority = new Map<string, Promise<ConfidentialClientApplication>>();
  readonly send: HttpSend;

  constructor(private readonly config: MicrosoftConfig) {
    this.send = microsoftHttp(config.extraCaPem === undefined ? {} : { extraCaPem: config.extraCaPem });
  }

  client(tenantSegment: string): Promise<ConfidentialClientApplication> {
    let app = this.byAuthority.get(tenantSegment);
    if (!app) {
      app = this.create(tenantSegment);
      app.catch(() => this.byAuthority.delete(tenantSegment));
      this.byAuthority.set(tenantSegment, app);
    }
    return app;
  }

  private async create(tenantSegment: string): Promise<ConfidentialClientApplication> {
    this.credentials ??= readJsonSecret(this.config.appSecretRef, appCredentialsSchema).catch((error: unknown) => {
      this.credentials = undefined;
      throw error;
    });
    const { clientId, clientSecret } = await this.credentials;
    return new ConfidentialClientApplication({
      auth: {
        clientId,
        clientSecret,
        authority: `${this.config.authorityHost}/${tenantSegment}`,
        // the host is trusted as is: no instance discovery call to the public cloud
        knownAuthorities: [new URL(this.config.authorityHost).host],
      },
      system: { networkClient: msalNetworkClient(this.send) },
    });
  }
}

/** The admin's connection flow, at the multi-tenant `organizations` authority. */
export function msIdentityPlatform(config: MicrosoftConfig): IdentityPlatform {
  const clients = new MsalClients(config);
  return {
    async authorizeUrl(request) {
      const app = await clients.client('organizations');
      return app.getAuthCodeUrl({
        scopes: [...presenceScopes],
        redirectUri: request.redirectUri,
        state: request.state,
        codeChallenge: request.codeChallenge,
        codeChallengeMethod: 'S256',
        // the connect button is an explicit grant: show what is granted, with the organisation-wide box
        prompt: 'consent',
        ...(request.loginHint !== undefined && { loginHint: request.loginHint }),
      });
    },

    async redeemCode(input): Promise<TenantGrant> {
      const app = await clients.client('organizations');
      const result = await app
        .acquireTokenByCode({
          code: input.code,
          codeVerifier: input.codeVerifier,
          redirectUri: input.redirectUri,
          scopes: [...presenceScopes],
        })
        .catch(rethrowRevoked);
      const claims = idTokenClaimsSchema.parse(result.idTokenClaims);
      const refreshToken = cachedRefreshToken(app, result);
      // the container keeps no tenant's tokens beyond this call
      if (result.account) await app.getTokenCache().removeAccount(result.account);
      const consentedBy = claims.preferred_username ?? claims.upn ?? result.account?.username;
      if (!refreshToken || !consentedBy) {
        throw new Error('the identity platform granted no refresh token or named no user (offline_access missing?)');
      }
      return { tenantId: claims.tid, consentedBy: consentedBy.toLowerCase(), refreshToken };
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
  const clients = new MsalClients(config);
  const now = options.now ?? Date.now;
  const cache = new Map<string, CachedAccessToken>();
  const inFlight = new Map<string, Promise<CachedAccessToken>>();

  async function redeem(tenantId: string, refreshToken: string): Promise<CachedAccessToken> {
    const app = await clients.client(tenantId);
    const result = await app
      .acquireTokenByRefreshToken({ refreshToken, scopes: [...presenceScopes], forceCache: true })
      .catch(rethrowRevoked);
    if (!result?.accessToken) throw new Error('the identity platform answered the refresh without an access token');
    const latest = cachedRefreshToken(app, result) ?? refreshToken;
    if (result.account) await app.getTokenCache().removeAccount(result.account);
    const entry: CachedAccessToken = {
      accessToken: result.accessToken,
      expiresAtMs: result.expiresOn?.getTime() ?? now() + 10 * 60_000,
      redeemed: refreshToken,
      latest,
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
      send: clients.send,
      tokens,
      certificates: options.certificates,
      ...(options.onThrottle && { onThrottle: options.onThrottle }),
      ...(options.sleep && { sleep: options.sleep }),
    });
  };
}

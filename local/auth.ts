/**
 * The local stand-in for Cognito and API Gateway's JWT authorizer: tokens signed with
 * `<dataDir>/keys/issuer.json`, verified on every route whose AuthorizationType is JWT, claims
 * passed to the handler the way API Gateway renders them. Issue and expiry read the local cloud's
 * clock, so a test that moves it sees a token expire as it would in the cloud.
 */
import { importJWK, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { ensureEs256Key, keyFile } from './keys';

export const localIssuer = 'ucx-cloud-local';
export const localAudience = 'ucx-portal';

export interface LocalTokenClaims {
  readonly sub: string;
  /** Cognito groups: `backoffice`, `support`, `reseller`, `customer` */
  readonly groups: readonly string[];
  readonly accountId?: string;
  readonly resellerId?: string;
  readonly email?: string;
  /** more string claims, e.g. the staff policy's `ucx:mfa_setup_required` */
  readonly extra?: Readonly<Record<string, string>>;
}

const issuerKeyFile = (dataDir: string) => keyFile(dataDir, 'issuer');

/**
 * The demo tokens of cloud.json: ten years, the local clock's longest move, so they outlive any
 * test's move. Local only: a signed-in user's ID token lasts 5 minutes (local/auth-flows.ts).
 */
export const demoTokenTtlSeconds = 10 * 365 * 86_400;

/** Issues a local ID token shaped like a Cognito one, at `now` (the local clock's time). */
export async function issueLocalToken(
  dataDir: string,
  claims: LocalTokenClaims,
  ttlSeconds = demoTokenTtlSeconds,
  now: Date = new Date(),
): Promise<string> {
  const jwk = await ensureEs256Key(issuerKeyFile(dataDir));
  const key = await importJWK(jwk, 'ES256');
  const payload: JWTPayload = {
    'cognito:groups': [...claims.groups],
    token_use: 'id',
    ...(claims.accountId !== undefined && { 'custom:accountId': claims.accountId }),
    ...(claims.resellerId !== undefined && { 'custom:resellerId': claims.resellerId }),
    ...(claims.email !== undefined && { email: claims.email }),
    ...claims.extra,
  };
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(localIssuer)
    .setAudience(localAudience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(key);
}

/**
 * Claims as API Gateway's JWT authorizer hands them over: every value a string, arrays as
 * `[a b]`, objects as JSON.
 */
export function authorizerClaims(payload: JWTPayload): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload).map(([name, value]) => [
      name,
      Array.isArray(value)
        ? `[${value.join(' ')}]`
        : typeof value === 'object' && value !== null
          ? JSON.stringify(value)
          : String(value),
    ]),
  );
}

export type JwtVerifier = (
  authorization: string | undefined,
) => Promise<{ claims: Record<string, string>; scopes: string[] | null } | undefined>;

/**
 * Verifies `Authorization: Bearer <jwt>` (or the bare token, which API Gateway also takes);
 * `exp` is judged at `now()`, the local cloud's clock.
 */
export async function localJwtVerifier(dataDir: string, now: () => Date = () => new Date()): Promise<JwtVerifier> {
  const jwk = await ensureEs256Key(issuerKeyFile(dataDir));
  const { d: _private, ...publicJwk } = jwk;
  const key = await importJWK(publicJwk, 'ES256');
  return async (authorization) => {
    if (!authorization) return undefined;
    const token = authorization.replace(/^Bearer\s+/i, '').trim();
    try {
      const { payload } = await jwtVerify(token, key, {
        issuer: localIssuer,
        audience: localAudience,
        algorithms: ['ES256'],
        currentDate: now(),
      });
      const scope = typeof payload['scope'] === 'string' ? payload['scope'].split(' ') : null;
      return { claims: authorizerClaims(payload), scopes: scope };
    } catch {
      return undefined;
    }
  };
}

/**
 * The local stand-in for Cognito and API Gateway's JWT authorizer: tokens signed with
 * `<dataDir>/keys/issuer.json`, verified on every route whose AuthorizationType is JWT, claims
 * passed to the handler the way API Gateway renders them.
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
}

const issuerKeyFile = (dataDir: string) => keyFile(dataDir, 'issuer');

/** Issues a local ID token shaped like a Cognito one. `ttlSeconds` defaults to 30 days. */
export async function issueLocalToken(
  dataDir: string,
  claims: LocalTokenClaims,
  ttlSeconds = 30 * 24 * 3600,
): Promise<string> {
  const jwk = await ensureEs256Key(issuerKeyFile(dataDir));
  const key = await importJWK(jwk, 'ES256');
  const payload: JWTPayload = {
    'cognito:groups': [...claims.groups],
    token_use: 'id',
    ...(claims.accountId !== undefined && { 'custom:accountId': claims.accountId }),
    ...(claims.resellerId !== undefined && { 'custom:resellerId': claims.resellerId }),
  };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(localIssuer)
    .setAudience(localAudience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
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

/** Verifies `Authorization: Bearer <jwt>` (or the bare token, which API Gateway also takes). */
export async function localJwtVerifier(dataDir: string): Promise<JwtVerifier> {
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
      });
      const scope = typeof payload['scope'] === 'string' ? payload['scope'].split(' ') : null;
      return { claims: authorizerClaims(payload), scopes: scope };
    } catch {
      return undefined;
    }
  };
}

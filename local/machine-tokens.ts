/**
 * The local stand-in for Cognito's `/oauth2/token` with the client-credentials grant, and the
 * local issuer's JWKS: clients are the ones the back office created (`<dataDir>/auth/clients.json`,
 * lambdas/adapters/local-machine-clients.ts); tokens are ES256 access tokens of the local issuer,
 * shaped like Cognito's (`token_use: access`, `client_id`, `scope`), lasting 15 minutes of the
 * local clock. The Lambda authorizer verifies them against the JWKS route, as it does Cognito's.
 */
import { scryptSync, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { importJWK, SignJWT } from 'jose';
import { localIssuer } from './auth';
import type { HttpResponse } from './http-event';
import { ensureEs256Key, keyFile } from './keys';
import type { LocalHandler } from './router';

/** The local cloud runs the functions' bundles, never their sources: the file's format is repeated here. */
interface StoredClient {
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** `scrypt:<salt hex>:<hash hex>` (lambdas/adapters/local-machine-clients.ts) */
  readonly secretHash: string;
  readonly revoked?: boolean;
}
/** As Cognito's: 15 minutes (lambdas/core/accounts/machine-clients.ts `machineTokenMinutes`). */
const tokenSeconds = 15 * 60;
const qualifiedScope = (scope: string) => `ucx/${scope}`;

function authenticate(file: string, clientId: string, secret: string): StoredClient | undefined {
  const clients = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StoredClient[]) : [];
  const client = clients.find((c) => c.clientId === clientId);
  if (!client || client.revoked) return undefined;
  const [, salt, expected] = client.secretHash.split(':');
  const actual = scryptSync(secret, Buffer.from(salt ?? '', 'hex'), 32);
  const wanted = Buffer.from(expected ?? '', 'hex');
  return wanted.length === actual.length && timingSafeEqual(actual, wanted) ? client : undefined;
}

export const machineClientsFile = (dataDir: string) => join(dataDir, 'auth', 'clients.json');
export const tokenPath = '/local/oauth2/token';
export const jwksPath = '/local/issuer/jwks.json';

const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  body: Buffer.from(JSON.stringify(body)),
});
/** RFC 6749 §5.2 errors, as Cognito answers them. */
const oauthError = (statusCode: number, error: string) =>
  json(statusCode, { error }, statusCode === 401 ? { 'www-authenticate': 'Basic' } : {});

function basicCredentials(request: IncomingMessage): { id: string; secret: string } | undefined {
  const header = request.headers.authorization ?? '';
  const match = /^Basic\s+(.+)$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return undefined;
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

export function machineTokenRoutes(dataDir: string, now: () => Date): [string, LocalHandler][] {
  const issuerKey = keyFile(dataDir, 'issuer');
  return [
    [
      `POST ${tokenPath}`,
      async (request, body) => {
        const form = new URLSearchParams(body.toString('utf8'));
        if (form.get('grant_type') !== 'client_credentials') return oauthError(400, 'unsupported_grant_type');
        const credentials = basicCredentials(request);
        const client = credentials && authenticate(machineClientsFile(dataDir), credentials.id, credentials.secret);
        if (!client) return oauthError(401, 'invalid_client');
        const allowed = client.scopes.map(qualifiedScope);
        const asked = form.get('scope')?.split(' ').filter(Boolean);
        if (asked?.some((s) => !allowed.includes(s))) return oauthError(400, 'invalid_scope');
        const scope = (asked ?? allowed).join(' ');
        const jwk = await ensureEs256Key(issuerKey);
        const issuedAt = Math.floor(now().getTime() / 1000);
        const expiresIn = tokenSeconds;
        const token = await new SignJWT({ token_use: 'access', client_id: client.clientId, scope })
          .setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'JWT' })
          .setSubject(client.clientId)
          .setIssuer(localIssuer)
          .setIssuedAt(issuedAt)
          .setExpirationTime(issuedAt + expiresIn)
          .setJti(crypto.randomUUID())
          .sign(await importJWK(jwk, 'ES256'));
        return json(200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn });
      },
    ],
    [
      `GET ${jwksPath}`,
      async () => {
        const { d: _private, ...publicJwk } = await ensureEs256Key(issuerKey);
        return json(200, { keys: [publicJwk] });
      },
    ],
  ];
}

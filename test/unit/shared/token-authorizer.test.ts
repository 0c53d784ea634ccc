/**
 * The Lambda authorizer's verification: a person's ID token exactly as the JWT authorizer takes it,
 * a machine's access token only on a route its scope names and while its record is live; tokens of
 * another issuer, key, audience or kind are refused.
 */
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import type { MachineClientRecord } from '#lambdas/core/accounts/machine-clients';
import { UnauthorizedError } from '#lambdas/core/errors';
import { principalFromEvent } from '#lambdas/shared/auth';
import { tokenAuthorizer } from '#lambdas/shared/token-authorizer';

const issuer = 'https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_pool';
const settings = { issuer, jwksUrl: `${issuer}/.well-known/jwks.json`, portalClientId: 'portal' };
let sign: (claims: Record<string, unknown>, options?: { iss?: string; other?: boolean }) => Promise<string>;
let authorize: ReturnType<typeof tokenAuthorizer>;
const records = new Map<string, MachineClientRecord>();

beforeAll(async () => {
  const key = await generateKeyPair('RS256', { extractable: true });
  const other = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(key.publicKey)), kid: 'k1', alg: 'RS256' };
  sign = (claims, options = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(options.iss ?? issuer)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(options.other ? other.privateKey : key.privateKey);
  authorize = tokenAuthorizer(settings, { get: async (id) => records.get(id) }, createLocalJWKSet({ keys: [jwk] }));
  records.set('erp', { clientId: 'erp', name: 'ERP', scopes: ['orders:write'], createdBy: 's', createdAt: 't' });
  records.set('gone', {
    clientId: 'gone',
    name: 'Old',
    scopes: ['orders:write'],
    createdBy: 's',
    createdAt: 't',
    revokedAt: 't2',
  });
});

const machine = (clientId: string, scope: string) =>
  sign({ sub: clientId, token_use: 'access', client_id: clientId, scope });
const person = (extra: Record<string, unknown> = {}) =>
  sign({ sub: 'person-1', aud: 'portal', token_use: 'id', 'cognito:groups': ['backoffice'], ...extra });
const order = 'PUT /v1/ops/orders/{orderId}';
const search = 'GET /v1/ops/accounts';

describe('the staff-or-machine authorizer', () => {
  it("admits a person's ID token with its claims as the JWT authorizer renders them", async () => {
    const decision = await authorize(`Bearer ${await person({ kind: 'machine' })}`, search);

    expect(decision.isAuthorized).toBe(true);
    expect(decision.context).toMatchObject({ sub: 'person-1', 'cognito:groups': '[backoffice]', token_use: 'id' });
    // A person's token cannot pass itself off as a machine.
    expect(decision.context?.['kind']).toBeUndefined();
    expect(principalFromEvent({ requestContext: { authorizer: { lambda: decision.context } } } as never)).toEqual({
      role: 'backoffice',
      sub: 'person-1',
    });
  });

  it('admits a machine on the routes of its scope only, as the back office acting as itself', async () => {
    const token = await machine('erp', 'ucx/orders:write');

    const onOrder = await authorize(`Bearer ${token}`, order);
    const onSearch = await authorize(`Bearer ${token}`, search);
    const elsewhere = await authorize(`Bearer ${token}`, 'POST /v1/ops/clients');

    expect(onOrder).toEqual({ isAuthorized: true, context: { kind: 'machine', sub: 'client:erp', clientId: 'erp' } });
    expect(principalFromEvent({ requestContext: { authorizer: { lambda: onOrder.context } } } as never)).toEqual({
      role: 'backoffice',
      sub: 'client:erp',
    });
    expect(onSearch.isAuthorized).toBe(false);
    expect(elsewhere.isAuthorized).toBe(false);
  });

  it('refuses revoked or unknown clients and scopes the record lacks (403)', async () => {
    const refused = await Promise.all([
      authorize(`Bearer ${await machine('gone', 'ucx/orders:write')}`, order),
      authorize(`Bearer ${await machine('nobody', 'ucx/orders:write')}`, order),
      authorize(`Bearer ${await machine('erp', 'ucx/accounts:read')}`, search),
      // A person's access token: the portal client has no CLIENT# record.
      authorize(`Bearer ${await sign({ sub: 'p', token_use: 'access', client_id: 'portal', scope: 'openid' })}`, order),
    ]);

    expect(refused).toEqual(refused.map(() => ({ isAuthorized: false })));
  });

  it('passes what the JWT authorizer refused as unauthenticated, which the handler answers 401', async () => {
    const expired = await new SignJWT({ sub: 'person-1', aud: 'portal', token_use: 'id' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign((await generateKeyPair('RS256')).privateKey);
    const unauthenticated = await Promise.all([
      authorize(`Bearer ${await sign({ sub: 'person-1', aud: 'portal', token_use: 'id' }, { other: true })}`, order),
      authorize(`Bearer ${await sign({ sub: 'p', aud: 'portal', token_use: 'id' }, { iss: 'https://evil' })}`, order),
      authorize(`Bearer ${await person({ aud: 'another-client' })}`, order),
      authorize(`Bearer ${await sign({ sub: 'p', aud: 'portal' })}`, order),
      authorize(`Bearer ${expired}`, order),
      authorize('Bearer not-a-jwt', order),
      authorize(undefined, order),
    ]);

    for (const decision of unauthenticated) {
      expect(decision).toEqual({ isAuthorized: true, context: { kind: 'unauthenticated' } });
      expect(() =>
        principalFromEvent({ requestContext: { authorizer: { lambda: decision.context } } } as never),
      ).toThrow(UnauthorizedError);
    }
  });
});

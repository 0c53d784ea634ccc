/** The local API Gateway: routes, JWT authorizer, limits, a real function end to end. */
import { cloud, tokenFor } from '#test/support/local-cloud';

jest.setTimeout(30_000);

const eu = () => cloud().regions.eu.api;
const us = () => cloud().regions.us.api;

describe('local router', () => {
  it('answers an unknown route 404 like API Gateway', async () => {
    // Act
    const response = await fetch(`${eu()}/v1/nope`);

    // Assert
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
  });

  it('serves the development routes under /local/', async () => {
    const response = await fetch(`${us()}/local/health`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', region: 'us' });
  });

  it.each([
    ['no token', undefined],
    ['a malformed token', 'Bearer not-a-jwt'],
    ['an expired token', `Bearer ${tokenFor({ groups: ['backoffice'] }, cloud(), -60)}`],
    ['another audience', `Bearer ${tokenFor({ groups: ['backoffice'], extra: { aud: 'someone-else' } })}`],
  ])('refuses a JWT route with %s: 401', async (_case, authorization) => {
    // Act
    // A 'user' route (JWT authorizer); the account page's route has the Lambda authorizer (machine-clients.test.ts).
    const response = await fetch(`${eu()}/v1/accounts/acc-1/audit`, {
      headers: authorization ? { authorization } : {},
    });

    // Assert
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
  });

  it('passes a valid local token through the authorizer to the function', async () => {
    // Act
    const response = await fetch(`${eu()}/v1/accounts/acc-does-not-exist`, {
      headers: { authorization: `Bearer ${cloud().tokens.support}` },
    });

    // Assert: the function answered (whatever it decides), not the authorizer
    expect(response.status).not.toBe(401);
    expect(response.headers.get('apigw-requestid')).toMatch(/./);
  });

  it('refuses a body over 10 MB with 413', async () => {
    const response = await fetch(`${eu()}/v1/activations`, {
      method: 'POST',
      body: Buffer.alloc(10 * 1024 * 1024 + 1),
    });

    expect(response.status).toBe(413);
  });

  it("runs the deployed JWKS bundle in each region, with both regions' local signing keys", async () => {
    // Act
    const [euJwks, usJwks] = await Promise.all([
      fetch(`${eu()}/.well-known/jwks.json`),
      fetch(`${us()}/.well-known/jwks.json`),
    ]);

    // Assert
    expect([euJwks.status, usJwks.status]).toEqual([200, 200]);
    const euKeys = ((await euJwks.json()) as { keys: { kid: string; kty: string; crv: string; d?: string }[] }).keys;
    const usKeys = ((await usJwks.json()) as { keys: { kid: string }[] }).keys;
    expect(euKeys).toHaveLength(2);
    expect(euKeys.map((k) => k.kid).sort()).toEqual(usKeys.map((k) => k.kid).sort());
    expect(euKeys.every((k) => k.kty === 'EC' && k.crv === 'P-256' && k.d === undefined)).toBe(true);
  });
});

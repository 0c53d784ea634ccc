import { GraphGrantRevokedError } from '#lambdas/core/presence/ports';
import { microsoftHttp } from '#lambdas/adapters/graph-http';
import { msIdentityPlatform, presenceScopes, tenantGraphFactory } from '#lambdas/adapters/ms-identity';
import { notificationDecryptorFromRef } from '#lambdas/adapters/presence-notification-decryptor';
import { redirectUri, startMicrosoftFixture, type MicrosoftFixture } from './microsoft-standin';

let ms: MicrosoftFixture;
let microsoftSkewMs = 0;

beforeAll(async () => {
  ms = await startMicrosoftFixture({ standinNow: () => new Date(Date.now() + microsoftSkewMs) });
});

afterAll(() => ms.stop());

const graphFactory = () =>
  tenantGraphFactory(ms.config, { certificates: notificationDecryptorFromRef(ms.certificateSecretRef) });

/** The administrator's sign-in sessions revoked (as an Entra admin would), with the newest Graph token seen. */
async function revokeSignInSessions(): Promise<void> {
  const revoked = await fetch(`${ms.standin.graph}/v1.0/me/revokeSignInSessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ms.lastBearer()}` },
  });
  if (revoked.status !== 200) throw new Error(`revokeSignInSessions answered ${revoked.status}`);
}

describe('the identity platform adapter (oauth4webapi) against the stand-in', () => {
  it('builds an authorize URL for code + PKCE S256 at the organizations authority', async () => {
    const url = new URL(
      await msIdentityPlatform(ms.config).authorizeUrl({
        state: 'state-7',
        codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        redirectUri,
        loginHint: 'admin@contoso.example',
      }),
    );

    expect(`${url.origin}${url.pathname}`).toBe(`${ms.standin.identity}/organizations/oauth2/v2.0/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: ms.standin.app.clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      state: 'state-7',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      login_hint: 'admin@contoso.example',
    });
    expect(url.searchParams.get('scope')?.split(' ')).toEqual(expect.arrayContaining([...presenceScopes, 'openid']));
  });

  it('redeems the administrator’s code for the tenant, the consenting UPN and a refresh token', async () => {
    const grant = await ms.connect();

    expect(grant).toEqual({
      tenantId: ms.standin.tenantId,
      consentedBy: 'admin@contoso.example',
      refreshToken: expect.stringMatching(/^0\.local\./),
    });
  });

  it('refuses a code redeemed with the wrong verifier as a revoked grant', async () => {
    const identity = msIdentityPlatform(ms.config);
    const url = await identity.authorizeUrl({
      state: 's',
      codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      redirectUri,
      loginHint: 'admin@contoso.example',
    });
    const redirect = await microsoftHttp({ extraCaPem: ms.standin.ca })(url, { method: 'GET' });
    const code = new URL(redirect.headers.location as string).searchParams.get('code') as string;

    const redeemed = identity.redeemCode({ code, codeVerifier: 'x'.repeat(43), redirectUri });

    await expect(redeemed).rejects.toThrow(GraphGrantRevokedError);
  });

  it('opens Graph from the refresh token, caches the access token per container and hands back the rotated refresh token', async () => {
    const grant = await ms.connect();
    const factory = graphFactory();
    const graph = factory(grant);

    const users = await graph.resolveUsers(['user1@contoso.example']);
    const rotated = graph.rotatedRefreshToken();
    await revokeSignInSessions();
    // the next invocation in this container opens Graph from the stored (rotated) token: the cached
    // access token serves it, while a cold container must redeem the revoked refresh token
    const warm = factory({ tenantId: grant.tenantId, refreshToken: rotated as string });
    const cold = graphFactory()({ tenantId: grant.tenantId, refreshToken: rotated as string });

    expect(users).toEqual([{ id: expect.any(String), upn: 'user1@contoso.example' }]);
    expect(rotated).toMatch(/^0\.local\./);
    expect(rotated).not.toBe(grant.refreshToken);
    expect(await warm.resolveUsers(['user2@contoso.example'])).toHaveLength(1);
    expect(warm.rotatedRefreshToken()).toBeUndefined();
    await expect(cold.resolveUsers(['user2@contoso.example'])).rejects.toThrow(GraphGrantRevokedError);
  });

  it('throws GraphGrantRevokedError once the administrator’s sessions are revoked', async () => {
    const grant = await ms.connect();
    await graphFactory()(grant).resolveUsers(['user1@contoso.example']);
    await revokeSignInSessions();

    const afterRevocation = graphFactory()(grant).resolveUsers(['user1@contoso.example']);

    await expect(afterRevocation).rejects.toThrow(GraphGrantRevokedError);
  });

  it('renews a cached access token Graph no longer takes (401) and carries on with the call', async () => {
    const grant = await ms.connect();
    const graph = graphFactory()(grant);
    await graph.resolveUsers(['user1@contoso.example']);
    const expiredBearer = ms.lastBearer();
    microsoftSkewMs = 2 * 3600_000;

    try {
      const resolved = await graph.resolveUsers(['user8@contoso.example']);

      expect(resolved).toEqual([{ id: 'a0000000-0000-4000-8000-000000000008', upn: 'user8@contoso.example' }]);
      expect(ms.graphCalls.slice(-2).map((c) => c.status)).toEqual([401, 200]);
      expect(ms.lastBearer()).not.toBe(expiredBearer);
    } finally {
      microsoftSkewMs = 0;
    }
  });
});

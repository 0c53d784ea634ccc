/** The portal's Cognito sign-in over fetch: the requests it makes and how it reads the answers. No network. */
import { authFor, cognitoAuth, isChallenge, localAuth } from '#portal/src/auth';
import { ApiError } from '#portal/src/problem';
import { passwordClaimSignature, srpStart } from '#portal/src/srp';

const fixedA = BigInt(`0x${'3a7f'.repeat(64)}`);

interface Call {
  url: string;
  target: string;
  contentType: string;
  body: Record<string, unknown>;
}

/** A fake fetch: records each call and answers from the queue (status, body). */
function fakeCognito(...answers: [number, unknown][]) {
  const calls: Call[] = [];
  const fetchImpl = async (url: string, init: { method: string; headers: Record<string, string>; body: string }) => {
    calls.push({
      url,
      target: init.headers['x-amz-target']!,
      contentType: init.headers['content-type']!,
      body: JSON.parse(init.body),
    });
    const [status, body] = answers.shift() ?? [200, {}];
    return { status, ok: status < 300, text: async () => JSON.stringify(body) };
  };
  const auth = cognitoAuth(
    { region: 'eu-central-1', userPoolId: 'eu-central-1_AbCdEf123', userPoolClientId: 'client-1' },
    fetchImpl,
    { start: () => srpStart(fixedA), now: () => new Date('2026-03-02T09:05:07Z') },
  );
  return { calls, auth };
}

describe('Cognito sign-in over fetch', () => {
  it("signs up and confirms with the code, on the region's endpoint with the JSON 1.1 protocol", async () => {
    const { calls, auth } = fakeCognito([200, { UserSub: 'u1', UserConfirmed: false }], [200, {}]);

    await auth.signUp('ann@example.com', 'Correct horse 42');
    await auth.confirmSignUp('ann@example.com', '123456');

    expect(calls).toEqual([
      {
        url: 'https://cognito-idp.eu-central-1.amazonaws.com/',
        target: 'AWSCognitoIdentityProviderService.SignUp',
        contentType: 'application/x-amz-json-1.1',
        body: {
          ClientId: 'client-1',
          Username: 'ann@example.com',
          Password: 'Correct horse 42',
          UserAttributes: [{ Name: 'email', Value: 'ann@example.com' }],
        },
      },
      {
        url: 'https://cognito-idp.eu-central-1.amazonaws.com/',
        target: 'AWSCognitoIdentityProviderService.ConfirmSignUp',
        contentType: 'application/x-amz-json-1.1',
        body: { ClientId: 'client-1', Username: 'ann@example.com', ConfirmationCode: '123456' },
      },
    ]);
  });

  it('signs in with SRP (USER_SRP_AUTH, then PASSWORD_VERIFIER): the password is never sent', async () => {
    // Arrange
    const challenge = {
      USER_ID_FOR_SRP: '4f8e2c1a-7b3d-4e5f-9a0b-1c2d3e4f5a6b',
      SRP_B: `${'9c4d21e8'.repeat(95)}1f2e`,
      SALT: 'e3b5c1d2a4f60718293a4b5c6d7e8f90',
      SECRET_BLOCK: Buffer.from('opaque').toString('base64'),
    };
    const { calls, auth } = fakeCognito(
      [200, { ChallengeName: 'PASSWORD_VERIFIER', ChallengeParameters: challenge, Session: 's0' }],
      [200, { AuthenticationResult: { IdToken: 'id.jwt', AccessToken: 'access.jwt', RefreshToken: 'refresh' } }],
    );

    // Act
    const result = await auth.signIn('ann@example.com', 'Correct horse 42');

    // Assert
    expect(result).toEqual({ idToken: 'id.jwt', accessToken: 'access.jwt', refreshToken: 'refresh' });
    expect(calls[0]).toMatchObject({
      target: 'AWSCognitoIdentityProviderService.InitiateAuth',
      body: {
        ClientId: 'client-1',
        AuthFlow: 'USER_SRP_AUTH',
        AuthParameters: { USERNAME: 'ann@example.com', SRP_A: srpStart(fixedA).srpA },
      },
    });
    expect(calls[1]).toMatchObject({
      target: 'AWSCognitoIdentityProviderService.RespondToAuthChallenge',
      body: {
        ClientId: 'client-1',
        ChallengeName: 'PASSWORD_VERIFIER',
        Session: 's0',
        ChallengeResponses: {
          USERNAME: challenge.USER_ID_FOR_SRP,
          PASSWORD_CLAIM_SECRET_BLOCK: challenge.SECRET_BLOCK,
          TIMESTAMP: 'Mon Mar 2 09:05:07 UTC 2026',
          PASSWORD_CLAIM_SIGNATURE: await passwordClaimSignature({
            poolName: 'AbCdEf123',
            userId: challenge.USER_ID_FOR_SRP,
            password: 'Correct horse 42',
            a: fixedA,
            srpB: challenge.SRP_B,
            salt: challenge.SALT,
            secretBlock: challenge.SECRET_BLOCK,
            timestamp: 'Mon Mar 2 09:05:07 UTC 2026',
          }),
        },
      },
    });
    expect(JSON.stringify(calls)).not.toContain('Correct horse 42');
  });

  it('adds an authenticator with the access token: associate, verify, then TOTP preferred', async () => {
    // Arrange
    const { calls, auth } = fakeCognito(
      [200, { SecretCode: 'JBSWY3DPEHPK3PXP', Session: 'x' }],
      [200, { Status: 'SUCCESS' }],
      [200, {}],
    );

    // Act
    const setup = await auth.associateTotp('access.jwt', 'ann@example.com');
    await auth.verifyTotp('access.jwt', '123456');

    // Assert
    expect(setup).toEqual({
      secretCode: 'JBSWY3DPEHPK3PXP',
      otpauthUri: 'otpauth://totp/UCX%20Cloud%3Aann%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=UCX%20Cloud',
    });
    expect(calls.map((c) => [c.target.split('.')[1], c.body])).toEqual([
      ['AssociateSoftwareToken', { AccessToken: 'access.jwt' }],
      ['VerifySoftwareToken', { AccessToken: 'access.jwt', UserCode: '123456', FriendlyDeviceName: 'UCX Cloud' }],
      [
        'SetUserMFAPreference',
        { AccessToken: 'access.jwt', SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } },
      ],
    ]);
  });

  it("answers an invited user's NEW_PASSWORD_REQUIRED challenge with the new password", async () => {
    const { calls, auth } = fakeCognito(
      [200, { ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 's1' }],
      [200, { AuthenticationResult: { IdToken: 'id.jwt', RefreshToken: 'r' } }],
    );

    const first = await auth.signIn('bob@example.com', 'Temporary 123');
    expect(isChallenge(first) && first).toEqual({
      challenge: 'NEW_PASSWORD_REQUIRED',
      email: 'bob@example.com',
      session: 's1',
    });
    const second = await auth.respond(first as never, 'My own password 1');

    expect(second).toEqual({ idToken: 'id.jwt', refreshToken: 'r' });
    expect(calls[1]).toMatchObject({
      target: 'AWSCognitoIdentityProviderService.RespondToAuthChallenge',
      body: {
        ClientId: 'client-1',
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: 's1',
        ChallengeResponses: { USERNAME: 'bob@example.com', NEW_PASSWORD: 'My own password 1' },
      },
    });
  });

  it('sends the reset code and sets the new password', async () => {
    const { calls, auth } = fakeCognito([200, { CodeDeliveryDetails: {} }], [200, {}]);

    await auth.forgotPassword('ann@example.com');
    await auth.confirmForgotPassword('ann@example.com', '654321', 'New password 42');

    expect(calls.map((c) => [c.target, c.body])).toEqual([
      ['AWSCognitoIdentityProviderService.ForgotPassword', { ClientId: 'client-1', Username: 'ann@example.com' }],
      [
        'AWSCognitoIdentityProviderService.ConfirmForgotPassword',
        { ClientId: 'client-1', Username: 'ann@example.com', ConfirmationCode: '654321', Password: 'New password 42' },
      ],
    ]);
  });

  it('refreshes with REFRESH_TOKEN_AUTH', async () => {
    const { calls, auth } = fakeCognito([200, { AuthenticationResult: { IdToken: 'id2.jwt', AccessToken: 'a2' } }]);

    expect(await auth.refresh('refresh')).toEqual({ idToken: 'id2.jwt', accessToken: 'a2' });
    expect(calls[0]?.body).toEqual({
      ClientId: 'client-1',
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: 'refresh' },
    });
  });

  it('turns Cognito errors into problems naming the field, in words', async () => {
    const { auth } = fakeCognito(
      [400, { __type: 'NotAuthorizedException', message: 'Incorrect username or password.' }],
      [400, { __type: 'com.amazonaws.cognito#CodeMismatchException', message: 'Invalid code' }],
      [400, { __type: 'SomethingNew', message: 'A new error' }],
    );

    const errorOf = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e as ApiError,
      );
    const wrongPassword = await errorOf(auth.signIn('ann@example.com', 'nope'));
    const wrongCode = await errorOf(auth.confirmSignUp('ann@example.com', '000000'));
    const unknown = await errorOf(auth.forgotPassword('ann@example.com'));

    expect(wrongPassword).toBeInstanceOf(ApiError);
    expect(wrongPassword?.problem).toMatchObject({
      status: 401,
      errors: [{ path: 'password', message: 'wrong e-mail or password' }],
    });
    expect(wrongCode?.problem).toMatchObject({ status: 400, errors: [{ path: 'code', message: 'wrong code' }] });
    expect(unknown?.problem).toMatchObject({ status: 400, detail: 'A new error' });
  });
});

describe('choosing the sign-in backend', () => {
  it('uses Cognito when config.json names a user pool and client, the local flows otherwise', () => {
    expect(authFor({ region: 'us-east-1', userPoolId: 'us-east-1_x', userPoolClientId: 'c' }).kind).toBe('cognito');
    expect(authFor({ region: 'us-east-1' })).toBe(localAuth);
    expect(authFor(undefined)).toBe(localAuth);
  });
});

/**
 * The portal's SRP against Cognito's reference client (amazon-cognito-identity-js): for the same
 * ephemeral `a`, salt, B, secret block and time, the reference's USER_SRP_AUTH request and
 * PASSWORD_VERIFIER answer equal ours, captured from its own client calls.
 */
import * as cognito from 'amazon-cognito-identity-js';
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';
import { cognitoTimestamp, passwordClaimSignature, srpStart } from '#portal/src/srp';

/** exported by the package, though not in its typings */
const { AuthenticationHelper } = cognito as unknown as {
  AuthenticationHelper: { new (poolName: string): { getSmallAValue(): unknown }; prototype: object };
};

interface Captured {
  srpA?: string;
  answer?: Record<string, string>;
}

/** Runs the reference client's SRP sign-in against a fake Cognito answering `challenge`; returns what it sent. */
async function reference(
  a: bigint,
  challenge: { SRP_B: string; SALT: string; SECRET_BLOCK: string; USER_ID_FOR_SRP: string },
  password: string,
): Promise<Captured> {
  const captured: Captured = {};
  const BigInteger = (
    new AuthenticationHelper('x').getSmallAValue() as { constructor: new (hex: string, radix: number) => unknown }
  ).constructor;
  const spy = jest
    .spyOn(AuthenticationHelper.prototype as unknown as { generateRandomSmallA(): unknown }, 'generateRandomSmallA')
    .mockImplementation(() => new BigInteger(a.toString(16), 16));
  const pool = new CognitoUserPool({ UserPoolId: 'eu-central-1_AbCdEf123', ClientId: 'client-1' });
  const user = new CognitoUser({ Username: 'ann@example.com', Pool: pool });
  const client = user as unknown as {
    client: { request(op: string, params: Record<string, unknown>, cb: (e: unknown, d: unknown) => void): void };
  };
  client.client = {
    request: (operation, params, callback) => {
      if (operation === 'InitiateAuth') {
        captured.srpA = (params.AuthParameters as Record<string, string>).SRP_A;
        callback(null, { ChallengeName: 'PASSWORD_VERIFIER', ChallengeParameters: challenge, Session: 's1' });
      } else {
        captured.answer = params.ChallengeResponses as Record<string, string>;
        callback(Object.assign(new Error('stop here'), { code: 'NotAuthorizedException' }), null);
      }
    },
  };
  await new Promise<void>((done) =>
    user.authenticateUser(new AuthenticationDetails({ Username: 'ann@example.com', Password: password }), {
      onSuccess: () => done(),
      onFailure: () => done(),
    }),
  );
  spy.mockRestore();
  return captured;
}

const vectors = [
  {
    a: BigInt(`0x${'3a7f'.repeat(64)}`),
    challenge: {
      SRP_B: `${'9c4d21e8'.repeat(95)}1f2e`,
      SALT: 'e3b5c1d2a4f60718293a4b5c6d7e8f90',
      SECRET_BLOCK: Buffer.from('a secret block of the service, opaque to the client').toString('base64'),
      USER_ID_FOR_SRP: '4f8e2c1a-7b3d-4e5f-9a0b-1c2d3e4f5a6b',
    },
    password: 'Correct horse 42',
  },
  {
    a: BigInt(`0x${'05c3'.repeat(60)}`),
    challenge: {
      SRP_B: `${'1234abcd'.repeat(90)}ff`,
      SALT: '8f00aa',
      SECRET_BLOCK: Buffer.from([0, 1, 2, 250, 251, 252]).toString('base64'),
      USER_ID_FOR_SRP: 'bob',
    },
    password: 'Ünïcode passwörd 7',
  },
];

describe('SRP as Cognito computes it', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-03-02T09:05:07Z') }));
  afterEach(() => jest.useRealTimers());

  it.each(vectors)('sends the same SRP_A and PASSWORD_CLAIM_SIGNATURE as the reference client (%#)', async (v) => {
    // Arrange
    const expected = await reference(v.a, v.challenge, v.password);

    // Act
    const start = srpStart(v.a);
    const signature = await passwordClaimSignature({
      poolName: 'AbCdEf123',
      userId: v.challenge.USER_ID_FOR_SRP,
      password: v.password,
      a: start.a,
      srpB: v.challenge.SRP_B,
      salt: v.challenge.SALT,
      secretBlock: v.challenge.SECRET_BLOCK,
      timestamp: cognitoTimestamp(new Date()),
    });

    // Assert
    expect(start.srpA).toBe(expected.srpA);
    expect(expected.answer).toMatchObject({ TIMESTAMP: 'Mon Mar 2 09:05:07 UTC 2026' });
    expect(cognitoTimestamp(new Date())).toBe(expected.answer!.TIMESTAMP);
    expect(signature).toBe(expected.answer!.PASSWORD_CLAIM_SIGNATURE);
  });

  it('differs for another password (the test can fail)', async () => {
    // Arrange
    const v = vectors[0]!;
    const expected = await reference(v.a, v.challenge, v.password);

    // Act
    const signature = await passwordClaimSignature({
      poolName: 'AbCdEf123',
      userId: v.challenge.USER_ID_FOR_SRP,
      password: `${v.password}!`,
      a: v.a,
      srpB: v.challenge.SRP_B,
      salt: v.challenge.SALT,
      secretBlock: v.challenge.SECRET_BLOCK,
      timestamp: expected.answer!.TIMESTAMP!,
    });

    // Assert
    expect(signature).not.toBe(expected.answer!.PASSWORD_CLAIM_SIGNATURE);
  });
});

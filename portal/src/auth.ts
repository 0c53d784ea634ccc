/**
 * Who signs users in: the local cloud's `/local/auth/...` flows, or, when the site's `config.json`
 * names a user pool (the deployed portal), Cognito itself, called with `fetch` on its JSON API
 * (`https://cognito-idp.<region>.amazonaws.com/`, `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>`).
 * Cognito sign-in is SRP (portal/src/srp.ts): the password never leaves the browser. Both answer
 * with the ID token, whose claims the API authorises, and a refresh token; both may ask for the
 * authenticator's code (TOTP), and both enrol one (docs/identity.md).
 */
import { api } from './api';
import { portalConfig, type PortalConfig } from './config';
import { ApiError, type FieldProblem, problemOf } from './problem';
import { cognitoTimestamp, passwordClaimSignature, srpStart } from './srp';

export type { PortalConfig };

export interface Tokens {
  readonly idToken: string;
  /** Cognito's, for the user's own operations (TOTP enrolment); locally the ID token serves */
  readonly accessToken?: string;
  /** none for a refresh (the one issued at sign-in stays valid) */
  readonly refreshToken?: string;
}

/** An authenticator to add: the key to type in, or the otpauth:// URI to open or scan. */
export interface TotpSetup {
  readonly secretCode: string;
  readonly otpauthUri: string;
}

/** A sign-in that needs one more answer: a new password (invited users), or the TOTP code. */
export interface Challenge {
  readonly challenge: 'NEW_PASSWORD_REQUIRED' | 'SOFTWARE_TOKEN_MFA';
  readonly email: string;
  readonly session: string;
}

export type SignInResult = Tokens | Challenge;

export interface AuthBackend {
  readonly kind: 'local' | 'cognito';
  signUp(email: string, password: string): Promise<void>;
  confirmSignUp(email: string, code: string): Promise<void>;
  signIn(email: string, password: string): Promise<SignInResult>;
  /** answers a challenge: the new password, or the authenticator's code */
  respond(challenge: Challenge, answer: string): Promise<SignInResult>;
  forgotPassword(email: string): Promise<void>;
  confirmForgotPassword(email: string, code: string, password: string): Promise<void>;
  /** a fresh ID token for a refresh token; undefined when the backend has none */
  refresh(refreshToken: string): Promise<Tokens | undefined>;
  /** starts adding an authenticator for the signed-in user (Cognito's access token, else the ID token) */
  associateTotp(token: string, email: string): Promise<TotpSetup>;
  /** checks the authenticator's first code and turns TOTP on from the next sign-in */
  verifyTotp(token: string, code: string): Promise<void>;
}

/** The otpauth:// URI (Key URI Format) authenticator apps read. */
export const otpauthUri = (secretCode: string, email: string) =>
  `otpauth://totp/${encodeURIComponent(`UCX Cloud:${email}`)}?secret=${secretCode}&issuer=${encodeURIComponent('UCX Cloud')}`;

export const isChallenge = (r: SignInResult): r is Challenge => 'challenge' in r;

interface LocalTokens {
  token: string;
  refreshToken?: string;
}
type LocalSignIn = LocalTokens | { challenge: 'SOFTWARE_TOKEN_MFA'; session: string };

const localTokens = (answer: LocalTokens): Tokens => ({
  idToken: answer.token,
  ...(answer.refreshToken && { refreshToken: answer.refreshToken }),
});

/** A local route called as the signed-in user (the portal's own token is not set yet while signing in). */
async function asUser<T>(path: string, token: string, body: unknown): Promise<T> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new ApiError(problemOf(response.status, parsed));
  return parsed as T;
}

export const localAuth: AuthBackend = {
  kind: 'local',
  signUp: async (email, password) => void (await api('POST', '/local/auth/sign-up', { email, password })),
  confirmSignUp: async (email, code) => void (await api('POST', '/local/auth/verify', { email, code })),
  signIn: async (email, password) => {
    const answer = await api<LocalSignIn>('POST', '/local/auth/sign-in', { email, password });
    return 'challenge' in answer
      ? { challenge: answer.challenge, email, session: answer.session }
      : localTokens(answer);
  },
  respond: async (challenge, code) => {
    if (challenge.challenge !== 'SOFTWARE_TOKEN_MFA')
      throw new Error('The local cloud asks no new password: invited users choose one with the e-mailed code.');
    return localTokens(
      await api<LocalTokens>('POST', '/local/auth/respond', {
        email: challenge.email,
        session: challenge.session,
        code,
      }),
    );
  },
  forgotPassword: async (email) => void (await api('POST', '/local/auth/forgot-password', { email })),
  confirmForgotPassword: async (email, code, password) =>
    void (await api('POST', '/local/auth/reset-password', { email, code, password })),
  refresh: async (refreshToken) => ({
    idToken: (await api<LocalTokens>('POST', '/local/auth/refresh', { refreshToken })).token,
  }),
  associateTotp: (token) => asUser<TotpSetup>('/local/auth/totp/associate', token, {}),
  verifyTotp: async (token, code) => void (await asUser('/local/auth/totp/verify', token, { code })),
};

type Fetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
) => Promise<{ status: number; ok: boolean; text(): Promise<string> }>;

/** Cognito's error names in the portal's words, with the field they are about. */
const cognitoErrors: Record<string, { status: number; path?: string; message: string }> = {
  NotAuthorizedException: { status: 401, path: 'password', message: 'wrong e-mail or password' },
  UserNotFoundException: { status: 401, path: 'password', message: 'wrong e-mail or password' },
  UserNotConfirmedException: {
    status: 403,
    path: 'email',
    message: 'not verified yet: enter the code from the e-mail first',
  },
  UsernameExistsException: {
    status: 409,
    path: 'email',
    message: 'already has an account: sign in or reset the password',
  },
  InvalidPasswordException: {
    status: 400,
    path: 'password',
    message: 'at least 12 characters, with upper- and lower-case letters and a digit',
  },
  CodeMismatchException: { status: 400, path: 'code', message: 'wrong code' },
  ExpiredCodeException: { status: 400, path: 'code', message: 'expired code; ask for a new one' },
  LimitExceededException: { status: 429, message: 'Too many attempts. Wait a few minutes and try again.' },
  TooManyRequestsException: { status: 429, message: 'Too many attempts. Wait a few minutes and try again.' },
  InvalidParameterException: { status: 400, message: 'Check the e-mail address and the other fields.' },
};

export function cognitoAuth(
  config: Required<Pick<PortalConfig, 'region' | 'userPoolId' | 'userPoolClientId'>>,
  fetchImpl: Fetch = (url, init) => fetch(url, init),
  /** the SRP ephemeral and the clock: fixed only by tests */
  srp: { start?: typeof srpStart; now?: () => Date } = {},
): AuthBackend {
  const endpoint = `https://cognito-idp.${config.region}.amazonaws.com/`;
  const ClientId = config.userPoolClientId;
  const poolName = config.userPoolId.split('_')[1] ?? '';

  /** An operation of the API; those of the signed-in user (AccessToken) take no ClientId. */
  async function call<T>(operation: string, body: Record<string, unknown>): Promise<T> {
    const response = await fetchImpl(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
      },
      body: JSON.stringify('AccessToken' in body ? body : { ClientId, ...body }),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = {};
    }
    if (response.ok) return parsed as T;
    // `__type` is `NotAuthorizedException` or `com.amazonaws...#NotAuthorizedException`.
    const type =
      String(parsed['__type'] ?? '')
        .split('#')
        .pop() ?? '';
    const known = cognitoErrors[type];
    const detail =
      known?.message ??
      (typeof parsed['message'] === 'string' ? parsed['message'] : `Sign-in service error ${response.status}.`);
    const errors: FieldProblem[] | undefined = known?.path ? [{ path: known.path, message: known.message }] : undefined;
    throw new ApiError({
      status: known?.status ?? response.status,
      title: type || 'Cognito error',
      detail,
      ...(errors && { errors }),
    });
  }

  interface AuthAnswer {
    AuthenticationResult?: { IdToken: string; AccessToken?: string; RefreshToken?: string };
    ChallengeName?: string;
    ChallengeParameters?: Record<string, string>;
    Session?: string;
  }
  const result = (email: string, answer: AuthAnswer): SignInResult => {
    if (answer.AuthenticationResult) {
      const { IdToken, AccessToken, RefreshToken } = answer.AuthenticationResult;
      return {
        idToken: IdToken,
        ...(AccessToken && { accessToken: AccessToken }),
        ...(RefreshToken && { refreshToken: RefreshToken }),
      };
    }
    if (
      (answer.ChallengeName === 'NEW_PASSWORD_REQUIRED' || answer.ChallengeName === 'SOFTWARE_TOKEN_MFA') &&
      answer.Session
    ) {
      return { challenge: answer.ChallengeName, email, session: answer.Session };
    }
    throw new Error(`This sign-in needs a step the portal does not offer (${answer.ChallengeName ?? 'none'}).`);
  };

  return {
    kind: 'cognito',
    signUp: async (email, password) =>
      void (await call('SignUp', {
        Username: email,
        Password: password,
        UserAttributes: [{ Name: 'email', Value: email }],
      })),
    confirmSignUp: async (email, code) =>
      void (await call('ConfirmSignUp', { Username: email, ConfirmationCode: code })),
    signIn: async (email, password) => {
      const start = (srp.start ?? srpStart)();
      const first = await call<AuthAnswer>('InitiateAuth', {
        AuthFlow: 'USER_SRP_AUTH',
        AuthParameters: { USERNAME: email, SRP_A: start.srpA },
      });
      const challenge = first.ChallengeParameters;
      if (first.ChallengeName !== 'PASSWORD_VERIFIER' || !challenge) return result(email, first);
      const userId = challenge['USER_ID_FOR_SRP'] ?? email;
      const timestamp = cognitoTimestamp((srp.now ?? (() => new Date()))());
      const signature = await passwordClaimSignature({
        poolName,
        userId,
        password,
        a: start.a,
        srpB: challenge['SRP_B'] ?? '',
        salt: challenge['SALT'] ?? '',
        secretBlock: challenge['SECRET_BLOCK'] ?? '',
        timestamp,
      });
      return result(
        email,
        await call<AuthAnswer>('RespondToAuthChallenge', {
          ChallengeName: 'PASSWORD_VERIFIER',
          ...(first.Session && { Session: first.Session }),
          ChallengeResponses: {
            USERNAME: userId,
            PASSWORD_CLAIM_SECRET_BLOCK: challenge['SECRET_BLOCK'],
            PASSWORD_CLAIM_SIGNATURE: signature,
            TIMESTAMP: timestamp,
          },
        }),
      );
    },
    respond: async (challenge, answer) =>
      result(
        challenge.email,
        await call<AuthAnswer>('RespondToAuthChallenge', {
          ChallengeName: challenge.challenge,
          Session: challenge.session,
          ChallengeResponses:
            challenge.challenge === 'NEW_PASSWORD_REQUIRED'
              ? { USERNAME: challenge.email, NEW_PASSWORD: answer }
              : { USERNAME: challenge.email, SOFTWARE_TOKEN_MFA_CODE: answer },
        }),
      ),
    forgotPassword: async (email) => void (await call('ForgotPassword', { Username: email })),
    confirmForgotPassword: async (email, code, password) =>
      void (await call('ConfirmForgotPassword', { Username: email, ConfirmationCode: code, Password: password })),
    refresh: async (refreshToken) => {
      const answer = await call<AuthAnswer>('InitiateAuth', {
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      });
      const tokens = answer.AuthenticationResult;
      return tokens
        ? { idToken: tokens.IdToken, ...(tokens.AccessToken && { accessToken: tokens.AccessToken }) }
        : undefined;
    },
    associateTotp: async (accessToken, email) => {
      const { SecretCode } = await call<{ SecretCode: string }>('AssociateSoftwareToken', { AccessToken: accessToken });
      return { secretCode: SecretCode, otpauthUri: otpauthUri(SecretCode, email) };
    },
    verifyTotp: async (accessToken, code) => {
      await call('VerifySoftwareToken', { AccessToken: accessToken, UserCode: code, FriendlyDeviceName: 'UCX Cloud' });
      // TOTP on, and preferred: the next sign-in asks for the code.
      await call('SetUserMFAPreference', {
        AccessToken: accessToken,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      });
    },
  };
}

/** The backend `config.json` asks for: Cognito when it names a user pool and client, else local. */
export function authFor(config: PortalConfig | undefined, fetchImpl?: Fetch): AuthBackend {
  return config?.userPoolId && config.userPoolClientId
    ? cognitoAuth(
        { region: config.region, userPoolId: config.userPoolId, userPoolClientId: config.userPoolClientId },
        fetchImpl,
      )
    : localAuth;
}

let chosen: Promise<AuthBackend> | undefined;

/** Picks the backend `/config.json` asks for (the local cloud's names no user pool). */
export function currentAuth(): Promise<AuthBackend> {
  chosen ??= portalConfig().then((config) => authFor(config));
  return chosen;
}

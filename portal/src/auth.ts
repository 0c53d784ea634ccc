/**
 * Who signs users in: the local cloud's `/local/auth/...` flows, or, when the site's `config.json`
 * names a user pool (the deployed portal), Cognito itself, called with `fetch` on its JSON API
 * (`https://cognito-idp.<region>.amazonaws.com/`, `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>`).
 * Sign-in uses USER_PASSWORD_AUTH over TLS rather than SRP: an SRP library would cost more than the
 * whole portal's script budget. Both answer with the ID token, whose claims the API authorises.
 */
import { api } from './api';
import { portalConfig, type PortalConfig } from './config';
import { ApiError, type FieldProblem } from './problem';

export type { PortalConfig };

export interface Tokens {
  readonly idToken: string;
  /** none for a local sign-in or a refresh (Cognito keeps the one it issued) */
  readonly refreshToken?: string;
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
}

export const isChallenge = (r: SignInResult): r is Challenge => 'challenge' in r;

export const localAuth: AuthBackend = {
  kind: 'local',
  signUp: async (email, password) => void (await api('POST', '/local/auth/sign-up', { email, password })),
  confirmSignUp: async (email, code) => void (await api('POST', '/local/auth/verify', { email, code })),
  signIn: async (email, password) => ({
    idToken: (await api<{ token: string }>('POST', '/local/auth/sign-in', { email, password })).token,
  }),
  respond: () => Promise.reject(new Error('The local cloud asks no sign-in challenge.')),
  forgotPassword: async (email) => void (await api('POST', '/local/auth/forgot-password', { email })),
  confirmForgotPassword: async (email, code, password) =>
    void (await api('POST', '/local/auth/reset-password', { email, code, password })),
  refresh: async () => undefined,
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
  config: Required<Pick<PortalConfig, 'region' | 'userPoolClientId'>>,
  fetchImpl: Fetch = (url, init) => fetch(url, init),
): AuthBackend {
  const endpoint = `https://cognito-idp.${config.region}.amazonaws.com/`;
  const ClientId = config.userPoolClientId;

  async function call<T>(operation: string, body: Record<string, unknown>): Promise<T> {
    const response = await fetchImpl(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
      },
      body: JSON.stringify({ ClientId, ...body }),
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
    AuthenticationResult?: { IdToken: string; RefreshToken?: string };
    ChallengeName?: string;
    Session?: string;
  }
  const result = (email: string, answer: AuthAnswer): SignInResult => {
    if (answer.AuthenticationResult) {
      const { IdToken, RefreshToken } = answer.AuthenticationResult;
      return { idToken: IdToken, ...(RefreshToken && { refreshToken: RefreshToken }) };
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
    signIn: async (email, password) =>
      result(
        email,
        await call<AuthAnswer>('InitiateAuth', {
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: email, PASSWORD: password },
        }),
      ),
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
      return answer.AuthenticationResult ? { idToken: answer.AuthenticationResult.IdToken } : undefined;
    },
  };
}

/** The backend `config.json` asks for: Cognito when it names a user pool and client, else local. */
export function authFor(config: PortalConfig | undefined, fetchImpl?: Fetch): AuthBackend {
  return config?.userPoolId && config.userPoolClientId
    ? cognitoAuth({ region: config.region, userPoolClientId: config.userPoolClientId }, fetchImpl)
    : localAuth;
}

let chosen: Promise<AuthBackend> | undefined;

/** Picks the backend `/config.json` asks for (the local cloud's names no user pool). */
export function currentAuth(): Promise<AuthBackend> {
  chosen ??= portalConfig().then((config) => authFor(config));
  return chosen;
}

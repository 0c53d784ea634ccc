/**
 * Local stand-in for the Cognito user pool the portal signs in with: self-service sign-up with an
 * e-mailed verification code (rate-limited), sign-in, TOTP enrolment and its sign-in challenge,
 * refresh, password reset, and the demo users of cloud.json. Users live in
 * `<dataDir>/auth/users.json` with scrypt password hashes; "e-mails" are appended to
 * `<dataDir>/auth/outbox.jsonl` and read at `GET /local/outbox`. Tokens are the local issuer's,
 * with Cognito's claims (local/auth.ts), issued under the same staff policy as the cloud's Pre Token
 * Generation trigger (docs/identity.md). Development only: none of this exists in the cloud.
 */
import { createHash, randomBytes, randomInt, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import * as z from 'zod';
import { grantFor } from '../lambdas/core/accounts/staff-policy';
import { issueLocalToken, localJwtVerifier, type JwtVerifier } from './auth';
import type { IncomingMessage } from 'node:http';
import type { HttpResponse } from './http-event';
import type { LocalHandler } from './router';

interface LocalUser {
  sub: string;
  email: string;
  /** `scrypt$<salt b64>$<hash b64>` */
  passwordHash: string;
  verified: boolean;
  groups: string[];
  accountId?: string;
  resellerId?: string;
  /** sha-256 of the pending code, its purpose, expiry and failed attempts */
  pendingCode?: { hash: string; purpose: 'verify' | 'reset'; expiresAt: string; attempts: number };
  /** the authenticator: `secret` once verified (TOTP on), `pendingSecret` between associate and verify */
  totp?: { secret?: string; pendingSecret?: string; lastStep?: number };
  /** sha-256 of the open TOTP sign-in challenge's session */
  mfaSession?: { hash: string; expiresAt: string; attempts: number };
  /** sha-256 of each refresh token still valid, with its expiry */
  refreshTokens?: { hash: string; expiresAt: string }[];
}

/** Cognito's: codes are valid for 24 hours. */
const codeTtlMs = 24 * 3600 * 1000;
/** After this many wrong codes the code is void and a new one must be asked for. */
const maxCodeAttempts = 5;
/** Cognito's minimum: removing a user or its group ends its access within 5 minutes. */
export const idTokenTtlSeconds = 5 * 60;
/** A working day; the portal refreshes the ID token with it, and the policy is applied again each time. */
export const refreshTokenTtlSeconds = 12 * 3600;
/** Cognito's: the session of a sign-in challenge lasts 3 minutes. */
const challengeTtlMs = 3 * 60 * 1000;
/** Self sign-up: per e-mail address and per source address, as the cloud's WAF rule (docs/identity.md). */
export const signUpLimits = {
  perEmail: { max: 5, windowSeconds: 3600 },
  perAddress: { max: 20, windowSeconds: 300 },
} as const;

const email = z.string().trim().toLowerCase().email('enter an e-mail address like name@example.com');
const password = z
  .string()
  .min(8, 'at least 8 characters')
  .max(256, 'at most 256 characters')
  .regex(/[A-Za-z]/, 'needs a letter')
  .regex(/\d/, 'needs a digit');
const code = z
  .string()
  .trim()
  .regex(/^\d{6}$/, 'the 6-digit code from the e-mail');
const totpCode = z
  .string()
  .trim()
  .regex(/^\d{6}$/, 'the 6-digit code from the authenticator app');

const schemas = {
  signUp: z.object({ email, password }),
  verify: z.object({ email, code }),
  signIn: z.object({ email, password: z.string().min(1, 'enter your password') }),
  forgot: z.object({ email }),
  reset: z.object({ email, code, password }),
  respond: z.object({ email, session: z.string().min(1).max(200), code: totpCode }),
  verifyTotp: z.object({ code: totpCode }),
  refresh: z.object({ refreshToken: z.string().min(1).max(200) }),
  remove: z.object({ email }),
  link: z.object({
    email,
    groups: z
      .array(z.enum(['backoffice', 'support', 'reseller', 'customer']))
      .min(1)
      .optional(),
    accountId: z
      .string()
      .regex(/^acc_[a-z0-9]{8,32}$/, 'not an account id')
      .optional(),
    resellerId: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and dashes')
      .optional(),
  }),
};

export function hashPassword(plain: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64')}$${scryptSync(plain, salt, 32).toString('base64')}`;
}

export function passwordMatches(plain: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  return timingSafeEqual(scryptSync(plain, Buffer.from(salt, 'base64'), expected.length), expected);
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

const problem = (
  status: number,
  title: string,
  detail: string,
  errors?: { path: string; message: string }[],
  headers: Record<string, string> = {},
): HttpResponse => ({
  statusCode: status,
  headers: { 'content-type': 'application/problem+json', ...headers },
  body: Buffer.from(
    JSON.stringify({
      type: `https://ucx.example/problems/${title.toLowerCase().replace(/\W+/g, '-')}`,
      title,
      status,
      detail,
      ...(errors && { errors }),
    }),
  ),
});
const json = (status: number, body: unknown): HttpResponse => ({
  statusCode: status,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify(body)),
});

class Invalid extends Error {
  constructor(readonly response: HttpResponse) {
    super(response.body.toString());
  }
}

function parse<T extends z.ZodType>(schema: T, body: Buffer): z.infer<T> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    throw new Invalid(problem(400, 'Request is not valid', 'The body is not JSON.'));
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const errors = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new Invalid(problem(400, 'Request is not valid', 'One or more fields are not valid.', errors));
  }
  return result.data;
}

export class LocalUserStore {
  private readonly dir: string;
  constructor(dataDir: string) {
    this.dir = join(dataDir, 'auth');
  }
  private get file() {
    return join(this.dir, 'users.json');
  }
  get outboxFile() {
    return join(this.dir, 'outbox.jsonl');
  }
  all(): LocalUser[] {
    return existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as LocalUser[]) : [];
  }
  find(emailAddress: string): LocalUser | undefined {
    return this.all().find((u) => u.email === emailAddress);
  }
  findBySub(sub: string): LocalUser | undefined {
    return this.all().find((u) => u.sub === sub);
  }
  /** The local AdminDeleteUser; true when there was one. */
  remove(emailAddress: string): boolean {
    const users = this.all();
    const kept = users.filter((u) => u.email !== emailAddress);
    if (kept.length === users.length) return false;
    writeFileSync(`${this.file}.tmp`, JSON.stringify(kept, null, 2));
    renameSync(`${this.file}.tmp`, this.file);
    return true;
  }
  save(user: LocalUser): void {
    mkdirSync(this.dir, { recursive: true });
    const users = this.all().filter((u) => u.email !== user.email);
    writeFileSync(`${this.file}.tmp`, JSON.stringify([...users, user], null, 2));
    renameSync(`${this.file}.tmp`, this.file);
  }
  send(to: string, subject: string, text: string, sentCode: string): void {
    mkdirSync(this.dir, { recursive: true });
    appendFileSync(
      this.outboxFile,
      `${JSON.stringify({ at: new Date().toISOString(), to, subject, text, code: sentCode })}\n`,
    );
  }
  outbox(): unknown[] {
    if (!existsSync(this.outboxFile)) return [];
    return readFileSync(this.outboxFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as unknown)
      .reverse();
  }
}

function newCode(store: LocalUserStore, user: LocalUser, purpose: 'verify' | 'reset', now: Date): LocalUser {
  const sent = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const subject = purpose === 'verify' ? 'Your UCX Cloud verification code' : 'Your UCX Cloud password reset code';
  store.send(user.email, subject, `Your code is ${sent}. It is valid for 24 hours.`, sent);
  return {
    ...user,
    pendingCode: {
      hash: sha256(sent),
      purpose,
      expiresAt: new Date(now.getTime() + codeTtlMs).toISOString(),
      attempts: 0,
    },
  };
}

/** Checks a code; a wrong one counts against the user (saved), a right one is consumed by the caller. */
function checkCode(
  store: LocalUserStore,
  user: LocalUser | undefined,
  purpose: 'verify' | 'reset',
  given: string,
  now: Date,
): LocalUser {
  const wrong = () =>
    new Invalid(
      problem(400, 'Request is not valid', 'The code is wrong or has expired.', [
        { path: 'code', message: 'wrong or expired code; ask for a new one' },
      ]),
    );
  const pending = user?.pendingCode;
  if (
    !user ||
    !pending ||
    pending.purpose !== purpose ||
    pending.attempts >= maxCodeAttempts ||
    pending.expiresAt < now.toISOString()
  )
    throw wrong();
  if (!timingSafeEqual(Buffer.from(sha256(given)), Buffer.from(pending.hash))) {
    store.save({ ...user, pendingCode: { ...pending, attempts: pending.attempts + 1 } });
    throw wrong();
  }
  const { pendingCode: _used, ...rest } = user;
  return rest;
}

interface CloudJsonLike {
  tokens?: { ops?: string; support?: string };
  demo?: {
    accounts?: { accountId: string; region: string; token: string; resellerId?: string }[];
    resellers?: { resellerId: string; token: string }[];
  };
}

/** RFC 6238 as Google Authenticator and Cognito use it: SHA-1, 6 digits, 30-second steps. */
const totpOf = (secret: string, label: string) =>
  new TOTP({ issuer: 'UCX Cloud', label, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });

/** The step a code matches at `now` (±1 step of drift), or undefined. */
function totpStep(secret: string, label: string, given: string, now: Date): number | undefined {
  const delta = totpOf(secret, label).validate({ token: given, timestamp: now.getTime(), window: 1 });
  return delta === null ? undefined : Math.floor(now.getTime() / 30_000) + delta;
}

/** Counts attempts per key in a sliding window of the local clock; in memory, as WAF's counters. */
class RateLimiter {
  private readonly seen = new Map<string, number[]>();
  /** Records an attempt; the seconds to wait when it is over the limit, else 0. */
  hit(key: string, limit: { max: number; windowSeconds: number }, now: Date): number {
    const windowMs = limit.windowSeconds * 1000;
    const recent = (this.seen.get(key) ?? []).filter((at) => at > now.getTime() - windowMs);
    if (recent.length >= limit.max) {
      this.seen.set(key, recent);
      return Math.max(1, Math.ceil((recent[0]! + windowMs - now.getTime()) / 1000));
    }
    this.seen.set(key, [...recent, now.getTime()]);
    return 0;
  }
}

export interface AuthFlowOptions {
  /** the local cloud's clock: codes, challenges, tokens and rate limits read it */
  readonly now?: () => Date;
}

/** The `/local/auth/...` and `/local/outbox` routes, for every region's router (one user store). */
export function authFlowRoutes(dataDir: string, options: AuthFlowOptions = {}): [string, LocalHandler][] {
  const now = options.now ?? (() => new Date());
  const store = new LocalUserStore(dataDir);
  const signUps = new RateLimiter();
  let verifier: Promise<JwtVerifier> | undefined;
  const guarded =
    (run: (body: Buffer, request: IncomingMessage) => Promise<HttpResponse>): LocalHandler =>
    async (request, body) => {
      try {
        return await run(body, request);
      } catch (error) {
        if (error instanceof Invalid) return error.response;
        throw error;
      }
    };
  /** The signed-in user of `Authorization: Bearer <ID token>`, as Cognito's AccessToken parameter. */
  const signedIn = async (request: IncomingMessage): Promise<LocalUser> => {
    verifier ??= localJwtVerifier(dataDir, now);
    const verified = await (await verifier)(request.headers?.authorization);
    const user = verified && store.findBySub(verified.claims['sub'] ?? '');
    if (!user) throw new Invalid(problem(401, 'Not authenticated', 'Sign in again: the token is missing or expired.'));
    return user;
  };
  /** An ID token under the staff policy and, on sign-in, a refresh token; the user is saved with it. */
  const tokensOf = async (user: LocalUser, refreshToken?: string) => {
    const at = now();
    const grant = grantFor({ groups: user.groups, mfaEnabled: Boolean(user.totp?.secret) });
    const idToken = await issueLocalToken(
      dataDir,
      {
        sub: user.sub,
        email: user.email,
        groups: grant.groups,
        ...(user.accountId && { accountId: user.accountId }),
        ...(user.resellerId && { resellerId: user.resellerId }),
        extra: grant.claims,
      },
      idTokenTtlSeconds,
      at,
    );
    let issuedRefresh: string | undefined;
    if (!refreshToken) {
      issuedRefresh = randomBytes(32).toString('base64url');
      const live = (user.refreshTokens ?? []).filter((t) => t.expiresAt > at.toISOString());
      const expiresAt = new Date(at.getTime() + refreshTokenTtlSeconds * 1000).toISOString();
      const { mfaSession: _done, ...rest } = user;
      store.save({ ...rest, refreshTokens: [...live, { hash: sha256(issuedRefresh), expiresAt }] });
    }
    return {
      token: idToken,
      idToken,
      expiresIn: idTokenTtlSeconds,
      ...(issuedRefresh && { refreshToken: issuedRefresh, refreshExpiresIn: refreshTokenTtlSeconds }),
    };
  };

  return [
    [
      'GET /local/auth/demo-users',
      async () => {
        const file = join(dataDir, 'cloud.json');
        if (!existsSync(file)) return json(200, { users: [] });
        const info = JSON.parse(readFileSync(file, 'utf8')) as CloudJsonLike;
        const users = [
          ...(info.tokens?.ops ? [{ label: 'Back office (ops)', token: info.tokens.ops }] : []),
          ...(info.tokens?.support ? [{ label: 'Support', token: info.tokens.support }] : []),
          ...(info.demo?.resellers ?? []).map((r) => ({ label: `Reseller ${r.resellerId}`, token: r.token })),
          ...(info.demo?.accounts ?? []).map((a) => ({
            label: `Customer ${a.accountId} (${a.region.toUpperCase()})`,
            token: a.token,
          })),
        ];
        return json(200, { users });
      },
    ],
    [
      'POST /local/auth/sign-up',
      guarded(async (body, request) => {
        const input = parse(schemas.signUp, body);
        // Scripted sign-ups must not spend the e-mail quota: per address and per e-mail, as the WAF rule.
        const address = request.socket?.remoteAddress ?? 'unknown';
        const wait = Math.max(
          signUps.hit(`address:${address}`, signUpLimits.perAddress, now()),
          signUps.hit(`email:${input.email}`, signUpLimits.perEmail, now()),
        );
        if (wait > 0)
          return problem(
            429,
            'Too many requests',
            `Too many sign-ups; try again in ${Math.ceil(wait / 60)} minute(s).`,
            undefined,
            { 'retry-after': String(wait) },
          );
        const existing = store.find(input.email);
        if (existing?.verified)
          return problem(
            409,
            'Conflict',
            'An account with this e-mail exists already; sign in or reset the password.',
            [{ path: 'email', message: 'already registered' }],
          );
        const user: LocalUser = {
          sub: existing?.sub ?? randomUUID(),
          email: input.email,
          passwordHash: hashPassword(input.password),
          verified: false,
          groups: ['customer'],
        };
        store.save(newCode(store, user, 'verify', now()));
        return json(201, { email: input.email, verified: false, delivery: 'email' });
      }),
    ],
    [
      'POST /local/auth/verify',
      guarded(async (body) => {
        const input = parse(schemas.verify, body);
        const user = checkCode(store, store.find(input.email), 'verify', input.code, now());
        store.save({ ...user, verified: true });
        return json(200, { email: input.email, verified: true });
      }),
    ],
    [
      'POST /local/auth/sign-in',
      guarded(async (body) => {
        const input = parse(schemas.signIn, body);
        const user = store.find(input.email);
        if (!user || !passwordMatches(input.password, user.passwordHash))
          return problem(401, 'Not authenticated', 'The e-mail or password is wrong.');
        if (!user.verified)
          return problem(403, 'Forbidden', 'Verify your e-mail first: enter the code we sent.', [
            { path: 'email', message: 'not verified yet' },
          ]);
        if (user.totp?.secret) {
          // Cognito's SOFTWARE_TOKEN_MFA challenge: the password alone yields no token.
          const session = randomBytes(32).toString('base64url');
          const expiresAt = new Date(now().getTime() + challengeTtlMs).toISOString();
          store.save({ ...user, mfaSession: { hash: sha256(session), expiresAt, attempts: 0 } });
          return json(200, { challenge: 'SOFTWARE_TOKEN_MFA', session });
        }
        return json(200, await tokensOf(user));
      }),
    ],
    [
      'POST /local/auth/respond',
      guarded(async (body) => {
        const input = parse(schemas.respond, body);
        const user = store.find(input.email);
        const open = user?.mfaSession;
        if (
          !user?.totp?.secret ||
          !open ||
          open.expiresAt < now().toISOString() ||
          open.attempts >= maxCodeAttempts ||
          !timingSafeEqual(Buffer.from(sha256(input.session)), Buffer.from(open.hash))
        )
          return problem(401, 'Not authenticated', 'The sign-in has expired; sign in again.');
        const step = totpStep(user.totp.secret, user.email, input.code, now());
        // A code is good once: a step at or before the last one used is a replay.
        if (step === undefined || step <= (user.totp.lastStep ?? -1)) {
          store.save({ ...user, mfaSession: { ...open, attempts: open.attempts + 1 } });
          return problem(400, 'Request is not valid', 'The code is wrong.', [
            { path: 'code', message: 'wrong code; enter the current one from the authenticator app' },
          ]);
        }
        return json(200, await tokensOf({ ...user, totp: { ...user.totp, lastStep: step } }));
      }),
    ],
    [
      // Cognito's AssociateSoftwareToken: a new secret, pending until a code from it is verified.
      'POST /local/auth/totp/associate',
      guarded(async (_body, request) => {
        const user = await signedIn(request);
        const secret = new Secret({ size: 20 }).base32;
        store.save({ ...user, totp: { ...user.totp, pendingSecret: secret } });
        return json(200, { secretCode: secret, otpauthUri: totpOf(secret, user.email).toString() });
      }),
    ],
    [
      // Cognito's VerifySoftwareToken, then SetUserMFAPreference: TOTP on from the next sign-in.
      'POST /local/auth/totp/verify',
      guarded(async (body, request) => {
        const user = await signedIn(request);
        const input = parse(schemas.verifyTotp, body);
        const pending = user.totp?.pendingSecret;
        const step = pending ? totpStep(pending, user.email, input.code, now()) : undefined;
        if (!pending || step === undefined)
          return problem(400, 'Request is not valid', 'The code is wrong.', [
            { path: 'code', message: pending ? 'wrong code' : 'set up the authenticator first' },
          ]);
        store.save({ ...user, totp: { secret: pending, lastStep: step } });
        return json(200, { status: 'SUCCESS', mfaEnabled: true });
      }),
    ],
    [
      // Cognito's REFRESH_TOKEN_AUTH: the user, its groups and its TOTP are read again.
      'POST /local/auth/refresh',
      guarded(async (body) => {
        const input = parse(schemas.refresh, body);
        const hash = sha256(input.refreshToken);
        const at = now().toISOString();
        const user = store.all().find((u) => u.refreshTokens?.some((t) => t.hash === hash && t.expiresAt > at));
        if (!user) return problem(401, 'Not authenticated', 'The session has ended; sign in again.');
        return json(200, await tokensOf(user, input.refreshToken));
      }),
    ],
    [
      'POST /local/auth/forgot-password',
      guarded(async (body) => {
        const input = parse(schemas.forgot, body);
        const user = store.find(input.email);
        // The same answer whether or not the e-mail is known: no account enumeration.
        if (user) store.save(newCode(store, user, 'reset', now()));
        return json(202, { delivery: 'email' });
      }),
    ],
    [
      'POST /local/auth/reset-password',
      guarded(async (body) => {
        const input = parse(schemas.reset, body);
        const user = checkCode(store, store.find(input.email), 'reset', input.code, now());
        // Receiving the code proves the e-mail, as in Cognito; a new password signs every session out.
        const { refreshTokens: _revoked, ...rest } = user;
        store.save({ ...rest, passwordHash: hashPassword(input.password), verified: true });
        return json(200, { email: input.email });
      }),
    ],
    [
      // The back office's AdminUpdateUserAttributes / AdminAddUserToGroup: links a user to its account.
      'POST /local/auth/users/link',
      guarded(async (body) => {
        const input = parse(schemas.link, body);
        const user = store.find(input.email);
        if (!user)
          return problem(404, 'Not found', `No user ${input.email}.`, [{ path: 'email', message: 'no such user' }]);
        const linked: LocalUser = {
          ...user,
          ...(input.groups && { groups: input.groups }),
          ...(input.accountId && { accountId: input.accountId }),
          ...(input.resellerId && { resellerId: input.resellerId }),
        };
        store.save(linked);
        return json(200, {
          email: linked.email,
          groups: linked.groups,
          accountId: linked.accountId ?? null,
          resellerId: linked.resellerId ?? null,
        });
      }),
    ],
    [
      // The back office's AdminDeleteUser: the user's refresh tokens go with it.
      'POST /local/auth/users/delete',
      guarded(async (body) => {
        const input = parse(schemas.remove, body);
        if (!store.remove(input.email))
          return problem(404, 'Not found', `No user ${input.email}.`, [{ path: 'email', message: 'no such user' }]);
        return { statusCode: 204, headers: {}, body: Buffer.alloc(0) };
      }),
    ],
    ['GET /local/outbox', async () => json(200, { messages: store.outbox() })],
  ];
}

/** A demo staff user of cloud.json: signs in with the password and a code of an authenticator holding the key. */
export interface DemoStaffUser {
  readonly email: string;
  readonly password: string;
  readonly groups: readonly string[];
  /** the TOTP key (base32) and the same as an otpauth:// URI, to add to an authenticator app */
  readonly totpSecret: string;
  readonly otpauthUri: string;
}

/**
 * The demo back-office and support users, TOTP-enrolled as the staff policy requires (local only:
 * their password and key are printed in cloud.json). Kept across restarts: an authenticator that
 * holds the key keeps working.
 */
export function seedDemoStaff(dataDir: string): DemoStaffUser[] {
  const store = new LocalUserStore(dataDir);
  const demo = [
    { email: 'ops@ucx.local', groups: ['backoffice'] },
    { email: 'support@ucx.local', groups: ['support'] },
  ];
  const password = 'demo staff 42';
  return demo.map(({ email: address, groups }) => {
    const existing = store.find(address);
    const secret = existing?.totp?.secret ?? new Secret({ size: 20 }).base32;
    if (!existing?.totp?.secret)
      store.save({
        sub: existing?.sub ?? randomUUID(),
        email: address,
        passwordHash: hashPassword(password),
        verified: true,
        groups,
        totp: { secret },
      });
    return { email: address, password, groups, totpSecret: secret, otpauthUri: totpOf(secret, address).toString() };
  });
}

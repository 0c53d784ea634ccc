/**
 * Local stand-in for the Cognito user pool the portal signs in with: self-service sign-up with an
 * e-mailed verification code, sign-in, password reset, and the demo users of cloud.json. Users live
 * in `<dataDir>/auth/users.json` with scrypt password hashes; "e-mails" are appended to
 * `<dataDir>/auth/outbox.jsonl` and read at `GET /local/outbox`. Tokens are the local issuer's,
 * with Cognito's claims (local/auth.ts). Development only: none of this exists in the cloud.
 */
import { createHash, randomBytes, randomInt, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { issueLocalToken } from './auth';
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
}

/** Cognito's: codes are valid for 24 hours. */
const codeTtlMs = 24 * 3600 * 1000;
/** After this many wrong codes the code is void and a new one must be asked for. */
const maxCodeAttempts = 5;
/** 12 h: a working day; the demo tokens of cloud.json last 30 days. */
const tokenTtlSeconds = 12 * 3600;

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

const schemas = {
  signUp: z.object({ email, password }),
  verify: z.object({ email, code }),
  signIn: z.object({ email, password: z.string().min(1, 'enter your password') }),
  forgot: z.object({ email }),
  reset: z.object({ email, code, password }),
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
): HttpResponse => ({
  statusCode: status,
  headers: { 'content-type': 'application/problem+json' },
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

function newCode(store: LocalUserStore, user: LocalUser, purpose: 'verify' | 'reset'): LocalUser {
  const sent = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const subject = purpose === 'verify' ? 'Your UCX Cloud verification code' : 'Your UCX Cloud password reset code';
  store.send(user.email, subject, `Your code is ${sent}. It is valid for 24 hours.`, sent);
  return {
    ...user,
    pendingCode: {
      hash: sha256(sent),
      purpose,
      expiresAt: new Date(Date.now() + codeTtlMs).toISOString(),
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
    pending.expiresAt < new Date().toISOString()
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

/** The `/local/auth/...` and `/local/outbox` routes, for every region's router (one user store). */
export function authFlowRoutes(dataDir: string): [string, LocalHandler][] {
  const store = new LocalUserStore(dataDir);
  const guarded =
    (run: (body: Buffer) => Promise<HttpResponse>): LocalHandler =>
    async (_request, body) => {
      try {
        return await run(body);
      } catch (error) {
        if (error instanceof Invalid) return error.response;
        throw error;
      }
    };
  const tokenOf = async (user: LocalUser) => ({
    token: await issueLocalToken(
      dataDir,
      {
        sub: user.sub,
        groups: user.groups,
        ...(user.accountId && { accountId: user.accountId }),
        ...(user.resellerId && { resellerId: user.resellerId }),
      },
      tokenTtlSeconds,
    ),
    expiresIn: tokenTtlSeconds,
  });

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
      guarded(async (body) => {
        const input = parse(schemas.signUp, body);
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
        store.save(newCode(store, user, 'verify'));
        return json(201, { email: input.email, verified: false, delivery: 'email' });
      }),
    ],
    [
      'POST /local/auth/verify',
      guarded(async (body) => {
        const input = parse(schemas.verify, body);
        const user = checkCode(store, store.find(input.email), 'verify', input.code);
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
        return json(200, await tokenOf(user));
      }),
    ],
    [
      'POST /local/auth/forgot-password',
      guarded(async (body) => {
        const input = parse(schemas.forgot, body);
        const user = store.find(input.email);
        // The same answer whether or not the e-mail is known: no account enumeration.
        if (user) store.save(newCode(store, user, 'reset'));
        return json(202, { delivery: 'email' });
      }),
    ],
    [
      'POST /local/auth/reset-password',
      guarded(async (body) => {
        const input = parse(schemas.reset, body);
        const user = checkCode(store, store.find(input.email), 'reset', input.code);
        // Receiving the code proves the e-mail, as in Cognito.
        store.save({ ...user, passwordHash: hashPassword(input.password), verified: true });
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
    ['GET /local/outbox', async () => json(200, { messages: store.outbox() })],
  ];
}

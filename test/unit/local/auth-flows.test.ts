/**
 * The local identity provider's second factor and sessions: TOTP enrolment and its sign-in
 * challenge, the staff policy in the tokens, refresh that reads the user again, the 5-minute ID
 * token judged by the local clock, and the sign-up rate limit.
 */
import { mkdtempSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { localJwtVerifier } from '#local/auth';
import { authFlowRoutes, seedDemoStaff, signUpLimits } from '#local/auth-flows';

type Routes = Map<string, ReturnType<typeof authFlowRoutes>[number][1]>;

function world(dataDir = mkdtempSync(join(tmpdir(), 'ucx-auth-totp-'))) {
  let nowMs = Date.parse('2026-03-02T09:00:00Z');
  const now = () => new Date(nowMs);
  const routes: Routes = new Map(authFlowRoutes(dataDir, { now }));
  const call = async (key: string, body: unknown, options: { token?: string; address?: string } = {}) => {
    const request = {
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      socket: { remoteAddress: options.address ?? '192.0.2.1' },
    } as unknown as IncomingMessage;
    const res = await routes.get(key)!(request, Buffer.from(JSON.stringify(body)), {});
    const text = res.body.toString();
    return { status: res.statusCode, headers: res.headers, json: text ? JSON.parse(text) : undefined };
  };
  const advance = (seconds: number) => {
    nowMs += seconds * 1000;
  };
  const lastCode = async () => (await call('GET /local/outbox', {})).json.messages[0].code as string;
  const verifier = () => localJwtVerifier(dataDir, now);
  /** a verified user in `groups` */
  const user = async (email: string, groups: string[]) => {
    await call('POST /local/auth/sign-up', { email, password: 'correct horse 42' });
    await call('POST /local/auth/verify', { email, code: await lastCode() });
    await call('POST /local/auth/users/link', { email, groups });
  };
  const codeAt = (secret: string) =>
    new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: nowMs });
  return { call, advance, user, codeAt, verifier, now };
}

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

describe('the local identity provider', () => {
  it('issues a back-office user without TOTP no staff group, and asks it to enrol', async () => {
    // Arrange
    const w = world();
    await w.user('ops@example.com', ['backoffice']);

    // Act
    const signIn = await w.call('POST /local/auth/sign-in', { email: 'ops@example.com', password: 'correct horse 42' });

    // Assert
    expect(signIn.status).toBe(200);
    const claims = claimsOf(signIn.json.token);
    expect(claims['cognito:groups']).toEqual([]);
    expect(claims['ucx:mfa_setup_required']).toBe('true');
    expect(claims.exp - claims.iat).toBe(300);
    expect(signIn.json.refreshToken).toEqual(expect.any(String));
  });

  it('enrols TOTP, then answers the sign-in with a challenge and issues the staff group for the code', async () => {
    // Arrange
    const w = world();
    await w.user('ops@example.com', ['backoffice']);
    const first = await w.call('POST /local/auth/sign-in', { email: 'ops@example.com', password: 'correct horse 42' });

    // Act
    const associated = await w.call('POST /local/auth/totp/associate', {}, { token: first.json.token });
    const wrong = await w.call(
      'POST /local/auth/totp/verify',
      { code: w.codeAt(associated.json.secretCode) === '000000' ? '111111' : '000000' },
      { token: first.json.token },
    );
    const enabled = await w.call(
      'POST /local/auth/totp/verify',
      { code: w.codeAt(associated.json.secretCode) },
      { token: first.json.token },
    );
    w.advance(30);
    const challenged = await w.call('POST /local/auth/sign-in', {
      email: 'ops@example.com',
      password: 'correct horse 42',
    });
    const code = w.codeAt(associated.json.secretCode);
    const answered = await w.call('POST /local/auth/respond', {
      email: 'ops@example.com',
      session: challenged.json.session,
      code,
    });
    const replayed = await w.call('POST /local/auth/respond', {
      email: 'ops@example.com',
      session: challenged.json.session,
      code,
    });

    // Assert
    expect(associated.json.otpauthUri).toMatch(/^otpauth:\/\/totp\/UCX%20Cloud:ops%40example\.com\?.*secret=/);
    expect(wrong).toMatchObject({ status: 400, json: { errors: [{ path: 'code' }] } });
    expect(enabled).toMatchObject({ status: 200, json: { status: 'SUCCESS' } });
    expect(challenged.json).toEqual({ challenge: 'SOFTWARE_TOKEN_MFA', session: expect.any(String) });
    expect(challenged.json.token).toBeUndefined();
    expect(answered.status).toBe(200);
    expect(claimsOf(answered.json.token)['cognito:groups']).toEqual(['backoffice']);
    expect(claimsOf(answered.json.token)['ucx:mfa_setup_required']).toBeUndefined();
    expect(replayed.status).toBe(401);
  });

  it('refuses associate without a valid token', async () => {
    // Act
    const res = await world().call('POST /local/auth/totp/associate', {}, { token: 'not-a-token' });

    // Assert
    expect(res.status).toBe(401);
  });

  it('ends an ID token after 5 minutes of the local clock; refresh reads the groups again; a deleted user is refused', async () => {
    // Arrange
    const w = world();
    await w.user('ann@example.com', ['customer', 'reseller']);
    const signIn = await w.call('POST /local/auth/sign-in', { email: 'ann@example.com', password: 'correct horse 42' });
    const verify = await w.verifier();

    // Act
    const fresh = await verify(`Bearer ${signIn.json.token}`);
    w.advance(5 * 60 + 1);
    const stale = await verify(`Bearer ${signIn.json.token}`);
    await w.call('POST /local/auth/users/link', { email: 'ann@example.com', groups: ['customer'] });
    const refreshed = await w.call('POST /local/auth/refresh', { refreshToken: signIn.json.refreshToken });
    await w.call('POST /local/auth/users/delete', { email: 'ann@example.com' });
    const afterDelete = await w.call('POST /local/auth/refresh', { refreshToken: signIn.json.refreshToken });

    // Assert
    expect(fresh).toBeDefined();
    expect(stale).toBeUndefined();
    expect(refreshed.status).toBe(200);
    expect(claimsOf(refreshed.json.token)['cognito:groups']).toEqual(['customer']);
    expect(await verify(refreshed.json.token)).toBeDefined();
    expect(afterDelete.status).toBe(401);
  });

  it('ends the refresh token after 12 hours', async () => {
    // Arrange
    const w = world();
    await w.user('ann@example.com', ['customer']);
    const signIn = await w.call('POST /local/auth/sign-in', { email: 'ann@example.com', password: 'correct horse 42' });

    // Act
    w.advance(12 * 3600 + 1);
    const res = await w.call('POST /local/auth/refresh', { refreshToken: signIn.json.refreshToken });

    // Assert
    expect(res.status).toBe(401);
  });

  it('limits sign-ups per e-mail address and per source address, with Retry-After', async () => {
    // Arrange
    const w = world();
    const signUp = (email: string, address = '192.0.2.7') =>
      w.call('POST /local/auth/sign-up', { email, password: 'correct horse 42' }, { address });

    // Act
    for (let i = 0; i < signUpLimits.perEmail.max; i++) await signUp('bot@example.com', `198.51.100.${i}`);
    const sameEmail = await signUp('bot@example.com', '198.51.100.99');
    for (let i = 0; i < signUpLimits.perAddress.max; i++) await signUp(`bot${i}@example.com`, '203.0.113.5');
    const sameAddress = await signUp('another@example.com', '203.0.113.5');
    const otherAddress = await signUp('another@example.com', '203.0.113.6');
    w.advance(signUpLimits.perAddress.windowSeconds + 1);
    const later = await signUp('third@example.com', '203.0.113.5');

    // Assert
    expect(sameEmail.status).toBe(429);
    expect(sameEmail.headers['content-type']).toBe('application/problem+json');
    expect(Number(sameEmail.headers['retry-after'])).toBeGreaterThan(0);
    expect(sameAddress.status).toBe(429);
    expect(otherAddress.status).toBe(201);
    expect(later.status).toBe(201);
  });

  it('seeds the demo staff TOTP-enrolled, with the same key across restarts', async () => {
    // Arrange
    const dataDir = mkdtempSync(join(tmpdir(), 'ucx-auth-staff-'));
    const [ops] = seedDemoStaff(dataDir);
    const w = world(dataDir);

    // Act
    const again = seedDemoStaff(dataDir)[0]!;
    const challenged = await w.call('POST /local/auth/sign-in', { email: ops!.email, password: ops!.password });
    const answered = await w.call('POST /local/auth/respond', {
      email: ops!.email,
      session: challenged.json.session,
      code: w.codeAt(ops!.totpSecret),
    });

    // Assert
    expect(again.totpSecret).toBe(ops!.totpSecret);
    expect(ops!.otpauthUri).toContain(`secret=${ops!.totpSecret}`);
    expect(challenged.json.challenge).toBe('SOFTWARE_TOKEN_MFA');
    expect(claimsOf(answered.json.token)['cognito:groups']).toEqual(['backoffice']);
  });
});

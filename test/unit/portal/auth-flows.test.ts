import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { authFlowRoutes, hashPassword, passwordMatches } from '#local/auth-flows';

const dataDir = () => mkdtempSync(join(tmpdir(), 'ucx-auth-'));
const routesOf = (dir: string) => new Map(authFlowRoutes(dir));
const post = async (routes: ReturnType<typeof routesOf>, key: string, body: unknown) => {
  const res = await routes.get(key)!({} as IncomingMessage, Buffer.from(JSON.stringify(body)), {});
  return { status: res.statusCode, json: JSON.parse(res.body.toString()) };
};
const lastCode = async (routes: ReturnType<typeof routesOf>) => {
  const res = await routes.get('GET /local/outbox')!({} as IncomingMessage, Buffer.alloc(0), {});
  return (JSON.parse(res.body.toString()) as { messages: { code: string }[] }).messages[0]!.code;
};

describe('local auth flows', () => {
  it('hashes passwords with scrypt and a salt of their own', () => {
    const a = hashPassword('correct horse 42');

    expect(a).toMatch(/^scrypt\$/);
    expect(a).not.toBe(hashPassword('correct horse 42'));
    expect(passwordMatches('correct horse 42', a)).toBe(true);
    expect(passwordMatches('wrong horse 42', a)).toBe(false);
  });

  it('signs up, refuses sign-in until the e-mailed code is entered, then issues a token', async () => {
    const routes = routesOf(dataDir());
    await post(routes, 'POST /local/auth/sign-up', { email: 'Ann@Example.com', password: 'correct horse 42' });

    const early = await post(routes, 'POST /local/auth/sign-in', {
      email: 'ann@example.com',
      password: 'correct horse 42',
    });
    const wrongCode = await post(routes, 'POST /local/auth/verify', {
      email: 'ann@example.com',
      code: '000000' === (await lastCode(routes)) ? '111111' : '000000',
    });
    const verified = await post(routes, 'POST /local/auth/verify', {
      email: 'ann@example.com',
      code: await lastCode(routes),
    });
    const signedIn = await post(routes, 'POST /local/auth/sign-in', {
      email: 'ann@example.com',
      password: 'correct horse 42',
    });

    expect(early.status).toBe(403);
    expect(wrongCode).toMatchObject({ status: 400, json: { errors: [{ path: 'code' }] } });
    expect(verified.status).toBe(200);
    expect(signedIn.status).toBe(200);
    const claims = JSON.parse(Buffer.from(signedIn.json.token.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({
      'cognito:groups': ['customer'],
      token_use: 'id',
      iss: 'ucx-cloud-local',
      aud: 'ucx-portal',
    });
  });

  it('names the weak field of a sign-up and resets a password with a code', async () => {
    const routes = routesOf(dataDir());

    const weak = await post(routes, 'POST /local/auth/sign-up', { email: 'not-an-email', password: 'short' });
    await post(routes, 'POST /local/auth/sign-up', { email: 'bo@example.com', password: 'first pass 1' });
    await post(routes, 'POST /local/auth/forgot-password', { email: 'bo@example.com' });
    const reset = await post(routes, 'POST /local/auth/reset-password', {
      email: 'bo@example.com',
      code: await lastCode(routes),
      password: 'second pass 2',
    });
    const oldPassword = await post(routes, 'POST /local/auth/sign-in', {
      email: 'bo@example.com',
      password: 'first pass 1',
    });
    const newPassword = await post(routes, 'POST /local/auth/sign-in', {
      email: 'bo@example.com',
      password: 'second pass 2',
    });
    const unknown = await post(routes, 'POST /local/auth/forgot-password', { email: 'nobody@example.com' });

    expect(weak.status).toBe(400);
    expect([...new Set(weak.json.errors.map((e: { path: string }) => e.path))].sort()).toEqual(['email', 'password']);
    expect(reset.status).toBe(200);
    expect(oldPassword.status).toBe(401);
    expect(newPassword.status).toBe(200);
    expect(unknown.status).toBe(202);
  });
});

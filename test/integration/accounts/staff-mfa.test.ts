/**
 * Staff sign-in with a second factor, against the local identity provider (the same staff policy
 * as the cloud's Pre Token Generation trigger): a back-office user without TOTP reaches no
 * back-office or support route; after enrolling and signing in with a code it does; once removed
 * from its group or deleted, its token ends within the 5-minute window and refresh gives it back
 * nothing. On a cloud of this file's own: the test moves the clock.
 */
import { randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { apiRoutes } from '#lambdas/shared/api-routes';
import { api, call, perpetual } from '#test/support/licensing-api';
import { advanceClock, cloudNow, withOwnCloud } from '#test/support/local-cloud';

jest.setTimeout(180_000);

withOwnCloud();
const password = 'correct horse 42';

/** A verified user of the local identity provider, in `groups`, as the back office would set it up. */
async function staffUser(groups: string[]): Promise<string> {
  const email = `staff-${randomUUID()}@example.com`;
  expect((await call('POST', `${api()}/local/auth/sign-up`, { body: { email, password } })).status).toBe(201);
  const outbox = await call('GET', `${api()}/local/outbox`);
  const code = (outbox.json.messages as { to: string; code: string }[]).find((m) => m.to === email)!.code;
  expect((await call('POST', `${api()}/local/auth/verify`, { body: { email, code } })).status).toBe(200);
  expect((await call('POST', `${api()}/local/auth/users/link`, { body: { email, groups } })).status).toBe(200);
  return email;
}

const codeNow = (secret: string) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: cloudNow().getTime() });

const orderBody = () => ({
  account: { create: { name: 'Staff MFA test', region: 'eu' } },
  lines: [perpetual('attendant-console', 1)],
});

/** Every back-office and support route, with its placeholders filled and the body it takes where one is known. */
const staffRoutes = apiRoutes
  // the ops routes a machine may also call take a person's token through the Lambda authorizer
  .filter((r) => (r.auth === 'user' || r.auth === 'staff-or-machine') && /^\/v1\/(ops|support)(\/|$)/.test(r.path))
  .map((r) => ({
    ...r,
    url: r.path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'orderId' ? `mfa-${randomUUID()}` : `x-${name}`)),
    body: r.fn === 'putOrder' ? orderBody() : r.method === 'GET' || r.method === 'DELETE' ? undefined : {},
  }));

async function enrol(token: string): Promise<string> {
  const associated = await call('POST', `${api()}/local/auth/totp/associate`, { token, body: {} });
  expect(associated.status).toBe(200);
  const secret = associated.json.secretCode as string;
  const verified = await call('POST', `${api()}/local/auth/totp/verify`, { token, body: { code: codeNow(secret) } });
  expect(verified.status).toBe(200);
  return secret;
}

async function signInWithCode(email: string, secret: string) {
  const challenged = await call('POST', `${api()}/local/auth/sign-in`, { body: { email, password } });
  expect(challenged.json).toEqual({ challenge: 'SOFTWARE_TOKEN_MFA', session: expect.any(String) });
  // The code of the enrolment's step is spent; the next step's is fresh.
  await advanceClock({ seconds: 30 });
  const answered = await call('POST', `${api()}/local/auth/respond`, {
    body: { email, session: challenged.json.session, code: codeNow(secret) },
  });
  expect(answered.status).toBe(200);
  return answered.json as { token: string; refreshToken: string };
}

describe('staff sign-in with a second factor', () => {
  it('refuses every back-office and support route to a back-office user without TOTP, and serves it once enrolled', async () => {
    // Arrange
    const email = await staffUser(['backoffice']);
    const signedIn = await call('POST', `${api()}/local/auth/sign-in`, { body: { email, password } });
    const each = (token: string) =>
      Promise.all(
        staffRoutes.map(async (r) => (await call(r.method, `${api()}${r.url}`, { token, body: r.body })).status),
      );

    // Act
    const withoutTotp = await each(signedIn.json.token);
    const enrolled = await signInWithCode(email, await enrol(signedIn.json.token));
    const withTotp = await each(enrolled.token);

    // Assert
    expect(staffRoutes.map((r) => r.fn)).toEqual(expect.arrayContaining(['putOrder', 'listSupportInstallations']));
    const answers = staffRoutes.map((r, i) => ({
      route: `${r.method} ${r.path}`,
      withoutTotp: withoutTotp[i],
      withTotp: withTotp[i],
    }));
    // A request this test forms well (the enrolled user is not told 400) is refused as forbidden;
    // one it cannot form may be refused as invalid first. Never served.
    const refusedRightly = (a: (typeof answers)[number]) =>
      a.withoutTotp === 403 || (a.withTotp === 400 && a.withoutTotp === 400);
    expect(answers.filter((a) => !refusedRightly(a))).toEqual([]);
    expect(answers.filter((a) => a.withTotp !== 400 && a.withoutTotp === 403).length).toBeGreaterThanOrEqual(2);
    expect(answers.find((a) => a.route === 'PUT /v1/ops/orders/{orderId}')?.withTotp).toBe(201);
    expect(answers.find((a) => a.route === 'GET /v1/support/installations')?.withTotp).toBe(200);
  });

  it('ends the access of a user removed from its group, or deleted, at its next request after 5 minutes', async () => {
    // Arrange
    const email = await staffUser(['backoffice']);
    const first = await call('POST', `${api()}/local/auth/sign-in`, { body: { email, password } });
    const enrolled = await signInWithCode(email, await enrol(first.json.token));
    const before = await call('GET', `${api()}/v1/support/installations`, { token: enrolled.token });

    // Act
    await call('POST', `${api()}/local/auth/users/link`, { body: { email, groups: ['customer'] } });
    await advanceClock({ seconds: 5 * 60 + 1 });
    const oldToken = await call('GET', `${api()}/v1/support/installations`, { token: enrolled.token });
    const refreshed = await call('POST', `${api()}/local/auth/refresh`, {
      body: { refreshToken: enrolled.refreshToken },
    });
    const withRefreshed = await call('GET', `${api()}/v1/support/installations`, { token: refreshed.json.token });
    await call('POST', `${api()}/local/auth/users/delete`, { body: { email } });
    const afterDelete = await call('POST', `${api()}/local/auth/refresh`, {
      body: { refreshToken: enrolled.refreshToken },
    });

    // Assert
    expect(before.status).toBe(200);
    expect(oldToken.status).toBe(401);
    expect(refreshed.status).toBe(200);
    expect(withRefreshed.status).toBe(403);
    expect(afterDelete.status).toBe(401);
  });
});

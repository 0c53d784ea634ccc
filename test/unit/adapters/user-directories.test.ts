/**
 * The user directory adapters: Cognito's calls (mocked SDK standing in for the pool, which has no
 * local server), and the local one over the local auth store; both over an in-memory user index.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  UserNotFoundException,
  type UserStatusType,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { CognitoUserDirectory } from '#lambdas/adapters/cognito-user-directory';
import { LocalUserDirectory } from '#lambdas/adapters/local-user-directory';
import { userDirectoryFrom } from '#lambdas/shared/user-directory';
import { authFlowRoutes } from '#local/auth-flows';
import { MemoryUserIndex } from '#test/support/memory-user-directory';

const POOL = 'eu-central-1_Pool1';
const ACC = 'acc_abcdefgh12';
const notFound = () => new UserNotFoundException({ message: 'User does not exist.', $metadata: {} });
const cognitoUser = (sub: string, status: UserStatusType, attributes: Record<string, string> = {}) => ({
  Username: sub,
  UserStatus: status,
  UserAttributes: [
    { Name: 'sub', Value: sub },
    { Name: 'email', Value: `${sub}@example.com` },
    ...Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
  ],
  UserCreateDate: new Date('2026-03-02T09:00:00Z'),
});

describe('CognitoUserDirectory', () => {
  const cognito = mockClient(CognitoIdentityProviderClient);
  let index: MemoryUserIndex;
  const directory = () =>
    new CognitoUserDirectory(new CognitoIdentityProviderClient({ region: 'eu-central-1' }), POOL, index);
  beforeEach(() => {
    cognito.reset();
    index = new MemoryUserIndex();
  });

  it('invites a new address with AdminCreateUser (custom:accountId), group customer and an index item', async () => {
    cognito.on(AdminGetUserCommand).rejects(notFound());
    cognito.on(AdminCreateUserCommand).resolves({
      User: {
        Username: 'sub-1',
        UserStatus: 'FORCE_CHANGE_PASSWORD',
        Attributes: [{ Name: 'sub', Value: 'sub-1' }],
        UserCreateDate: new Date('2026-03-02T09:00:00Z'),
      },
    });
    cognito.on(AdminAddUserToGroupCommand).resolves({});

    const outcome = await directory().invite(ACC, 'ann@example.com');

    const user = {
      userId: 'sub-1',
      email: 'ann@example.com',
      status: 'invited',
      createdAt: '2026-03-02T09:00:00.000Z',
    };
    expect(outcome).toEqual({ invited: true, user });
    expect(cognito.commandCalls(AdminCreateUserCommand)[0]?.args[0].input).toEqual({
      UserPoolId: POOL,
      Username: 'ann@example.com',
      UserAttributes: [
        { Name: 'email', Value: 'ann@example.com' },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'custom:accountId', Value: ACC },
      ],
      DesiredDeliveryMediums: ['EMAIL'],
    });
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)[0]?.args[0].input).toEqual({
      UserPoolId: POOL,
      Username: 'sub-1',
      GroupName: 'customer',
    });
    expect(await index.get(ACC, 'sub-1')).toMatchObject({ ...user, accountId: ACC, username: 'sub-1', role: 'admin' });
  });

  it('deletes an UNCONFIRMED self-sign-up of the address, then invites (the invitation wins)', async () => {
    cognito.on(AdminGetUserCommand).resolvesOnce(cognitoUser('squatter', 'UNCONFIRMED')).rejects(notFound());
    cognito.on(AdminDeleteUserCommand).resolves({});
    cognito.on(AdminCreateUserCommand).resolves({ User: { Username: 'sub-2', UserStatus: 'FORCE_CHANGE_PASSWORD' } });
    cognito.on(AdminAddUserToGroupCommand).resolves({});

    const outcome = await directory().invite(ACC, 'ann@example.com');

    expect(outcome).toMatchObject({ invited: true, user: { userId: 'sub-2', status: 'invited' } });
    expect(cognito.commandCalls(AdminDeleteUserCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: POOL, Username: 'squatter' },
    ]);
  });

  it('links a CONFIRMED user without an account and mails them; refuses a user of another account without any write', async () => {
    cognito.on(AdminGetUserCommand, { Username: 'ann@example.com' }).resolves(cognitoUser('ann', 'CONFIRMED'));
    cognito
      .on(AdminGetUserCommand, { Username: 'bob@example.com' })
      .resolves(cognitoUser('bob', 'CONFIRMED', { 'custom:accountId': 'acc_other0000' }));
    cognito.on(AdminListGroupsForUserCommand).resolves({ Groups: [] });
    cognito.on(AdminUpdateUserAttributesCommand).resolves({});
    cognito.on(AdminAddUserToGroupCommand).resolves({});

    const mails: { to: string; subject: string }[] = [];
    const mailing = new CognitoUserDirectory(
      new CognitoIdentityProviderClient({ region: 'eu-central-1' }),
      POOL,
      index,
      {
        send: async ({ to, subject }) => void mails.push({ to, subject }),
      },
    );

    const linked = await mailing.invite(ACC, 'ann@example.com');
    const refused = await mailing.invite(ACC, 'bob@example.com');

    expect(linked).toMatchObject({ invited: true, user: { userId: 'ann', status: 'active' } });
    expect(cognito.commandCalls(AdminUpdateUserAttributesCommand).map((c) => c.args[0].input.Username)).toEqual([
      'ann',
    ]);
    expect(mails).toEqual([{ to: 'ann@example.com', subject: 'You were added to a Smart Account on UCX Cloud' }]);
    expect(refused).toEqual({ invited: false, reason: 'user-of-another-account' });
    expect(cognito.commandCalls(AdminCreateUserCommand)).toHaveLength(0);
  });

  it('repairs a half-done invitation (created, group failed) by the retry, with the same answer', async () => {
    cognito
      .on(AdminGetUserCommand)
      .rejectsOnce(notFound())
      .resolves(cognitoUser('sub-1', 'FORCE_CHANGE_PASSWORD', { 'custom:accountId': ACC }));
    cognito.on(AdminCreateUserCommand).resolves({
      User: {
        Username: 'sub-1',
        UserStatus: 'FORCE_CHANGE_PASSWORD',
        UserCreateDate: new Date('2026-03-02T09:00:00Z'),
      },
    });
    cognito
      .on(AdminAddUserToGroupCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }))
      .resolves({});

    await expect(directory().invite(ACC, 'sub-1@example.com')).rejects.toThrow('Rate exceeded');
    expect(await index.listByAccount(ACC)).toEqual([]);
    const retry = await directory().invite(ACC, 'sub-1@example.com');

    expect(retry).toEqual({
      invited: true,
      user: { userId: 'sub-1', email: 'sub-1@example.com', status: 'invited', createdAt: '2026-03-02T09:00:00.000Z' },
    });
    expect(cognito.commandCalls(AdminCreateUserCommand)).toHaveLength(1);
    expect(await index.listByAccount(ACC)).toHaveLength(1);
  });

  it('lists from one index query, asking Cognito only about the still-invited; never ListUsers', async () => {
    await index.put({
      accountId: ACC,
      userId: 'a',
      username: 'a',
      email: 'a@example.com',
      status: 'active',
      role: 'admin',
    });
    await index.put({
      accountId: ACC,
      userId: 'c',
      username: 'c',
      email: 'c@example.com',
      status: 'invited',
      role: 'admin',
    });
    cognito
      .on(AdminGetUserCommand, { Username: 'c' })
      .resolves(cognitoUser('c', 'CONFIRMED', { 'custom:accountId': ACC }));

    const users = await directory().list(ACC);

    expect(users).toEqual([
      { userId: 'a', email: 'a@example.com', status: 'active' },
      { userId: 'c', email: 'c@example.com', status: 'active' },
    ]);
    expect(index.queries).toBe(1);
    expect(cognito.commandCalls(ListUsersCommand)).toHaveLength(0);
    expect(cognito.commandCalls(AdminGetUserCommand)).toHaveLength(1);
    expect((await index.get(ACC, 'c'))?.status).toBe('active');
  });

  it('removes a user of the account found in the index, not one of another account', async () => {
    await index.put({
      accountId: ACC,
      userId: 'sub-1',
      username: 'sub-1',
      email: 'a@example.com',
      status: 'active',
      role: 'admin',
    });
    cognito.on(AdminDeleteUserCommand).resolves({});

    expect(await directory().remove('acc_other0000', 'sub-1')).toBe(false);
    expect(await directory().remove(ACC, 'sub-1')).toBe(true);
    expect(cognito.commandCalls(AdminDeleteUserCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: POOL, Username: 'sub-1' },
    ]);
    expect(await index.listByAccount(ACC)).toEqual([]);
    expect(cognito.commandCalls(ListUsersCommand)).toHaveLength(0);
  });
});

describe('LocalUserDirectory', () => {
  const post = (dataDir: string) => {
    const routes = new Map(authFlowRoutes(dataDir));
    return async (key: string, body: unknown) => {
      const res = await routes.get(key)!({} as IncomingMessage, Buffer.from(JSON.stringify(body)), {});
      return { status: res.statusCode, json: JSON.parse(res.body.toString() || '{}') as Record<string, unknown> };
    };
  };
  const outbox = (dataDir: string) =>
    readFileSync(join(dataDir, 'auth', 'outbox.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { to: string; subject: string; code?: string });

  it('invites into the local auth store; the invited user chooses a password with the e-mailed code and signs in', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ucx-users-'));
    const index = new MemoryUserIndex();
    const directory = userDirectoryFrom(`local:${join(dataDir, 'auth', 'users.json')}`, index);
    expect(directory).toBeInstanceOf(LocalUserDirectory);

    const invited = await directory.invite(ACC, 'ann@example.com');
    if (!invited.invited) throw new Error('not invited');
    expect(invited.user).toMatchObject({ email: 'ann@example.com', status: 'invited' });
    expect(await directory.invite('acc_other0000', 'ann@example.com')).toEqual({
      invited: false,
      reason: 'user-of-another-account',
    });

    const call = post(dataDir);
    const reset = await call('POST /local/auth/reset-password', {
      email: 'ann@example.com',
      code: outbox(dataDir)[0]!.code,
      password: 'correct horse 42',
    });
    expect(reset.status).toBe(200);
    const signIn = await call('POST /local/auth/sign-in', { email: 'ann@example.com', password: 'correct horse 42' });
    expect(signIn.status).toBe(200);

    const token = signIn.json.token as string;
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: invited.user.userId, 'custom:accountId': ACC });
    expect(await directory.list(ACC)).toEqual([
      expect.objectContaining({ userId: invited.user.userId, status: 'active' }),
    ]);
    expect(await directory.remove('acc_other0000', invited.user.userId)).toBe(false);
    expect(await directory.remove(ACC, invited.user.userId)).toBe(true);
    expect(await directory.list(ACC)).toEqual([]);
  });

  it("replaces an unverified sign-up: the invitee signs in with the invitation's code, the squatter's password is void", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ucx-users-'));
    const directory = new LocalUserDirectory(join(dataDir, 'auth', 'users.json'), new MemoryUserIndex());
    const call = post(dataDir);
    expect(
      (await call('POST /local/auth/sign-up', { email: 'ceo@customer.example', password: 'squatter 123' })).status,
    ).toBe(201);

    const outcome = await directory.invite(ACC, 'ceo@customer.example');

    expect(outcome.invited).toBe(true);
    const invitation = outbox(dataDir).find((m) => m.subject === 'Your invitation to UCX Cloud')!;
    expect(
      (await call('POST /local/auth/sign-in', { email: 'ceo@customer.example', password: 'squatter 123' })).status,
    ).toBe(401);
    expect(
      (
        await call('POST /local/auth/reset-password', {
          email: 'ceo@customer.example',
          code: invitation.code,
          password: 'rightful 456',
        })
      ).status,
    ).toBe(200);
    expect(
      (await call('POST /local/auth/sign-in', { email: 'ceo@customer.example', password: 'rightful 456' })).status,
    ).toBe(200);
  });

  it('links a verified user without an account and mails them; completes a half-done invitation on retry', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ucx-users-'));
    const index = new MemoryUserIndex();
    const failing = Object.assign(Object.create(index) as MemoryUserIndex, {
      put: () => Promise.reject(new Error('DynamoDB unavailable')),
    });
    const call = post(dataDir);
    await call('POST /local/auth/sign-up', { email: 'confirmed@customer.example', password: 'verified 123' });
    const code = outbox(dataDir)[0]!.code;
    await call('POST /local/auth/verify', { email: 'confirmed@customer.example', code });
    const file = join(dataDir, 'auth', 'users.json');

    const linked = await new LocalUserDirectory(file, index).invite(ACC, 'confirmed@customer.example');
    await expect(new LocalUserDirectory(file, failing).invite(ACC, 'new@customer.example')).rejects.toThrow('DynamoDB');
    const retried = await new LocalUserDirectory(file, index).invite(ACC, 'new@customer.example');

    expect(linked).toMatchObject({ invited: true, user: { status: 'active' } });
    expect(outbox(dataDir).map((m) => m.subject)).toEqual([
      'Your UCX Cloud verification code',
      'You were added to a Smart Account on UCX Cloud',
      'Your invitation to UCX Cloud',
    ]);
    expect(retried).toMatchObject({ invited: true, user: { email: 'new@customer.example', status: 'invited' } });
    expect((await index.listByAccount(ACC)).map((u) => u.email).sort()).toEqual([
      'confirmed@customer.example',
      'new@customer.example',
    ]);
  });

  it('refuses a directory reference it does not know', () => {
    expect(() => userDirectoryFrom('ldap:x', new MemoryUserIndex())).toThrow(/USER_DIRECTORY/);
  });
});

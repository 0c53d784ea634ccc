/** The user directory adapters: Cognito's calls (mocked SDK), and the local one over the local auth store. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { CognitoUserDirectory } from '#lambdas/adapters/cognito-user-directory';
import { LocalUserDirectory } from '#lambdas/adapters/local-user-directory';
import { ConflictError } from '#lambdas/core/errors';
import { userDirectoryFrom } from '#lambdas/shared/user-directory';
import { authFlowRoutes } from '#local/auth-flows';

const POOL = 'eu-central-1_Pool1';

describe('CognitoUserDirectory', () => {
  const cognito = mockClient(CognitoIdentityProviderClient);
  const directory = () => new CognitoUserDirectory(new CognitoIdentityProviderClient({ region: 'eu-central-1' }), POOL);
  beforeEach(() => cognito.reset());

  it('invites with AdminCreateUser (e-mail, custom:accountId) and adds the user to group customer', async () => {
    cognito.on(AdminCreateUserCommand).resolves({
      User: {
        Username: 'sub-1',
        UserStatus: 'FORCE_CHANGE_PASSWORD',
        Attributes: [
          { Name: 'sub', Value: 'sub-1' },
          { Name: 'email', Value: 'ann@example.com' },
        ],
        UserCreateDate: new Date('2026-03-02T09:00:00Z'),
      },
    });
    cognito.on(AdminAddUserToGroupCommand).resolves({});

    const user = await directory().invite('acc_abcdefgh12', 'ann@example.com');

    expect(user).toEqual({
      userId: 'sub-1',
      email: 'ann@example.com',
      status: 'invited',
      createdAt: '2026-03-02T09:00:00.000Z',
    });
    expect(cognito.commandCalls(AdminCreateUserCommand)[0]?.args[0].input).toEqual({
      UserPoolId: POOL,
      Username: 'ann@example.com',
      UserAttributes: [
        { Name: 'email', Value: 'ann@example.com' },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'custom:accountId', Value: 'acc_abcdefgh12' },
      ],
      DesiredDeliveryMediums: ['EMAIL'],
    });
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)[0]?.args[0].input).toEqual({
      UserPoolId: POOL,
      Username: 'sub-1',
      GroupName: 'customer',
    });
  });

  it('answers Conflict when the e-mail already has a user', async () => {
    cognito.on(AdminCreateUserCommand).rejects(new UsernameExistsException({ message: 'exists', $metadata: {} }));

    await expect(directory().invite('acc_abcdefgh12', 'ann@example.com')).rejects.toBeInstanceOf(ConflictError);
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)).toHaveLength(0);
  });

  it("lists the account's users page by page (ListUsers cannot filter on a custom attribute)", async () => {
    const u = (sub: string, accountId: string, status: 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD' = 'CONFIRMED') => ({
      Username: sub,
      UserStatus: status,
      Attributes: [
        { Name: 'sub', Value: sub },
        { Name: 'email', Value: `${sub}@example.com` },
        { Name: 'custom:accountId', Value: accountId },
      ],
    });
    cognito
      .on(ListUsersCommand)
      .resolvesOnce({ Users: [u('a', 'acc_mine00000'), u('b', 'acc_other0000')], PaginationToken: 'next' })
      .resolvesOnce({ Users: [u('c', 'acc_mine00000', 'FORCE_CHANGE_PASSWORD')] });

    const users = await directory().list('acc_mine00000');

    expect(users).toEqual([
      { userId: 'a', email: 'a@example.com', status: 'active' },
      { userId: 'c', email: 'c@example.com', status: 'invited' },
    ]);
    expect(cognito.commandCalls(ListUsersCommand).map((c) => c.args[0].input.PaginationToken)).toEqual([
      undefined,
      'next',
    ]);
  });

  it('removes a user only when its custom:accountId is the account', async () => {
    cognito
      .on(ListUsersCommand, { Filter: 'sub = "sub-1"' })
      .resolves({ Users: [{ Username: 'sub-1', Attributes: [{ Name: 'custom:accountId', Value: 'acc_mine00000' }] }] });
    cognito
      .on(ListUsersCommand, { Filter: 'sub = "sub-2"' })
      .resolves({ Users: [{ Username: 'sub-2', Attributes: [{ Name: 'custom:accountId', Value: 'acc_other0000' }] }] });
    cognito.on(AdminDeleteUserCommand).resolves({});

    expect(await directory().remove('acc_mine00000', 'sub-2')).toBe(false);
    expect(await directory().remove('acc_mine00000', 'sub-1')).toBe(true);
    expect(cognito.commandCalls(AdminDeleteUserCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: POOL, Username: 'sub-1' },
    ]);
  });
});

describe('LocalUserDirectory', () => {
  it('invites into the local auth store; the invited user chooses a password with the e-mailed code and signs in', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ucx-users-'));
    const directory = userDirectoryFrom(`local:${join(dataDir, 'auth', 'users.json')}`);
    expect(directory).toBeInstanceOf(LocalUserDirectory);

    const invited = await directory.invite('acc_abcdefgh12', 'ann@example.com');
    expect(invited).toMatchObject({ email: 'ann@example.com', status: 'invited' });
    await expect(directory.invite('acc_other0000', 'ann@example.com')).rejects.toBeInstanceOf(ConflictError);

    const outbox = readFileSync(join(dataDir, 'auth', 'outbox.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { to: string; code: string });
    const routes = new Map(authFlowRoutes(dataDir));
    const post = async (key: string, body: unknown) =>
      routes.get(key)!({} as IncomingMessage, Buffer.from(JSON.stringify(body)), {});
    expect(
      (
        await post('POST /local/auth/reset-password', {
          email: 'ann@example.com',
          code: outbox[0]!.code,
          password: 'correct horse 42',
        })
      ).statusCode,
    ).toBe(200);
    const signIn = await post('POST /local/auth/sign-in', { email: 'ann@example.com', password: 'correct horse 42' });
    expect(signIn.statusCode).toBe(200);

    const token = (JSON.parse(signIn.body.toString()) as { token: string }).token;
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: invited.userId, 'custom:accountId': 'acc_abcdefgh12' });
    expect(await directory.list('acc_abcdefgh12')).toEqual([
      expect.objectContaining({ userId: invited.userId, status: 'active' }),
    ]);
    expect(await directory.remove('acc_other0000', invited.userId)).toBe(false);
    expect(await directory.remove('acc_abcdefgh12', invited.userId)).toBe(true);
    expect(await directory.list('acc_abcdefgh12')).toEqual([]);
  });

  it('refuses a directory reference it does not know', () => {
    expect(() => userDirectoryFrom('ldap:x')).toThrow(/USER_DIRECTORY/);
  });
});

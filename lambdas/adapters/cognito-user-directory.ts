/**
 * The user directory on the region's Cognito user pool. Invitations are AdminCreateUser (Cognito
 * e-mails a temporary password; the portal asks for a new one at first sign-in) with
 * `custom:accountId`, then group `customer`. Cognito's ListUsers filter cannot name a custom
 * attribute, so listing pages through the pool reading only `email` and `custom:accountId` and keeps
 * the account's users: fine for thousands of users; beyond that, a group per account would list in
 * one call. The function's role may call only AdminCreateUser, AdminAddUserToGroup, ListUsers and
 * AdminDeleteUser, on this pool only.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  type AdminCreateUserCommandOutput,
  AdminDeleteUserCommand,
  type CognitoIdentityProviderClient,
  ListUsersCommand,
  UsernameExistsException,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { ConflictError } from '../core/errors';
import type { AccountUser, UserDirectory } from '../core/accounts/users';

const attr = (user: Pick<UserType, 'Attributes'>, name: string) => user.Attributes?.find((a) => a.Name === name)?.Value;

const toAccountUser = (user: UserType): AccountUser => ({
  userId: attr(user, 'sub') ?? user.Username ?? '',
  email: attr(user, 'email') ?? '',
  status: user.UserStatus === 'FORCE_CHANGE_PASSWORD' ? 'invited' : 'active',
  ...(user.UserCreateDate && { createdAt: user.UserCreateDate.toISOString() }),
});

export class CognitoUserDirectory implements UserDirectory {
  constructor(
    private readonly client: Pick<CognitoIdentityProviderClient, 'send'>,
    private readonly userPoolId: string,
  ) {}

  async invite(accountId: string, email: string): Promise<AccountUser> {
    let created: AdminCreateUserCommandOutput;
    try {
      created = await this.client.send(
        new AdminCreateUserCommand({
          UserPoolId: this.userPoolId,
          Username: email,
          UserAttributes: [
            { Name: 'email', Value: email },
            // The invitation reaches this address, so it is verified by accepting it.
            { Name: 'email_verified', Value: 'true' },
            { Name: 'custom:accountId', Value: accountId },
          ],
          DesiredDeliveryMediums: ['EMAIL'],
        }),
      );
    } catch (error) {
      if (error instanceof UsernameExistsException || (error as { name?: string }).name === 'UsernameExistsException') {
        throw new ConflictError(`${email} already has a UCX Cloud user.`);
      }
      throw error;
    }
    const user = created.User ?? {};
    await this.client.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: this.userPoolId,
        Username: user.Username ?? email,
        GroupName: 'customer',
      }),
    );
    return toAccountUser(user);
  }

  async list(accountId: string): Promise<AccountUser[]> {
    const users: AccountUser[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListUsersCommand({
          UserPoolId: this.userPoolId,
          AttributesToGet: ['sub', 'email', 'custom:accountId'],
          Limit: 60,
          PaginationToken: token,
        }),
      );
      for (const user of page.Users ?? [])
        if (attr(user, 'custom:accountId') === accountId) users.push(toAccountUser(user));
      token = page.PaginationToken;
    } while (token);
    return users;
  }

  async remove(accountId: string, userId: string): Promise<boolean> {
    // `sub` is one of the standard attributes ListUsers can filter on; userId is validated ([A-Za-z0-9-]).
    const page = await this.client.send(
      new ListUsersCommand({ UserPoolId: this.userPoolId, Filter: `sub = "${userId}"`, Limit: 1 }),
    );
    const user = page.Users?.[0];
    if (!user?.Username || attr(user, 'custom:accountId') !== accountId) return false;
    await this.client.send(new AdminDeleteUserCommand({ UserPoolId: this.userPoolId, Username: user.Username }));
    return true;
  }
}

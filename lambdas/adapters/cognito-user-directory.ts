/**
 * The user directory on the region's Cognito user pool, with the user index (licensing table)
 * beside it. Inviting looks the address up first (AdminGetUser) and decides (docs/accounts.md):
 * no user → AdminCreateUser (Cognito e-mails a temporary password) with `custom:accountId`;
 * an UNCONFIRMED self-sign-up → deleted, then created as an invitation (its password is void);
 * a confirmed user without an account → linked; a user of this account → its group and index
 * item are completed (a half-done invitation's retry); anyone else → not invited. Listing is one
 * query of the index (AdminGetUser only for the still-invited, to see who accepted); no ListUsers.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  type AdminGetUserCommandOutput,
  AdminListGroupsForUserCommand,
  AdminUpdateUserAttributesCommand,
  type AttributeType,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Mailer } from '../core/accounts/terms';
import type { AccountUser, DirectoryPerson, InviteOutcome, UserDirectory } from '../core/accounts/users';
import type { IndexedUser, UserIndex } from '../core/accounts/user-index';
import { hasErrorName } from './aws-errors';

const attr = (attributes: AttributeType[] | undefined, name: string) => attributes?.find((a) => a.Name === name)?.Value;

/** The roles that are not an account's customer: their users are never invited into one. */
const otherRoles = ['backoffice', 'support', 'reseller'];

interface FoundUser {
  readonly username: string;
  readonly userId: string;
  readonly email: string;
  readonly status: string;
  readonly accountId?: string;
  readonly resellerId?: string;
  readonly createdAt?: string;
}

const found = (out: AdminGetUserCommandOutput): FoundUser => {
  const accountId = attr(out.UserAttributes, 'custom:accountId');
  const resellerId = attr(out.UserAttributes, 'custom:resellerId');
  return {
    username: out.Username ?? '',
    userId: attr(out.UserAttributes, 'sub') ?? out.Username ?? '',
    email: attr(out.UserAttributes, 'email') ?? '',
    status: out.UserStatus ?? 'UNKNOWN',
    ...(accountId && { accountId }),
    ...(resellerId && { resellerId }),
    ...(out.UserCreateDate && { createdAt: out.UserCreateDate.toISOString() }),
  };
};

const accountUserOf = (u: IndexedUser): AccountUser => ({
  userId: u.userId,
  email: u.email,
  status: u.status,
  ...(u.createdAt && { createdAt: u.createdAt }),
});

export class CognitoUserDirectory implements UserDirectory {
  constructor(
    private readonly client: Pick<CognitoIdentityProviderClient, 'send'>,
    private readonly userPoolId: string,
    private readonly index: UserIndex,
    /** tells a confirmed user they were added to an account (Cognito mails only its own messages) */
    private readonly mailer?: Mailer,
  ) {}

  private async lookUp(username: string): Promise<FoundUser | null> {
    try {
      return found(
        await this.client.send(new AdminGetUserCommand({ UserPoolId: this.userPoolId, Username: username })),
      );
    } catch (error) {
      if (hasErrorName(error, 'UserNotFoundException')) return null;
      throw error;
    }
  }

  private async groupsOf(username: string): Promise<string[]> {
    const out = await this.client.send(
      new AdminListGroupsForUserCommand({ UserPoolId: this.userPoolId, Username: username }),
    );
    return (out.Groups ?? []).map((g) => g.GroupName ?? '');
  }

  /** group `customer` and the index item: both idempotent, so a retry completes what a failure left */
  private async complete(accountId: string, user: FoundUser, status: AccountUser['status']): Promise<AccountUser> {
    await this.client.send(
      new AdminAddUserToGroupCommand({ UserPoolId: this.userPoolId, Username: user.username, GroupName: 'customer' }),
    );
    const indexed: IndexedUser = {
      accountId,
      userId: user.userId,
      username: user.username,
      email: user.email,
      status,
      role: 'admin',
      ...(user.createdAt && { createdAt: user.createdAt }),
    };
    await this.index.put(indexed);
    return accountUserOf(indexed);
  }

  private async create(accountId: string, email: string): Promise<FoundUser | null> {
    try {
      const created = await this.client.send(
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
      const user = created.User ?? {};
      return {
        username: user.Username ?? email,
        userId: attr(user.Attributes, 'sub') ?? user.Username ?? email,
        email,
        status: user.UserStatus ?? 'FORCE_CHANGE_PASSWORD',
        accountId,
        ...(user.UserCreateDate && { createdAt: user.UserCreateDate.toISOString() }),
      };
    } catch (error) {
      // Someone signed up with the address meanwhile: decide again from what is there now.
      if (hasErrorName(error, 'UsernameExistsException')) return null;
      throw error;
    }
  }

  async invite(accountId: string, email: string): Promise<InviteOutcome> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const existing = await this.lookUp(email);
      if (!existing) {
        const created = await this.create(accountId, email);
        if (created) return { invited: true, user: await this.complete(accountId, created, 'invited') };
        continue;
      }
      if (existing.accountId === accountId) {
        const status = existing.status === 'FORCE_CHANGE_PASSWORD' ? 'invited' : 'active';
        return { invited: true, user: await this.complete(accountId, existing, status) };
      }
      if (existing.accountId) return { invited: false, reason: 'user-of-another-account' };
      if (existing.resellerId) return { invited: false, reason: 'user-with-another-role' };
      if (existing.status === 'UNCONFIRMED') {
        // A self-sign-up nobody verified: the invitation wins and its password is void.
        await this.client.send(
          new AdminDeleteUserCommand({ UserPoolId: this.userPoolId, Username: existing.username }),
        );
        continue;
      }
      if ((await this.groupsOf(existing.username)).some((g) => otherRoles.includes(g)))
        return { invited: false, reason: 'user-with-another-role' };
      // A confirmed user without an account proved the address: linked, and told.
      await this.client.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: this.userPoolId,
          Username: existing.username,
          UserAttributes: [{ Name: 'custom:accountId', Value: accountId }],
        }),
      );
      const user = await this.complete(accountId, { ...existing, accountId }, 'active');
      await this.mailer?.send({
        to: existing.email,
        subject: 'You were added to a Smart Account on UCX Cloud',
        text: `You are now an administrator of Smart Account ${accountId}. Sign in with your password to see it.`,
      });
      return { invited: true, user };
    }
    throw new Error(`invite: ${email} kept changing while it was invited`);
  }

  async list(accountId: string): Promise<AccountUser[]> {
    const users = await this.index.listByAccount(accountId);
    return Promise.all(
      users.map(async (u) => {
        if (u.status !== 'invited') return accountUserOf(u);
        // Who accepted since: Cognito knows (the index is told only by our own writes).
        const now = await this.lookUp(u.username);
        if (!now || now.status === 'FORCE_CHANGE_PASSWORD') return accountUserOf(u);
        const active: IndexedUser = { ...u, status: 'active' };
        await this.index.put(active);
        return accountUserOf(active);
      }),
    );
  }

  async remove(accountId: string, userId: string): Promise<boolean> {
    const user = await this.index.get(accountId, userId);
    if (!user) return false;
    try {
      await this.client.send(new AdminDeleteUserCommand({ UserPoolId: this.userPoolId, Username: user.username }));
    } catch (error) {
      if (!hasErrorName(error, 'UserNotFoundException')) throw error;
    }
    await this.index.delete(accountId, userId);
    return true;
  }

  async person(userId: string): Promise<DirectoryPerson | null> {
    const user = await this.lookUp(userId);
    if (!user) return null;
    return {
      userId: user.userId,
      email: user.email,
      ...(user.accountId && { accountId: user.accountId }),
      ...(user.resellerId && { resellerId: user.resellerId }),
      groups: await this.groupsOf(user.username),
    };
  }

  async linkAdministrator(accountId: string, userId: string): Promise<AccountUser> {
    const user = await this.lookUp(userId);
    if (!user) throw new Error(`linkAdministrator: no user ${userId}`);
    await this.client.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: this.userPoolId,
        Username: user.username,
        UserAttributes: [{ Name: 'custom:accountId', Value: accountId }],
      }),
    );
    return this.complete(accountId, { ...user, accountId }, 'active');
  }

  async linkReseller(userId: string, resellerId: string): Promise<boolean> {
    const user = await this.lookUp(userId);
    if (!user) return false;
    await this.client.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: this.userPoolId,
        Username: user.username,
        UserAttributes: [{ Name: 'custom:resellerId', Value: resellerId }],
      }),
    );
    await this.client.send(
      new AdminAddUserToGroupCommand({ UserPoolId: this.userPoolId, Username: user.username, GroupName: 'reseller' }),
    );
    return true;
  }
}

/**
 * The people of a Smart Account: its administrators invite colleagues and remove them; a reseller
 * does it for its customers, the back office for any account. Who they are (e-mail, status) lives
 * only in the user directory (Cognito in the cloud, the local auth store locally), never in the
 * licensing table: the directory is where personal data is kept, and deleted.
 */
import * as z from 'zod';
import { ConflictError, NotFoundError } from '../errors';
import { assertAccountAccess, assertMayAddressAccount, type Principal } from '../licensing/access';
import { accountIdSchema } from '../licensing/ids';
import type { LicensingRepository } from '../licensing/repository';

export interface AccountUser {
  /** the directory's subject id (the `sub` of the user's tokens) */
  readonly userId: string;
  readonly email: string;
  /** invited: has not signed in and set a password yet */
  readonly status: 'invited' | 'active';
  readonly createdAt?: string;
}

/** The user directory, as the account pages need it. Every user it creates is a `customer` of one account. */
export interface UserDirectory {
  /** creates the user in group `customer`, linked to the account, and sends the invitation; ConflictError if the e-mail has a user */
  invite(accountId: string, email: string): Promise<AccountUser>;
  /** the account's users */
  list(accountId: string): Promise<AccountUser[]>;
  /** deletes the user if it belongs to the account; false if there is no such user of the account */
  remove(accountId: string, userId: string): Promise<boolean>;
}

export const userIdSchema = z.string().regex(/^[A-Za-z0-9-]{1,128}$/, 'not a user id');
export const inviteBodySchema = z
  .object({ email: z.string().trim().toLowerCase().email('enter an e-mail address like name@example.com').max(254) })
  .strict();
export type InviteBody = z.infer<typeof inviteBodySchema>;
export const accountUsersParamsSchema = z.object({ accountId: accountIdSchema });
export const accountUserParamsSchema = z.object({ accountId: accountIdSchema, userId: userIdSchema });

export interface AccountUsersDeps {
  readonly repo: Pick<LicensingRepository, 'getAccountState'>;
  readonly directory: UserDirectory;
}

/** Customer of the account, its reseller, or back office; support only reads. */
async function authorise(
  deps: AccountUsersDeps,
  principal: Principal,
  accountId: string,
  access: 'read' | 'manage',
): Promise<void> {
  assertMayAddressAccount(principal, accountId);
  const state = await deps.repo.getAccountState(accountId);
  assertAccountAccess(principal, state?.account, access);
  if (!state) throw new NotFoundError(`Account ${accountId} does not exist.`);
}

export async function listAccountUsers(
  deps: AccountUsersDeps,
  principal: Principal,
  accountId: string,
): Promise<{ users: AccountUser[] }> {
  await authorise(deps, principal, accountId, 'read');
  const users = await deps.directory.list(accountId);
  return { users: [...users].sort((a, b) => a.email.localeCompare(b.email)) };
}

export async function inviteAccountUser(
  deps: AccountUsersDeps,
  principal: Principal,
  accountId: string,
  body: InviteBody,
): Promise<AccountUser> {
  await authorise(deps, principal, accountId, 'manage');
  return deps.directory.invite(accountId, body.email);
}

export async function removeAccountUser(
  deps: AccountUsersDeps,
  principal: Principal,
  accountId: string,
  userId: string,
): Promise<void> {
  await authorise(deps, principal, accountId, 'manage');
  // An administrator cannot lock itself out; a colleague or the reseller removes it.
  if (principal.sub === userId)
    throw new ConflictError('You cannot remove yourself; ask a colleague or your reseller.');
  if (!(await deps.directory.remove(accountId, userId)))
    throw new NotFoundError(`Account ${accountId} has no user ${userId}.`);
}

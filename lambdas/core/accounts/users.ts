/**
 * The people of a Smart Account: its administrators invite colleagues and remove them; a reseller
 * does it for its customers, the back office for any account. The directory (Cognito in the cloud,
 * the local auth store locally) holds who may sign in; the user index (user-index.ts) lists an
 * account's users in one query (docs/accounts.md).
 */
import * as z from 'zod/mini';
import { ConflictError, NotFoundError } from '../errors';
import { assertAccountAccess, assertMayAddressAccount, type Principal } from '../licensing/access';
import { accountIdSchema } from '../licensing/ids';
import type { AuditEvent } from '../licensing/model';
import type { LicensingRepository } from '../licensing/repository';
import type { Clock, IdGenerator } from '../ports';

export interface AccountUser {
  /** the directory's subject id (the `sub` of the user's tokens) */
  readonly userId: string;
  readonly email: string;
  /** invited: has not signed in and set a password yet */
  readonly status: 'invited' | 'active';
  readonly createdAt?: string;
}

/** Why an invitation was not sent: the answer never claims one that was not. */
export type NotInvitedReason =
  /** the address belongs to a user of another Smart Account */
  | 'user-of-another-account'
  /** the address belongs to a reseller or staff user */
  | 'user-with-another-role';

/**
 * What an invitation did. `invited`: the address now belongs to a user of the account, told by
 * mail (a new user, one that replaced an unconfirmed self-sign-up, a confirmed user without an
 * account now linked, or a half-done earlier invitation completed: the same answer each time).
 */
export type InviteOutcome =
  | { readonly invited: true; readonly user: AccountUser }
  | { readonly invited: false; readonly reason: NotInvitedReason };

/** A signed-in person as the directory knows them (the sign-up and reseller routes). */
export interface DirectoryPerson {
  readonly userId: string;
  readonly email: string;
  readonly accountId?: string;
  readonly resellerId?: string;
  readonly groups: readonly string[];
}

/** The user directory, as the account pages need it. Every user it creates is a `customer` of one account. */
export interface UserDirectory {
  /**
   * Makes the address a `customer` of the account and sends the invitation. An unconfirmed
   * self-sign-up of the address is replaced (the invitation wins); a confirmed user with no
   * account is linked and told; a retry completes a half-done invitation (idempotent).
   */
  invite(accountId: string, email: string): Promise<InviteOutcome>;
  /** the account's users: one query of the user index, never a scan of the directory */
  list(accountId: string): Promise<AccountUser[]>;
  /** deletes the user if it belongs to the account; false if there is no such user of the account */
  remove(accountId: string, userId: string): Promise<boolean>;
  /** the person behind a token, as the directory has them now (null: no such user) */
  person(userId: string): Promise<DirectoryPerson | null>;
  /** links a person to the account they created, as its administrator (group `customer`, indexed); idempotent */
  linkAdministrator(accountId: string, userId: string): Promise<AccountUser>;
  /** links a person to their approved reseller (group `reseller`, `custom:resellerId`); idempotent; false: no such user */
  linkReseller(userId: string, resellerId: string): Promise<boolean>;
}

export const userIdSchema = z.string().check(z.regex(/^[A-Za-z0-9-]{1,128}$/, 'not a user id'));
export const inviteBodySchema = z.strictObject({
  email: z
    .string()
    .check(z.trim(), z.toLowerCase(), z.email('enter an e-mail address like name@example.com'), z.maxLength(254)),
});
export type InviteBody = z.infer<typeof inviteBodySchema>;
export const accountUsersParamsSchema = z.object({ accountId: accountIdSchema });
export const accountUserParamsSchema = z.object({ accountId: accountIdSchema, userId: userIdSchema });

export interface AccountUsersDeps {
  readonly repo: Pick<LicensingRepository, 'getAccountState'>;
  readonly directory: UserDirectory;
  /** invitations and removals go to the account's audit trail (`user.invited`, `user.removed`) */
  readonly audit?: {
    readonly writer: { append(event: AuditEvent): Promise<void> };
    readonly clock: Clock;
    readonly ids: IdGenerator;
  };
}

/** One audit event of the account's people; the person's e-mail names them, as the portal shows it. */
async function auditPeople(
  deps: AccountUsersDeps,
  principal: Principal,
  accountId: string,
  action: 'user.invited' | 'user.removed',
  details: Record<string, unknown>,
): Promise<void> {
  if (!deps.audit) return;
  const { writer, clock, ids } = deps.audit;
  await writer.append({
    accountId,
    at: clock.now().toISOString(),
    eventId: ids.id('evt_'),
    actor: { kind: principal.role, id: principal.sub },
    action,
    details,
  });
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
  const outcome = await deps.directory.invite(accountId, body.email);
  if (!outcome.invited)
    throw new ConflictError(
      outcome.reason === 'user-of-another-account'
        ? `${body.email} is a user of another Smart Account; no invitation was sent.`
        : `${body.email} belongs to a user with another role; no invitation was sent.`,
      [{ path: 'email', message: 'already a user elsewhere; no invitation sent' }],
    );
  await auditPeople(deps, principal, accountId, 'user.invited', { userId: outcome.user.userId, email: body.email });
  return outcome.user;
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
  // the e-mail is read before the removal: the trail says whom, in words, after the index forgets them
  const removed = (await deps.directory.list(accountId)).find((u) => u.userId === userId);
  if (!(await deps.directory.remove(accountId, userId)))
    throw new NotFoundError(`Account ${accountId} has no user ${userId}.`);
  await auditPeople(deps, principal, accountId, 'user.removed', { userId, ...(removed && { email: removed.email }) });
}

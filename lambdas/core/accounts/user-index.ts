/**
 * The user-to-account index: one item per user of an account, so listing and removing an
 * account's users is one query or one read whatever the directory's size, and an administrator's
 * e-mail finds their accounts. Written by the directory adapters as they invite, link and remove.
 */
import type { AccountUser } from './users';

export interface IndexedUser extends AccountUser {
  readonly accountId: string;
  /** the directory's user name (Cognito's Username) the admin calls take */
  readonly username: string;
  readonly role: 'admin';
}

export interface UserIndex {
  /** writes (or overwrites) the user's item: idempotent */
  put(user: IndexedUser): Promise<void>;
  get(accountId: string, userId: string): Promise<IndexedUser | null>;
  /** the account's users: one Query */
  listByAccount(accountId: string): Promise<IndexedUser[]>;
  /** the accounts whose users have this e-mail (lower-case): one Query of the e-mail index */
  findByEmail(email: string): Promise<IndexedUser[]>;
  delete(accountId: string, userId: string): Promise<void>;
}

/** The accounts an e-mail address is a user of (the back office's search by administrator e-mail). */
export async function findAccountsByUserEmail(
  index: Pick<UserIndex, 'findByEmail'>,
  email: string,
): Promise<{ accountId: string; userId: string; status: AccountUser['status'] }[]> {
  const users = await index.findByEmail(email.trim().toLowerCase());
  return users.map((u) => ({ accountId: u.accountId, userId: u.userId, status: u.status }));
}

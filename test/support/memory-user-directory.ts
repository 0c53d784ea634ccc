/**
 * In-memory fakes of the user directory and its index, deciding invitations as the adapters do
 * (Cognito's statuses: UNCONFIRMED self-sign-ups, CONFIRMED users, FORCE_CHANGE_PASSWORD invitees).
 */
import type { IndexedUser, UserIndex } from '#lambdas/core/accounts/user-index';
import type { AccountUser, DirectoryPerson, InviteOutcome, UserDirectory } from '#lambdas/core/accounts/users';

export interface MemoryUser {
  userId: string;
  email: string;
  status: 'UNCONFIRMED' | 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD';
  groups: string[];
  accountId?: string;
  resellerId?: string;
  /** stands for the password: void once the user is replaced */
  password?: string;
}

export class MemoryUserIndex implements UserIndex {
  readonly items = new Map<string, IndexedUser>();
  queries = 0;
  private key = (accountId: string, userId: string) => `${accountId}/${userId}`;
  async put(user: IndexedUser): Promise<void> {
    this.items.set(this.key(user.accountId, user.userId), { ...user });
  }
  async get(accountId: string, userId: string): Promise<IndexedUser | null> {
    return this.items.get(this.key(accountId, userId)) ?? null;
  }
  async listByAccount(accountId: string): Promise<IndexedUser[]> {
    this.queries++;
    return [...this.items.values()].filter((u) => u.accountId === accountId);
  }
  async findByEmail(email: string): Promise<IndexedUser[]> {
    return [...this.items.values()].filter((u) => u.email === email);
  }
  async delete(accountId: string, userId: string): Promise<void> {
    this.items.delete(this.key(accountId, userId));
  }
}

export class MemoryUserDirectory implements UserDirectory {
  readonly users: MemoryUser[] = [];
  readonly mails: { to: string; subject: string }[] = [];
  private seq = 0;
  /** the next invitation stops after creating the user (before its group and index item) */
  failAfterCreate = false;

  constructor(readonly index: MemoryUserIndex = new MemoryUserIndex()) {}

  /** a person who signed up themselves (verified unless said otherwise) */
  signUp(email: string, status: MemoryUser['status'] = 'CONFIRMED', password = 'squatter-pw'): MemoryUser {
    const user: MemoryUser = { userId: `u-${++this.seq}`, email, status, groups: [], password };
    this.users.push(user);
    return user;
  }

  private async complete(accountId: string, user: MemoryUser): Promise<AccountUser> {
    if (!user.groups.includes('customer')) user.groups.push('customer');
    const status = user.status === 'FORCE_CHANGE_PASSWORD' ? 'invited' : 'active';
    await this.index.put({
      accountId,
      userId: user.userId,
      username: user.email,
      email: user.email,
      status,
      role: 'admin',
    });
    return { userId: user.userId, email: user.email, status };
  }

  async invite(accountId: string, email: string): Promise<InviteOutcome> {
    let existing = this.users.find((u) => u.email === email);
    if (existing?.accountId === accountId) return { invited: true, user: await this.complete(accountId, existing) };
    if (existing?.accountId) return { invited: false, reason: 'user-of-another-account' };
    if (existing && (existing.resellerId || existing.groups.some((g) => g !== 'customer')))
      return { invited: false, reason: 'user-with-another-role' };
    if (existing?.status === 'UNCONFIRMED') {
      this.users.splice(this.users.indexOf(existing), 1);
      existing = undefined;
    }
    if (existing) {
      existing.accountId = accountId;
      this.mails.push({ to: email, subject: 'added' });
      return { invited: true, user: await this.complete(accountId, existing) };
    }
    const user: MemoryUser = {
      userId: `u-${++this.seq}`,
      email,
      status: 'FORCE_CHANGE_PASSWORD',
      groups: [],
      accountId,
    };
    this.users.push(user);
    this.mails.push({ to: email, subject: 'invitation' });
    if (this.failAfterCreate) {
      this.failAfterCreate = false;
      throw new Error('AdminAddUserToGroup: service unavailable');
    }
    return { invited: true, user: await this.complete(accountId, user) };
  }

  async list(accountId: string): Promise<AccountUser[]> {
    return (await this.index.listByAccount(accountId)).map(({ userId, email, status }) => ({ userId, email, status }));
  }

  async remove(accountId: string, userId: string): Promise<boolean> {
    if (!(await this.index.get(accountId, userId))) return false;
    const i = this.users.findIndex((u) => u.userId === userId);
    if (i >= 0) this.users.splice(i, 1);
    await this.index.delete(accountId, userId);
    return true;
  }

  async person(userId: string): Promise<DirectoryPerson | null> {
    const u = this.users.find((x) => x.userId === userId);
    if (!u) return null;
    return {
      userId: u.userId,
      email: u.email,
      groups: [...u.groups],
      ...(u.accountId && { accountId: u.accountId }),
      ...(u.resellerId && { resellerId: u.resellerId }),
    };
  }

  async linkAdministrator(accountId: string, userId: string): Promise<AccountUser> {
    const u = this.users.find((x) => x.userId === userId);
    if (!u) throw new Error(`no user ${userId}`);
    u.accountId = accountId;
    return this.complete(accountId, u);
  }

  async linkReseller(userId: string, resellerId: string): Promise<boolean> {
    const u = this.users.find((x) => x.userId === userId);
    if (!u) return false;
    u.resellerId = resellerId;
    u.groups = ['reseller'];
    return true;
  }
}

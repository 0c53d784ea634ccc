/**
 * The user directory of the local cloud: the local auth store's `users.json` (local/auth-flows.ts
 * reads and writes the same file), selected by `USER_DIRECTORY=local:<dataDir>/auth/users.json`,
 * with the same user index as the cloud's. It decides an invitation as the Cognito adapter does: an
 * unverified self-sign-up (Cognito's UNCONFIRMED) is replaced, a verified user without an account
 * is linked and told by mail, a user of this account is completed, anyone else is not invited. An
 * invited user has no password yet; its invitation, in the local outbox beside the file, carries a
 * reset code with which it chooses one ("Forgot your password?" → "Reset password").
 */
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AccountUser, DirectoryPerson, InviteOutcome, UserDirectory } from '../core/accounts/users';
import type { IndexedUser, UserIndex } from '../core/accounts/user-index';

interface StoredUser {
  sub: string;
  email: string;
  passwordHash: string;
  verified: boolean;
  groups: string[];
  accountId?: string;
  resellerId?: string;
  createdAt?: string;
  pendingCode?: { hash: string; purpose: 'verify' | 'reset'; expiresAt: string; attempts: number };
}

/** As Cognito's temporary passwords: an invitation is valid for 7 days. */
const inviteTtlMs = 7 * 24 * 3600 * 1000;
const otherRoles = ['backoffice', 'support', 'reseller'];

export class LocalUserDirectory implements UserDirectory {
  constructor(
    private readonly file: string,
    private readonly index: UserIndex,
  ) {}

  private all(): StoredUser[] {
    return existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as StoredUser[]) : [];
  }

  private write(users: StoredUser[]): void {
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(`${this.file}.tmp`, JSON.stringify(users, null, 2));
    renameSync(`${this.file}.tmp`, this.file);
  }

  /** replaces the user of the same sub (other fields of the store, e.g. a TOTP secret, kept) */
  private save(user: StoredUser): void {
    this.write([...this.all().filter((u) => u.sub !== user.sub), user]);
  }

  private mail(to: string, subject: string, text: string, code?: string): void {
    appendFileSync(
      join(dirname(this.file), 'outbox.jsonl'),
      `${JSON.stringify({ at: new Date().toISOString(), to, subject, text, ...(code && { code }) })}\n`,
    );
  }

  private async complete(accountId: string, user: StoredUser): Promise<AccountUser> {
    const indexed: IndexedUser = {
      accountId,
      userId: user.sub,
      username: user.email,
      email: user.email,
      status: user.passwordHash ? 'active' : 'invited',
      role: 'admin',
      ...(user.createdAt && { createdAt: user.createdAt }),
    };
    await this.index.put(indexed);
    const { accountId: _a, username: _u, role: _r, ...accountUser } = indexed;
    return accountUser;
  }

  async invite(accountId: string, email: string): Promise<InviteOutcome> {
    const existing = this.all().find((u) => u.email === email);
    if (existing?.accountId === accountId) {
      const linked = existing.groups.includes('customer')
        ? existing
        : { ...existing, groups: [...existing.groups, 'customer'] };
      if (linked !== existing) this.save(linked);
      return { invited: true, user: await this.complete(accountId, linked) };
    }
    if (existing?.accountId) return { invited: false, reason: 'user-of-another-account' };
    if (existing && (existing.resellerId || existing.groups.some((g) => otherRoles.includes(g))))
      return { invited: false, reason: 'user-with-another-role' };
    if (existing?.verified) {
      // A verified user without an account proved the address: linked, and told.
      const linked: StoredUser = { ...existing, accountId, groups: ['customer'] };
      this.save(linked);
      this.mail(
        email,
        'You were added to a Smart Account on UCX Cloud',
        `You are now an administrator of Smart Account ${accountId}. Sign in with your password to see it.`,
      );
      return { invited: true, user: await this.complete(accountId, linked) };
    }
    // No user, or an unverified self-sign-up: the invitation wins and that password is void.
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const user: StoredUser = {
      sub: randomUUID(),
      email,
      passwordHash: '',
      verified: true,
      groups: ['customer'],
      accountId,
      createdAt: new Date().toISOString(),
      pendingCode: {
        hash: createHash('sha256').update(code).digest('hex'),
        purpose: 'reset',
        expiresAt: new Date(Date.now() + inviteTtlMs).toISOString(),
        attempts: 0,
      },
    };
    this.write([...this.all().filter((u) => u.email !== email), user]);
    this.mail(
      email,
      'Your invitation to UCX Cloud',
      `You are invited to UCX Cloud. Choose your password under "Forgot your password?" → "Reset password" with the code ${code} (valid for 7 days).`,
      code,
    );
    return { invited: true, user: await this.complete(accountId, user) };
  }

  async list(accountId: string): Promise<AccountUser[]> {
    const users = await this.index.listByAccount(accountId);
    const stored = this.all();
    return Promise.all(
      users.map(async ({ accountId: _a, username: _u, role: _r, ...u }) => {
        const now = stored.find((s) => s.sub === u.userId);
        if (u.status !== 'invited' || !now?.passwordHash) return u;
        await this.index.put({ ...u, accountId, username: now.email, role: 'admin', status: 'active' });
        return { ...u, status: 'active' as const };
      }),
    );
  }

  async remove(accountId: string, userId: string): Promise<boolean> {
    const indexed = await this.index.get(accountId, userId);
    if (!indexed) return false;
    this.write(this.all().filter((u) => !(u.sub === userId && u.accountId === accountId)));
    await this.index.delete(accountId, userId);
    return true;
  }

  async person(userId: string): Promise<DirectoryPerson | null> {
    const user = this.all().find((u) => u.sub === userId);
    if (!user) return null;
    return {
      userId: user.sub,
      email: user.email,
      ...(user.accountId && { accountId: user.accountId }),
      ...(user.resellerId && { resellerId: user.resellerId }),
      groups: user.groups,
    };
  }

  async linkAdministrator(accountId: string, userId: string): Promise<AccountUser> {
    const user = this.all().find((u) => u.sub === userId);
    if (!user) throw new Error(`linkAdministrator: no user ${userId}`);
    const linked: StoredUser = { ...user, accountId, groups: [...new Set([...user.groups, 'customer'])] };
    this.save(linked);
    return this.complete(accountId, linked);
  }

  async linkReseller(userId: string, resellerId: string): Promise<boolean> {
    const user = this.all().find((u) => u.sub === userId);
    if (!user) return false;
    this.save({ ...user, resellerId, groups: ['reseller'] });
    return true;
  }
}

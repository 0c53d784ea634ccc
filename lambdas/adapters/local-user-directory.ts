/**
 * The user directory of the local cloud: the local auth store's `users.json` (local/auth-flows.ts
 * reads and writes the same file), selected by `USER_DIRECTORY=local:<dataDir>/auth/users.json`.
 * An invited user has no password yet; its invitation, in the local outbox beside the file, carries
 * a reset code with which it chooses one ("Forgot your password?" → "Reset password").
 */
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConflictError } from '../core/errors';
import type { AccountUser, UserDirectory } from '../core/accounts/users';

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

const toAccountUser = (u: StoredUser): AccountUser => ({
  userId: u.sub,
  email: u.email,
  status: u.passwordHash ? 'active' : 'invited',
  ...(u.createdAt && { createdAt: u.createdAt }),
});

export class LocalUserDirectory implements UserDirectory {
  constructor(private readonly file: string) {}

  private all(): StoredUser[] {
    return existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as StoredUser[]) : [];
  }

  private write(users: StoredUser[]): void {
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(`${this.file}.tmp`, JSON.stringify(users, null, 2));
    renameSync(`${this.file}.tmp`, this.file);
  }

  async invite(accountId: string, email: string): Promise<AccountUser> {
    const users = this.all();
    if (users.some((u) => u.email === email)) throw new ConflictError(`${email} already has a UCX Cloud user.`);
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
    this.write([...users, user]);
    const text = `You are invited to UCX Cloud. Choose your password under "Forgot your password?" → "Reset password" with the code ${code} (valid for 7 days).`;
    appendFileSync(
      join(dirname(this.file), 'outbox.jsonl'),
      `${JSON.stringify({ at: new Date().toISOString(), to: email, subject: 'Your invitation to UCX Cloud', text, code })}\n`,
    );
    return toAccountUser(user);
  }

  async list(accountId: string): Promise<AccountUser[]> {
    return this.all()
      .filter((u) => u.accountId === accountId && u.groups.includes('customer'))
      .map(toAccountUser);
  }

  async remove(accountId: string, userId: string): Promise<boolean> {
    const users = this.all();
    const user = users.find((u) => u.sub === userId && u.accountId === accountId);
    if (!user) return false;
    this.write(users.filter((u) => u !== user));
    return true;
  }
}

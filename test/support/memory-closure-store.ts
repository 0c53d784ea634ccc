/** In-memory ClosureStore over the in-memory licensing store: the DynamoDB adapter's behaviour, in maps. */
import type {
  ClosureCommit,
  ClosureStore,
  ErasedCommit,
  ErasureDue,
  ReopenCommit,
} from '#lambdas/core/accounts/closure';
import type { Region } from '#lambdas/core/licensing/catalogue';
import type { MemoryLicensingRepository } from '#test/support/memory-licensing-repository';

export class MemoryClosureStore implements ClosureStore {
  /** `<region>/<eraseAfter>#<account>` → the entry, as the ERASE#<region> partition holds it */
  readonly index = new Map<string, ErasureDue>();
  readonly deletedKeys: string[] = [];
  /** what expireKeptRecords was asked to expire, and until when */
  readonly expired = new Map<string, string>();

  constructor(private readonly repo: MemoryLicensingRepository) {}

  async close(c: ClosureCommit): Promise<boolean> {
    const account = this.repo.account(c.accountId);
    if (!account || account.closure) return false;
    this.repo.patchAccount(c.accountId, (a) => ({
      ...a,
      closure: c.closure,
      telemetryEnabled: false,
      termsRev: a.termsRev + 1,
    }));
    this.index.set(`${c.region}/${c.closure.eraseAfter}#${c.accountId}`, {
      accountId: c.accountId,
      eraseAfter: c.closure.eraseAfter,
    });
    this.repo.appendAudit(c.audit);
    return true;
  }

  async reopen(c: ReopenCommit): Promise<boolean> {
    const closure = this.repo.account(c.accountId)?.closure;
    if (!closure || closure.eraseAfter !== c.eraseAfter || closure.erasedAt) return false;
    this.repo.patchAccount(c.accountId, ({ closure: _closed, ...a }) => ({ ...a, termsRev: a.termsRev + 1 }));
    this.index.delete(`${c.region}/${c.eraseAfter}#${c.accountId}`);
    this.repo.appendAudit(c.audit);
    return true;
  }

  async dueForErasure(region: Region, before: string, limit: number): Promise<ErasureDue[]> {
    return [...this.index.entries()]
      .filter(([key, due]) => key.startsWith(`${region}/`) && due.eraseAfter < before)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .slice(0, limit)
      .map(([, due]) => due);
  }

  async forgetDue(region: Region, due: ErasureDue): Promise<void> {
    this.index.delete(`${region}/${due.eraseAfter}#${due.accountId}`);
  }

  async deleteActivationKeys(keyHashes: readonly string[]): Promise<void> {
    this.deletedKeys.push(...keyHashes);
  }

  /** the records expireKeptRecords was given, per account */
  readonly expiredRecords = new Map<string, Parameters<ClosureStore['expireKeptRecords']>[0]>();

  async expireKeptRecords(account: Parameters<ClosureStore['expireKeptRecords']>[0], until: string): Promise<boolean> {
    this.expired.set(account.accountId, until);
    this.expiredRecords.set(account.accountId, account);
    return true;
  }

  async markErased(c: ErasedCommit): Promise<void> {
    this.repo.patchAccount(c.accountId, ({ followerInstallationId: _gone, ...a }) => ({
      ...a,
      closure: { ...a.closure!, erasedAt: c.erasedAt },
    }));
    this.index.delete(`${c.region}/${c.eraseAfter}#${c.accountId}`);
    this.repo.appendAudit(c.audit);
  }
}

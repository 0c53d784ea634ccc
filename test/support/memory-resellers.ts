/** An in-memory reseller store that moves the account's reseller in the licensing fake, as the adapter does in one transaction. */
import type { ResellerApplication, ResellerStatus, ResellerStore } from '#lambdas/core/accounts/resellers';
import { ConflictError } from '#lambdas/core/errors';
import type { MemoryLicensingRepository } from './memory-licensing-repository';

export class MemoryResellers implements ResellerStore {
  readonly applications = new Map<string, ResellerApplication>();
  constructor(private readonly repo: MemoryLicensingRepository) {}

  async apply(application: ResellerApplication): Promise<ResellerApplication> {
    const earlier = await this.byApplicant(application.applicantSub);
    if (earlier) return earlier;
    this.applications.set(application.resellerId, { ...application });
    return application;
  }
  async get(resellerId: string): Promise<ResellerApplication | null> {
    return this.applications.get(resellerId) ?? null;
  }
  async byApplicant(sub: string): Promise<ResellerApplication | null> {
    return [...this.applications.values()].find((a) => a.applicantSub === sub) ?? null;
  }
  async listByStatus(status: ResellerStatus): Promise<ResellerApplication[]> {
    return [...this.applications.values()].filter((a) => a.status === status);
  }
  async approve(resellerId: string, at: string): Promise<boolean> {
    const a = this.applications.get(resellerId);
    if (!a) return false;
    if (a.status !== 'approved') this.applications.set(resellerId, { ...a, status: 'approved', approvedAt: at });
    return true;
  }
  async setAccountReseller(change: Parameters<ResellerStore['setAccountReseller']>[0]): Promise<void> {
    const account = this.repo.account(change.accountId);
    if (!account || account.resellerId !== change.from)
      throw new ConflictError("The account's reseller changed meanwhile; reload and try again.");
    this.repo.patchAccount(change.accountId, ({ resellerId: _old, ...rest }) => ({
      ...rest,
      ...(change.to && { resellerId: change.to }),
    }));
    this.repo.appendAudit(change.audit);
  }
}

/** The stale-release settings in memory, for unit tests; audit events land in `audit`. */
import type { Region } from '#lambdas/core/licensing/catalogue';
import type { AuditEvent } from '#lambdas/core/licensing/model';
import type { StaleReleaseRecord, StaleReleaseStore } from '#lambdas/core/licensing/stale-release';

export class MemoryStaleReleaseStore implements StaleReleaseStore {
  readonly records = new Map<string, StaleReleaseRecord>();
  readonly audit: AuditEvent[] = [];

  async get(accountId: string): Promise<StaleReleaseRecord | null> {
    return this.records.get(accountId) ?? null;
  }

  async putSetting(record: Omit<StaleReleaseRecord, 'notices'>, audit: AuditEvent): Promise<void> {
    this.records.set(record.accountId, { ...record, notices: this.records.get(record.accountId)?.notices ?? {} });
    this.audit.push(audit);
  }

  async listEnabled(region: Region): Promise<StaleReleaseRecord[]> {
    return [...this.records.values()].filter((r) => r.enabled && r.region === region);
  }

  async recordNotice(accountId: string, installationId: string, at: string, audit: AuditEvent): Promise<void> {
    const record = this.records.get(accountId);
    if (!record) throw new Error(`no stale-release setting for ${accountId}`);
    this.records.set(accountId, { ...record, notices: { ...record.notices, [installationId]: at } });
    this.audit.push(audit);
  }
}

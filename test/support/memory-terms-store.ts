/** The terms store in memory, for unit tests; audit events land in `audit`, accounts are `addAccount`ed. */
import type { AccountRef, NoticeProgress, TermsStore } from '#lambdas/core/accounts/terms';
import type { ConsentRecord, ConsentStatus, TermsVersion } from '#lambdas/core/accounts/terms-model';
import type { AuditEvent } from '#lambdas/core/licensing/model';

type Stored = ConsentRecord & { noticeClaimedAt?: string };

export class MemoryTermsStore implements TermsStore {
  readonly versions = new Map<number, TermsVersion>();
  readonly progress = new Map<number, NoticeProgress>();
  readonly consents = new Map<string, Stored>();
  readonly accounts: AccountRef[] = [];
  readonly audit: AuditEvent[] = [];

  /** accounts by creation, for the late pass: `<createdAt>#<account>` positions as the table's */
  readonly created: { sk: string; ref: AccountRef }[] = [];

  addAccount(accountId: string, region: AccountRef['region'] = 'eu', createdAt?: string): void {
    this.accounts.push({ accountId, region });
    if (createdAt) {
      this.created.push({ sk: `${createdAt}#${accountId}`, ref: { accountId, region } });
      this.created.sort((a, b) => a.sk.localeCompare(b.sk));
    }
    this.accounts.sort((a, b) => a.accountId.localeCompare(b.accountId));
  }

  private key = (accountId: string, version: number) => `${accountId}#${version}`;

  async listVersions(): Promise<TermsVersion[]> {
    return [...this.versions.values()].sort((a, b) => a.version - b.version);
  }

  async putVersion(version: TermsVersion): Promise<boolean> {
    if (this.versions.has(version.version)) return false;
    this.versions.set(version.version, version);
    return true;
  }

  private strip({ noticeClaimedAt: _, ...record }: Stored): ConsentRecord {
    return structuredClone(record);
  }

  async listConsents(accountId: string): Promise<ConsentRecord[]> {
    return [...this.consents.values()]
      .filter((c) => c.accountId === accountId)
      .sort((a, b) => a.version - b.version)
      .map((c) => this.strip(c));
  }

  async getConsent(accountId: string, version: number): Promise<ConsentRecord | null> {
    const found = this.consents.get(this.key(accountId, version));
    return found ? this.strip(found) : null;
  }

  async transition(
    record: ConsentRecord,
    from: readonly (ConsentStatus | 'none')[],
    audit: AuditEvent,
  ): Promise<boolean> {
    const k = this.key(record.accountId, record.version);
    const existing = this.consents.get(k);
    if (!from.includes(existing?.status ?? 'none')) return false;
    const { at: _a, by: _b, reason: _r, previousObjection: _p, status: _s, ...notice } = existing ?? {};
    this.consents.set(k, { ...notice, ...structuredClone(record) });
    this.audit.push(audit);
    return true;
  }

  async listVersionConsents(
    version: number,
    page: { readonly cursor?: string; readonly limit: number; readonly status?: ConsentStatus },
  ): Promise<{ records: ConsentRecord[]; cursor?: string }> {
    const all = [...this.consents.values()]
      .filter((c) => c.version === version)
      .sort((a, b) => a.accountId.localeCompare(b.accountId));
    const after = page.cursor ? all.filter((c) => c.accountId > page.cursor!) : all;
    // As DynamoDB: the limit counts records read, the status filter applies after.
    const read = after.slice(0, page.limit);
    const last = read.at(-1);
    return {
      records: read.filter((c) => !page.status || c.status === page.status).map((c) => this.strip(c)),
      ...(read.length < after.length && last && { cursor: last.accountId }),
    };
  }

  async listAccounts(cursor: string | undefined, limit: number): Promise<{ accounts: AccountRef[]; cursor?: string }> {
    const start = cursor ? Number(cursor) : 0;
    const accounts = this.accounts.slice(start, start + limit);
    return { accounts, ...(start + limit < this.accounts.length && { cursor: String(start + limit) }) };
  }

  async listAccountsCreated(
    from: string,
    to: string,
    after: string | undefined,
    limit: number,
  ): Promise<{ accounts: AccountRef[]; last?: string; more: boolean }> {
    const window = this.created.filter((c) => c.sk >= from && c.sk < to && (after === undefined || c.sk > after));
    const page = window.slice(0, limit);
    const last = page.at(-1)?.sk ?? after;
    return { accounts: page.map((c) => c.ref), ...(last && { last }), more: window.length > limit };
  }

  async getProgress(version: number): Promise<NoticeProgress> {
    return this.progress.get(version) ?? { done: false };
  }

  async saveProgress(version: number, progress: NoticeProgress): Promise<void> {
    this.progress.set(version, progress);
  }

  async ensurePending(accountId: string, version: number): Promise<void> {
    const k = this.key(accountId, version);
    if (!this.consents.has(k)) this.consents.set(k, { accountId, version, status: 'pending' });
  }

  async claimNotice(accountId: string, version: number, at: string): Promise<boolean> {
    const found = this.consents.get(this.key(accountId, version));
    if (!found || found.noticeClaimedAt) return false;
    found.noticeClaimedAt = at;
    return true;
  }

  async finishNotice(
    accountId: string,
    version: number,
    sent: { at: string; recipients: number; audit: AuditEvent } | null,
  ): Promise<void> {
    const found = this.consents.get(this.key(accountId, version));
    if (!found) return;
    if (!sent) {
      delete found.noticeClaimedAt;
      return;
    }
    found.noticeSentAt = sent.at;
    found.noticeRecipients = sent.recipients;
    this.audit.push(sent.audit);
  }
}

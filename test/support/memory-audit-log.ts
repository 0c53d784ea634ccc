/** The audit log port over events in memory, with the DynamoDB adapter's order, range and paging (memory needs no read bounds). */
import {
  auditSortKey,
  type AuditEventsRead,
  type AuditLogReader,
  type AuditRange,
} from '#lambdas/core/licensing/list-audit-events';
import type { AuditEvent } from '#lambdas/core/licensing/model';

export class MemoryAuditLog implements AuditLogReader {
  constructor(private readonly source: () => readonly AuditEvent[]) {}

  async auditEvents(accountId: string, range: AuditRange): Promise<AuditEventsRead> {
    const matching = this.source()
      .filter((e) => e.accountId === accountId)
      .filter((e) => (range.from === undefined || e.at >= range.from) && (range.to === undefined || e.at <= range.to))
      .filter((e) => range.after === undefined || auditSortKey(e) < range.after)
      .filter((e) => range.action === undefined || e.action === range.action)
      .sort((a, b) => (auditSortKey(a) < auditSortKey(b) ? 1 : -1));
    return { events: matching.slice(0, range.limit), more: matching.length > range.limit };
  }
}

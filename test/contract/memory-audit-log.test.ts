/** The in-memory audit log the unit tests use keeps the contract the DynamoDB audit log keeps. */
import { auditLogContract } from '#test/contract/audit-log.contract';
import { MemoryAuditLog } from '#test/support/memory-audit-log';
import { MemoryLicensingRepository } from '#test/support/memory-licensing-repository';

auditLogContract('MemoryAuditLog', () => {
  const repository = new MemoryLicensingRepository();
  return { repository, auditLog: new MemoryAuditLog(() => repository.snapshot().audit) };
});

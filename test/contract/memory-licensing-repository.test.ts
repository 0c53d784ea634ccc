/** The in-memory LicensingRepository the unit tests use keeps the contract the DynamoDB adapter keeps. */
import { licensingRepositoryContract } from '#test/contract/licensing-repository.contract';
import { MemoryAuditLog } from '#test/support/memory-audit-log';
import { MemoryLicensingRepository } from '#test/support/memory-licensing-repository';

licensingRepositoryContract('MemoryLicensingRepository', () => {
  const repository = new MemoryLicensingRepository();
  return { repository, auditLog: new MemoryAuditLog(() => repository.snapshot().audit) };
});

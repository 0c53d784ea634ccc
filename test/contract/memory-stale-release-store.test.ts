/** The in-memory stale-release store the unit tests use keeps the contract the DynamoDB one keeps. */
import { staleReleaseStoreContract } from '#test/contract/stale-release-store.contract';
import { MemoryStaleReleaseStore } from '#test/support/memory-stale-release-store';

staleReleaseStoreContract('MemoryStaleReleaseStore', () => {
  const store = new MemoryStaleReleaseStore();
  return { store, auditOf: async (accountId) => store.audit.filter((e) => e.accountId === accountId) };
});

/** The in-memory terms store the unit tests use keeps the contract the DynamoDB one keeps. */
import { termsStoreContract } from '#test/contract/terms-store.contract';
import { MemoryTermsStore } from '#test/support/memory-terms-store';

termsStoreContract('MemoryTermsStore', () => {
  const store = new MemoryTermsStore();
  return {
    store,
    auditOf: async (accountId) => store.audit.filter((e) => e.accountId === accountId),
    addAccount: async (accountId, region, createdAt) => store.addAccount(accountId, region, createdAt),
  };
});

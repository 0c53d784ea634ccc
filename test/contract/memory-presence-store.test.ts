/** The in-memory presence store the Presence unit tests use keeps the contract the DynamoDB one keeps. */
import { presenceStoreContract } from '#test/contract/presence-store.contract';
import { FixedClock } from '#test/support/licensing-fixtures';
import { MemoryPresenceStore } from '#test/support/memory-presence-store';

presenceStoreContract('MemoryPresenceStore', () => {
  const clock = new FixedClock();
  const store = new MemoryPresenceStore(clock);
  return { store, clock, remnants: async (accountId) => store.remnants(accountId) };
});

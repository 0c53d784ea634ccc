/** The in-memory support store the unit tests use keeps the contract the DynamoDB support reads keep. */
import { supportReadStoreContract } from '#test/contract/support-read-store.contract';
import { MemorySupportStore } from '#test/support/memory-support-store';

supportReadStoreContract('MemorySupportStore', () => {
  const store = new MemorySupportStore();
  return {
    store,
    // the rules' writes as the support unit tests seed them
    async write(batch) {
      store.putHealth({
        installationId: batch.installationId,
        accountId: batch.accountId,
        lastBeatAt: new Date(batch.lastBeatAt).toISOString(),
        careLevel: batch.careLevel,
        openFindings: batch.findings
          .filter((f) => f.status === 'open')
          .map(({ findingId, ruleId, subject, severity, openedAt }) => ({
            findingId,
            ruleId,
            subject,
            severity,
            openedAt,
          })),
      });
      for (const finding of batch.findings) store.putFinding(finding);
      for (const snapshot of batch.snapshots) store.putSnapshot(snapshot);
    },
  };
});

/**
 * The DynamoDB support reads keep the SupportReadStore contract (the one the in-memory support
 * store keeps), reading what the rules' own DynamoDbSupportStore writes, on DynamoDB Local in a
 * table of its own.
 */
import { DynamoDbSupportReads } from '#lambdas/adapters/dynamodb-support-reads';
import { DynamoDbSupportStore } from '#lambdas/adapters/dynamodb-support-store';
import { emptyState, trackerKey, type InstallationState } from '#lambdas/core/rules/state';
import { type RulesBatch, supportReadStoreContract } from '#test/contract/support-read-store.contract';
import { createSupportTable, type SupportTable } from '#test/support/support-table';

jest.setTimeout(30_000);

let table: SupportTable;

beforeAll(async () => {
  table = await createSupportTable(`support-reads-contract-${process.pid}-${Date.now()}`);
});

afterAll(async () => {
  await table?.drop();
});

/** The state a batch leaves: its open findings tracked, its beat types' watermarks moved on. */
function stateAfter(batch: RulesBatch, previous: InstallationState | undefined): InstallationState {
  const trackers = Object.fromEntries(
    batch.findings
      .filter((f) => f.status === 'open')
      .map((f) => [
        trackerKey(f.ruleId, f.subject),
        {
          hits: 1,
          clears: 0,
          open: {
            findingId: f.findingId,
            severity: f.severity,
            openedAt: f.openedAt,
            evidence: f.evidence,
            history: f.history,
          },
        },
      ]),
  );
  const newest = { ...previous?.newest };
  for (const s of batch.snapshots) newest[s.type] = Math.max(newest[s.type] ?? 0, Date.parse(s.collectedAt));
  return {
    ...(previous ?? emptyState(batch.installationId, batch.accountId)),
    lastBeatAt: batch.lastBeatAt,
    trackers,
    newest,
  };
}

supportReadStoreContract('DynamoDbSupportReads', () => {
  const rules = new DynamoDbSupportStore(table.documents, table.tableName);
  return {
    store: new DynamoDbSupportReads(table.documents, table.tableName),
    async write(batch) {
      const previous = await rules.getState(batch.installationId);
      await rules.commit({
        state: stateAfter(batch, previous),
        expectedVersion: previous?.version ?? 0,
        ...(previous ? { previous } : {}),
        findings: batch.findings,
        snapshots: batch.snapshots,
        careLevel: batch.careLevel,
      });
    },
  };
});

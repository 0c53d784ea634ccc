/** The DynamoDB stale-release store keeps the StaleReleaseStore contract, on DynamoDB Local in a table of its own. */
import { DynamoDbAuditLog } from '#lambdas/adapters/dynamodb-audit-log';
import { DynamoDbStaleReleaseStore } from '#lambdas/adapters/dynamodb-stale-release-store';
import { staleReleaseStoreContract } from '#test/contract/stale-release-store.contract';
import { createLicensingTable, type LicensingTable } from '#test/integration/adapters/licensing-table';

jest.setTimeout(30_000);

let table: LicensingTable;

beforeAll(async () => {
  table = await createLicensingTable(`stale-release-contract-${process.pid}-${Date.now()}`);
});

afterAll(async () => {
  await table?.drop();
});

staleReleaseStoreContract('DynamoDbStaleReleaseStore', () => {
  const auditLog = new DynamoDbAuditLog(table.documents, table.tableName);
  return {
    store: new DynamoDbStaleReleaseStore(table.documents, table.tableName),
    auditOf: async (accountId) => (await auditLog.auditEvents(accountId, { limit: 100 })).events.reverse(),
  };
});

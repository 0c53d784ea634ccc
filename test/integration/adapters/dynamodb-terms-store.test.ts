/** The DynamoDB terms store keeps the TermsStore contract, on DynamoDB Local in a licensing-shaped table of its own. */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAuditLog } from '#lambdas/adapters/dynamodb-audit-log';
import { DynamoDbTermsStore } from '#lambdas/adapters/dynamodb-terms-store';
import { termsStoreContract } from '#test/contract/terms-store.contract';
import { createLicensingTable, type LicensingTable } from '#test/integration/adapters/licensing-table';

jest.setTimeout(30_000);

let table: LicensingTable;

beforeAll(async () => {
  table = await createLicensingTable(`terms-contract-${process.pid}-${Date.now()}`);
});

afterAll(async () => {
  await table?.drop();
});

termsStoreContract('DynamoDbTermsStore', () => {
  const auditLog = new DynamoDbAuditLog(table.documents, table.tableName);
  return {
    store: new DynamoDbTermsStore(table.documents, table.tableName),
    auditOf: async (accountId) => (await auditLog.auditEvents(accountId, { limit: 100 })).events.reverse(),
    addAccount: async (accountId, region, createdAt) => {
      await table.documents.send(
        new PutCommand({
          TableName: table.tableName,
          Item: { pk: `ACC#${accountId}`, sk: 'META', accountId, name: accountId, region },
        }),
      );
      if (createdAt)
        await table.documents.send(
          new PutCommand({
            TableName: table.tableName,
            Item: {
              pk: `NEWACC#${createdAt.slice(0, 7)}`,
              sk: `${createdAt}#${accountId}`,
              accountId,
              name: accountId,
              region,
              createdAt,
            },
          }),
        );
    },
  };
});

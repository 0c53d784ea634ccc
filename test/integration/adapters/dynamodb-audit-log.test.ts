/**
 * The DynamoDB audit log keeps the AuditLogReader contract (the one the in-memory audit log
 * keeps), reading what the DynamoDB licensing repository writes, on DynamoDB Local in a table of its own.
 */
import { DynamoDbAuditLog } from '#lambdas/adapters/dynamodb-audit-log';
import { DynamoDbLicensingRepository } from '#lambdas/adapters/dynamodb-licensing-repository';
import { auditLogContract } from '#test/contract/audit-log.contract';
import { createLicensingTable, type LicensingTable } from '#test/integration/adapters/licensing-table';

jest.setTimeout(30_000);

let table: LicensingTable;

beforeAll(async () => {
  table = await createLicensingTable(`audit-log-contract-${process.pid}-${Date.now()}`);
});

afterAll(async () => {
  await table?.drop();
});

auditLogContract('DynamoDbAuditLog', () => ({
  repository: new DynamoDbLicensingRepository(table.documents, table.tableName),
  auditLog: new DynamoDbAuditLog(table.documents, table.tableName),
}));

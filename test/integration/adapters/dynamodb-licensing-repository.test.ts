/**
 * The DynamoDB licensing adapter keeps the LicensingRepository contract (the one the in-memory
 * fake keeps), on the local cloud's real DynamoDB Local, in a table of its own; the audit trail
 * its commits write is read back by the DynamoDB audit log.
 */
import { DynamoDbAuditLog } from '#lambdas/adapters/dynamodb-audit-log';
import { DynamoDbLicensingRepository } from '#lambdas/adapters/dynamodb-licensing-repository';
import { licensingRepositoryContract } from '#test/contract/licensing-repository.contract';
import { createLicensingTable, type LicensingTable } from '#test/integration/adapters/licensing-table';

jest.setTimeout(30_000);

let table: LicensingTable;

beforeAll(async () => {
  table = await createLicensingTable(`licensing-contract-${process.pid}-${Date.now()}`);
});

afterAll(async () => {
  await table?.drop();
});

licensingRepositoryContract('DynamoDbLicensingRepository', () => ({
  repository: new DynamoDbLicensingRepository(table.documents, table.tableName),
  auditLog: new DynamoDbAuditLog(table.documents, table.tableName),
}));

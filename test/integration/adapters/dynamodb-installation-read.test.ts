/**
 * The installation read alone (the rules' licence facts, when a stream record carries none) on
 * DynamoDB Local: the installation as the licensing reads give it, through the document client
 * the rules hold, and nothing for an installation that is not there.
 */
import { DynamoDbAuditLog } from '#lambdas/adapters/dynamodb-audit-log';
import { DynamoDbInstallationRead } from '#lambdas/adapters/dynamodb-installation-read';
import { DynamoDbLicensingRepository } from '#lambdas/adapters/dynamodb-licensing-repository';
import { type ContractWorld, givenAccount, givenInstallation } from '#test/contract/licensing-records';
import { createLicensingTable, type LicensingTable } from '#test/integration/adapters/licensing-table';
import { FixedClock, SequentialIds } from '#test/support/licensing-fixtures';

jest.setTimeout(30_000);

let table: LicensingTable;

beforeAll(async () => {
  table = await createLicensingTable(`installation-read-${process.pid}-${Date.now()}`);
});

afterAll(async () => {
  await table?.drop();
});

describe('DynamoDbInstallationRead', () => {
  it('reads an installation as the licensing reads do, and null for one that is not there', async () => {
    // Arrange
    const repository = new DynamoDbLicensingRepository(table.documents, table.tableName);
    const world: ContractWorld = {
      repository,
      auditLog: new DynamoDbAuditLog(table.documents, table.tableName),
      clock: new FixedClock(),
      ids: new SequentialIds(),
    };
    const account = await givenAccount(world);
    const installation = await givenInstallation(world, account.accountId, { 'attendant-console': 2 });
    const read = new DynamoDbInstallationRead(table.documents, table.tableName);

    // Act
    const found = await read.getInstallation(installation.installationId);
    const missing = await read.getInstallation('inst_notthere0000001');

    // Assert
    expect(found).toEqual(await repository.getInstallation(installation.installationId));
    expect(found).toMatchObject({ installationId: installation.installationId, status: 'active' });
    expect(found?.license.jws).toEqual(expect.any(String));
    expect(missing).toBeNull();
  });
});

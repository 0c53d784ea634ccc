/**
 * The telemetry ingest's licensing store on DynamoDB Local: the installation with its terms and the
 * account's terms as the repository reads them, and the contact stamp as the repository writes it.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAgentContact } from '#lambdas/adapters/dynamodb-agent-contact';
import { DynamoDbAuditLog } from '#lambdas/adapters/dynamodb-audit-log';
import { DynamoDbLicensingRepository } from '#lambdas/adapters/dynamodb-licensing-repository';
import { type ContractWorld, givenAccount, givenInstallation } from '#test/contract/licensing-records';
import { createLicensingTable, type LicensingTable } from '#test/integration/adapters/licensing-table';
import { FixedClock, SequentialIds } from '#test/support/licensing-fixtures';

jest.setTimeout(30_000);

const HOUR_MS = 3_600_000;
let table: LicensingTable;
let world: ContractWorld;
let contact: DynamoDbAgentContact;
// ids stay unique across the tests, which share the table
const ids = new SequentialIds();

beforeAll(async () => {
  table = await createLicensingTable(`agent-contact-${process.pid}-${Date.now()}`);
});

afterAll(async () => {
  await table?.drop();
});

beforeEach(() => {
  world = {
    repository: new DynamoDbLicensingRepository(table.documents, table.tableName),
    auditLog: new DynamoDbAuditLog(table.documents, table.tableName),
    clock: new FixedClock(),
    ids,
  };
  // the low-level client for the installation read, as dynamoReadClient in the composition root
  contact = new DynamoDbAgentContact(table.documents, () => table.raw, table.tableName);
});

const item = async (pk: string, sk: string) =>
  (await table.documents.send(new GetCommand({ TableName: table.tableName, Key: { pk, sk }, ConsistentRead: true })))
    .Item;

describe('DynamoDbAgentContact', () => {
  it("reads the installation with its terms and the account's terms as the repository does, and null for what is not there", async () => {
    // Arrange
    const account = await givenAccount(world);
    const { installationId } = await givenInstallation(world, account.accountId, { 'attendant-console': 2 });

    // Act
    const withTerms = await contact.getInstallationWithTerms(installationId, { consistentRead: false });
    const terms = await contact.getAccountTerms(account.accountId, { consistentRead: false });
    const missingInstallation = await contact.getInstallationWithTerms('inst_notthere0000001');
    const missingAccount = await contact.getAccountTerms('acc_notthere0000001');

    // Assert
    expect(withTerms).toEqual(await world.repository.getInstallationWithTerms(installationId));
    expect(withTerms?.terms).toEqual(terms);
    expect(terms).toEqual(await world.repository.getAccountTerms(account.accountId));
    expect(terms).toMatchObject({ termsRev: expect.any(Number), telemetryEnabled: expect.any(Boolean) });
    expect(missingInstallation).toBeNull();
    expect(missingAccount).toBeNull();
  });

  it('stamps the contact on INST#<id> / POLL once within the resolution, leaving the installation item as it was', async () => {
    // Arrange
    const account = await givenAccount(world);
    const { installationId } = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
    const before = await item(`INST#${installationId}`, 'META');
    const stamp = () => {
      const at = world.clock.now();
      return contact.recordPoll(installationId, at.toISOString(), new Date(at.getTime() - HOUR_MS).toISOString());
    };

    // Act
    const first = await stamp();
    world.clock.advance(HOUR_MS - 1);
    const withinTheHour = await stamp();
    world.clock.advance(2);
    const afterTheHour = await stamp();

    // Assert
    expect([first, withinTheHour, afterTheHour]).toEqual([true, false, true]);
    expect(await item(`INST#${installationId}`, 'META')).toEqual(before);
    expect(await item(`INST#${installationId}`, 'POLL')).toEqual({
      pk: `INST#${installationId}`,
      sk: 'POLL',
      type: 'last-poll',
      installationId,
      lastPollAt: world.clock.now().toISOString(),
    });
    expect((await world.repository.getInstallation(installationId))?.lastPollAt).toBe(world.clock.now().toISOString());
  });
});

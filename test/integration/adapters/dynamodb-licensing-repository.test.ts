/**
 * The DynamoDB licensing adapter keeps the LicensingRepository contract (the one the in-memory
 * fake keeps), on the local cloud's real DynamoDB Local, in a table of its own; the audit trail
 * its commits write is read back by the DynamoDB audit log.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAuditLog } from '#lambdas/adapters/dynamodb-audit-log';
import { DynamoDbLicensingRepository } from '#lambdas/adapters/dynamodb-licensing-repository';
import { licensingRepositoryContract } from '#test/contract/licensing-repository.contract';
import { type ContractWorld, givenAccount, givenInstallation } from '#test/contract/licensing-records';
import { createLicensingTable, type LicensingTable } from '#test/integration/adapters/licensing-table';
import { FixedClock, SequentialIds } from '#test/support/licensing-fixtures';

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

describe('DynamoDbLicensingRepository: the last poll, an item of its own', () => {
  let own: LicensingTable;
  let world: ContractWorld;
  const HOUR_MS = 3_600_000;
  // ids stay unique across the tests, which share the table
  const ids = new SequentialIds();

  beforeAll(async () => {
    own = await createLicensingTable(`licensing-polls-${process.pid}-${Date.now()}`);
  });

  afterAll(async () => {
    await own?.drop();
  });

  beforeEach(() => {
    world = {
      repository: new DynamoDbLicensingRepository(own.documents, own.tableName),
      auditLog: new DynamoDbAuditLog(own.documents, own.tableName),
      clock: new FixedClock(),
      ids,
    };
  });

  const item = async (pk: string, sk: string) =>
    (await own.documents.send(new GetCommand({ TableName: own.tableName, Key: { pk, sk }, ConsistentRead: true })))
      .Item;
  const recordPollNow = (installationId: string) => {
    const at = world.clock.now();
    return world.repository.recordPoll(
      installationId,
      at.toISOString(),
      new Date(at.getTime() - HOUR_MS).toISOString(),
    );
  };

  it('writes the poll to INST#<id> / POLL and leaves the installation item as it was', async () => {
    // Arrange: the regions replicate whole items, so a poll must not write the installation's
    const account = await givenAccount(world);
    const { installationId } = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
    const before = await item(`INST#${installationId}`, 'META');

    // Act
    await recordPollNow(installationId);

    // Assert
    expect(await item(`INST#${installationId}`, 'META')).toEqual(before);
    expect(await item(`INST#${installationId}`, 'POLL')).toEqual({
      pk: `INST#${installationId}`,
      sk: 'POLL',
      type: 'last-poll',
      installationId,
      lastPollAt: world.clock.now().toISOString(),
    });
  });

  it('reads a last poll stored the earlier way, on the installation item, until a poll item supersedes it', async () => {
    // Arrange
    const account = await givenAccount(world);
    const { installationId } = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
    const earlier = world.clock.now().toISOString();
    await own.documents.send(
      new UpdateCommand({
        TableName: own.tableName,
        Key: { pk: `INST#${installationId}`, sk: 'META' },
        UpdateExpression: 'SET lastPollAt = :at',
        ExpressionAttributeValues: { ':at': earlier },
      }),
    );

    // Act
    const asStored = await world.repository.getInstallation(installationId, { consistentRead: false });
    const lastPollsAsStored = await world.repository.getLastPolls([installationId]);
    world.clock.advance(HOUR_MS + 1);
    await recordPollNow(installationId);
    const later = world.clock.now().toISOString();

    // Assert
    expect(asStored?.lastPollAt).toBe(earlier);
    expect(lastPollsAsStored.get(installationId)).toBe(earlier);
    expect((await world.repository.getInstallation(installationId))?.lastPollAt).toBe(later);
    expect((await world.repository.getLastPolls([installationId])).get(installationId)).toBe(later);
  });
});

describe('DynamoDbLicensingRepository: the account state a licence rebuild reads', () => {
  let own: LicensingTable;

  beforeAll(async () => {
    own = await createLicensingTable(`licensing-state-${process.pid}-${Date.now()}`);
  });

  afterAll(async () => {
    await own?.drop();
  });

  it('reads the entitlements, installations, account and pools, not the keys’ listings or the terms consents beside them', async () => {
    // Arrange: an account with an installation, then 30 key listings and 30 consents in its partition
    const world: ContractWorld = {
      repository: new DynamoDbLicensingRepository(own.documents, own.tableName),
      auditLog: new DynamoDbAuditLog(own.documents, own.tableName),
      clock: new FixedClock(),
      ids: new SequentialIds(),
    };
    const account = await givenAccount(world);
    await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
    const before = await world.repository.getAccountState(account.accountId);
    const ownItems = (
      await own.documents.send(
        new QueryCommand({
          TableName: own.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `ACC#${account.accountId}` },
          Select: 'COUNT',
        }),
      )
    ).Count;
    const filler = 'x'.repeat(2000);
    for (let i = 0; i < 30; i++)
      for (const sk of [`AKEY#key_${i}`, `TERMS#${String(i).padStart(7, '0')}`])
        await own.documents.send(
          new PutCommand({ TableName: own.tableName, Item: { pk: `ACC#${account.accountId}`, sk, filler } }),
        );
    const scanned: number[] = [];
    const reading = new DynamoDbLicensingRepository(own.documents, own.tableName);
    own.documents.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        const count = (out.output as { ScannedCount?: number }).ScannedCount;
        if (count !== undefined) scanned.push(count);
        return out;
      },
      { step: 'initialize', name: 'scannedCount' },
    );

    // Act
    const after = await reading.getAccountState(account.accountId);

    // Assert: the same state, from the account's own items only (META, PROD#, ENT#, INST#)
    expect(after).toEqual(before);
    expect(scanned.reduce((a, b) => a + b, 0)).toBe(ownItems);
  });
});

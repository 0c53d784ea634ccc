/**
 * The account view on DynamoDB Local: the copies of an account's terms beside its installations
 * survive a writer that stops between its commit and its copies (the marker stays, the hourly repair
 * finishes), never go back to older terms, and skip installations that are no longer active.
 */
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { propagateAccountView } from '#lambdas/adapters/dynamodb-account-view';
import { DynamoDbAuditLog } from '#lambdas/adapters/dynamodb-audit-log';
import { DynamoDbLicensingRepository } from '#lambdas/adapters/dynamodb-licensing-repository';
import {
  accountNow,
  type ContractWorld,
  deactivationOf,
  givenAccount,
  givenInstallation,
  installationNow,
  telemetrySwitchOf,
} from '#test/contract/licensing-records';
import { createLicensingTable, type LicensingTable } from '#test/integration/adapters/licensing-table';
import { FixedClock, SequentialIds } from '#test/support/licensing-fixtures';

jest.setTimeout(30_000);

let table: LicensingTable;
const ids = new SequentialIds();

beforeAll(async () => {
  table = await createLicensingTable(`account-view-${process.pid}-${Date.now()}`);
});

afterAll(async () => {
  await table?.drop();
});

/** The document client with the copies' writes failing while `failing` is set: a writer that stops after its commit. */
function withFailingCopies(client: DynamoDBDocumentClient) {
  const state = { failing: false };
  const send = ((command: unknown) => {
    if (state.failing && command instanceof PutCommand && command.input.Item?.['sk'] === 'ACCT') {
      return Promise.reject(Object.assign(new Error('the function stopped'), { name: 'TimeoutError' }));
    }
    return client.send(command as never);
  }) as DynamoDBDocumentClient['send'];
  return { client: Object.assign(Object.create(client) as DynamoDBDocumentClient, { send }), state };
}

const worldOf = (repository: DynamoDbLicensingRepository): ContractWorld => ({
  repository,
  auditLog: new DynamoDbAuditLog(table.documents, table.tableName),
  clock: new FixedClock(),
  ids,
});

const marker = async (accountId: string) =>
  (
    await table.documents.send(
      new GetCommand({
        TableName: table.tableName,
        Key: { pk: 'ACCTVIEW_PENDING', sk: accountId },
        ConsistentRead: true,
      }),
    )
  ).Item;

describe('DynamoDbLicensingRepository: the account view', () => {
  it('keeps the change when its copies fail, says so, and the repair copies them and clears the marker', async () => {
    // Arrange
    const faulty = withFailingCopies(table.documents);
    const deferred: string[] = [];
    const repository = new DynamoDbLicensingRepository(faulty.client, table.tableName, {
      onViewsDeferred: (accountId) => deferred.push(accountId),
    });
    const world = worldOf(repository);
    const account = await givenAccount(world);
    const installation = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
    faulty.state.failing = true;

    // Act
    await repository.commitTelemetrySwitch(telemetrySwitchOf(world, await accountNow(world, account.accountId), false));
    const owed = await repository.getInstallationWithTerms(installation.installationId);
    const markerWhileOwed = await marker(account.accountId);
    faulty.state.failing = false;
    const repaired = await repository.repairAccountViews({ deadline: Date.now() + 10_000, limit: 100 });

    // Assert
    expect(await repository.getAccountTerms(account.accountId)).toMatchObject({ telemetryEnabled: false });
    expect(owed?.terms).toEqual({ termsRev: account.termsRev, telemetryEnabled: true });
    expect(deferred).toEqual([account.accountId]);
    expect(markerWhileOwed).toMatchObject({ accountId: account.accountId });
    expect(repaired.left).toBe(0);
    expect(repaired.accounts).toBeGreaterThanOrEqual(1);
    expect((await repository.getInstallationWithTerms(installation.installationId))?.terms).toEqual({
      termsRev: account.termsRev + 1,
      telemetryEnabled: false,
    });
    expect(await marker(account.accountId)).toBeUndefined();
  });

  it('leaves the marker when its budget is spent, and a later run finishes', async () => {
    // Arrange
    const repository = new DynamoDbLicensingRepository(table.documents, table.tableName);
    const world = worldOf(repository);
    const account = await givenAccount(world);
    const installation = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
    await table.documents.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { pk: 'ACCTVIEW_PENDING', sk: account.accountId, accountId: account.accountId, token: 't1' },
      }),
    );

    // Act
    const spent = await propagateAccountView(table.documents, table.tableName, account.accountId, { deadline: 0 });
    const markerAfterSpent = await marker(account.accountId);
    const finished = await propagateAccountView(table.documents, table.tableName, account.accountId);

    // Assert
    expect(spent).toEqual({ installations: 0, complete: false });
    expect(markerAfterSpent).toMatchObject({ token: 't1' });
    expect(finished).toEqual({ installations: 1, complete: true });
    expect(await marker(account.accountId)).toBeUndefined();
    expect((await repository.getInstallationWithTerms(installation.installationId))?.terms?.termsRev).toBe(
      account.termsRev,
    );
  });

  it('never writes older terms over newer ones, and copies to active installations only', async () => {
    // Arrange
    const repository = new DynamoDbLicensingRepository(table.documents, table.tableName);
    const world = worldOf(repository);
    const account = await givenAccount(world);
    const kept = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
    const gone = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
    await repository.commitDeactivation(deactivationOf(world, await installationNow(world, gone.installationId)));
    const goneCopy = (await repository.getInstallationWithTerms(gone.installationId))?.terms;
    // a copy newer than the account's (as a concurrent writer's would be, read later)
    const newer = { termsRev: 1_000, telemetryEnabled: true };
    await table.documents.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { pk: `INST#${kept.installationId}`, sk: 'ACCT', type: 'account-view', ...newer },
      }),
    );

    // Act
    await repository.commitTelemetrySwitch(telemetrySwitchOf(world, await accountNow(world, account.accountId), false));

    // Assert
    expect((await repository.getInstallationWithTerms(kept.installationId))?.terms).toEqual(newer);
    expect((await repository.getInstallationWithTerms(gone.installationId))?.terms).toEqual(goneCopy);
    expect(goneCopy?.termsRev).toBeLessThan((await accountNow(world, account.accountId)).termsRev);
  });

  it("leaves a run's copies to the repair: one pass for the run instead of one per change", async () => {
    // Arrange
    const repository = new DynamoDbLicensingRepository(table.documents, table.tableName);
    const world = worldOf(repository);
    const account = await givenAccount(world);
    const stays = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
    const released = [
      await givenInstallation(world, account.accountId, { 'attendant-console': 1 }),
      await givenInstallation(world, account.accountId, { 'attendant-console': 1 }),
    ];

    // Act
    for (const installation of released) {
      const commit = deactivationOf(world, await installationNow(world, installation.installationId));
      await repository.commitDeactivation({ ...commit, deferTermsCopy: true });
    }
    const duringRun = (await repository.getInstallationWithTerms(stays.installationId))?.terms;
    const markerAfterRun = await marker(account.accountId);
    await repository.repairAccountViews({ deadline: Date.now() + 10_000, limit: 100 });

    // Assert
    expect(duringRun?.termsRev).toBe(account.termsRev);
    expect(markerAfterRun).toMatchObject({ accountId: account.accountId });
    expect((await repository.getInstallationWithTerms(stays.installationId))?.terms?.termsRev).toBe(
      account.termsRev + 2,
    );
    expect(await marker(account.accountId)).toBeUndefined();
  });

  it('reads no terms for an installation stored before copies were kept, until a change of them copies', async () => {
    // Arrange
    const repository = new DynamoDbLicensingRepository(table.documents, table.tableName);
    const world = worldOf(repository);
    const account = await givenAccount(world);
    const installation = await givenInstallation(world, account.accountId, { 'attendant-console': 1 });
    await table.documents.send(
      new DeleteCommand({ TableName: table.tableName, Key: { pk: `INST#${installation.installationId}`, sk: 'ACCT' } }),
    );

    // Act
    const before = await repository.getInstallationWithTerms(installation.installationId);
    await repository.commitTelemetrySwitch(telemetrySwitchOf(world, await accountNow(world, account.accountId), false));
    const after = await repository.getInstallationWithTerms(installation.installationId);

    // Assert
    expect(before).toEqual({ installation: await installationNow(world, installation.installationId) });
    expect(after?.terms).toEqual({ termsRev: account.termsRev + 1, telemetryEnabled: false });
  });
});

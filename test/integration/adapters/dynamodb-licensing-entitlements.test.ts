/**
 * Entitlements on the DynamoDB adapter: pools deposited before entitlements were stored still read
 * (as one entitlement each) and keep taking allocations and deposits; and the licensing use cases,
 * run on DynamoDB Local with a clock the test moves, follow the terms as time passes.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { LEGACY_ENTITLEMENT_ID } from '#lambdas/adapters/dynamodb-licensing-reads';
import { DynamoDbLicensingRepository } from '#lambdas/adapters/dynamodb-licensing-repository';
import { capacityAt } from '#lambdas/core/licensing/entitlements';
import { getAccount } from '#lambdas/core/licensing/get-account';
import type { LicensingDeps, LicenseSettings } from '#lambdas/core/licensing/deps';
import { depositOrder, type OrderLine } from '#lambdas/core/licensing/deposit-order';
import { pollLicense } from '#lambdas/core/licensing/poll-license';
import { ConflictError } from '#lambdas/core/errors';
import { activationKeyRecord, activationOf, auditEvent, installationRecord } from '#test/contract/licensing-records';
import { createLicensingTable, type LicensingTable } from '#test/integration/adapters/licensing-table';
import {
  acceptSignature,
  activateNew,
  DAY_MS,
  ENDPOINTS,
  existingAccountOrder,
  FakeSigner,
  FixedClock,
  licenseClaims,
  newAccountOrder,
  perpetualLine,
  principals,
  RecordingLogger,
  SequentialIds,
  subscriptionLine,
  T0,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';

jest.setTimeout(30_000);

let table: LicensingTable;
// ids stay unique across the tests, which share the table
const ids = new SequentialIds();
const day = (n: number) => new Date(T0.getTime() + n * DAY_MS).toISOString();

beforeAll(async () => {
  table = await createLicensingTable(`licensing-entitlements-${process.pid}-${Date.now()}`);
});

afterAll(async () => {
  await table?.drop();
});

const repository = () => new DynamoDbLicensingRepository(table.documents, table.tableName);

describe('pools deposited before entitlements were stored', () => {
  const clock = new FixedClock();
  const world = () => ({ repository: repository(), auditLog: undefined as never, clock, ids });

  /** An account as the earlier format stored it: merged terms on each pool, no entitlement items. */
  async function legacyAccount() {
    const accountId = ids.id('acc_');
    const put = (item: Record<string, unknown>) =>
      table.documents.send(new PutCommand({ TableName: table.tableName, Item: item }));
    await put({
      pk: `ACC#${accountId}`,
      sk: 'META',
      type: 'account',
      accountId,
      name: 'Northwind Clinic',
      region: 'eu',
      telemetryEnabled: true,
      termsRev: 3,
      installSeq: 1,
      createdAt: day(-400),
    });
    await put({
      pk: `ACC#${accountId}`,
      sk: 'PROD#attendant-console',
      type: 'pool',
      product: 'attendant-console',
      capacity: 10,
      allocated: 4,
      free: 6,
      kind: 'perpetual',
      care: { level: 'gold', expiresAt: day(100) },
    });
    await put({
      pk: `ACC#${accountId}`,
      sk: 'PROD#ivr',
      type: 'pool',
      product: 'ivr',
      capacity: 5,
      allocated: 0,
      free: 5,
      kind: 'subscription',
      expiresAt: day(30),
    });
    return accountId;
  }

  it('reads each as one entitlement active since always, with its terms and Care, at entitlementsRev 0', async () => {
    // Arrange
    const accountId = await legacyAccount();

    // Act
    const state = await repository().getAccountState(accountId);

    // Assert
    expect(state?.pools).toEqual([
      { product: 'attendant-console', allocated: 4, entitlementsRev: 0 },
      { product: 'ivr', allocated: 0, entitlementsRev: 0 },
    ]);
    expect(state?.entitlements).toEqual([
      {
        entitlementId: LEGACY_ENTITLEMENT_ID,
        product: 'attendant-console',
        kind: 'perpetual',
        quantity: 10,
        care: { level: 'gold', endsAt: day(100) },
      },
      { entitlementId: LEGACY_ENTITLEMENT_ID, product: 'ivr', kind: 'subscription', quantity: 5, endsAt: day(30) },
    ]);
    expect(capacityAt(state?.entitlements ?? [], 'ivr', Date.parse(day(30)))).toBe(0);
  });

  it('allocates from them under the same conditions, and a deposit adds its lines beside them', async () => {
    // Arrange
    const accountId = await legacyAccount();
    const repo = repository();
    const key = activationKeyRecord(world(), accountId, { 'attendant-console': 6 });
    await repo.putActivationKey(key, auditEvent(world(), accountId, 'activation-key.created'));
    const tooMuch = activationKeyRecord(world(), accountId, { 'attendant-console': 1 });
    await repo.putActivationKey(tooMuch, auditEvent(world(), accountId, 'activation-key.created'));

    // Act
    await repo.commitActivation(await activationOf(world(), key, installationRecord(world(), key)));
    const refused = await repo
      .commitActivation(await activationOf(world(), tooMuch, installationRecord(world(), tooMuch)))
      .catch((error: unknown) => error);
    const account = (await repo.getAccountState(accountId))!.account;
    await depositOrder(
      { repo, clock, ids, log: new RecordingLogger(), here: { region: 'eu', endpoints: ENDPOINTS } },
      principals.backoffice,
      ids.id('PO-'),
      existingAccountOrder(accountId, [perpetualLine('attendant-console', 2)]),
    );

    // Assert
    expect(refused).toMatchObject({ reason: 'capacity' });
    const state = await repo.getAccountState(accountId);
    expect(account.installSeq).toBe(2);
    expect(state?.pools[0]).toEqual({ product: 'attendant-console', allocated: 10, entitlementsRev: 1 });
    expect(state?.entitlements.filter((e) => e.product === 'attendant-console').map((e) => e.quantity)).toEqual([
      2, 10,
    ]);
    expect(capacityAt(state?.entitlements ?? [], 'attendant-console', clock.now().getTime())).toBe(12);
    // the older item keeps its terms as written: nothing rewrites it
    const pool = await table.documents.send(
      new GetCommand({ TableName: table.tableName, Key: { pk: `ACC#${accountId}`, sk: 'PROD#attendant-console' } }),
    );
    expect(pool.Item).toMatchObject({ capacity: 10, kind: 'perpetual', entitlementsRev: 1, allocated: 10 });
  });
});

describe('the licensing use cases on DynamoDB as time passes', () => {
  let world: LicensingWorld;

  beforeEach(async () => {
    const clock = new FixedClock();
    const signer = await FakeSigner.create();
    const log = new RecordingLogger();
    const repo = repository();
    const deps: LicensingDeps = { repo, clock, ids, log, here: { region: 'eu', endpoints: ENDPOINTS } };
    const settings: LicenseSettings = { signer, nextPollSeconds: 3600, licenseTtlDays: 30 };
    // the in-memory world's shape, on DynamoDB (its repo's test hooks are not used here)
    world = { repo: repo as never, clock, ids, signer, log, deps, settings };
  });

  const claims = async (installationId: string) => {
    const outcome = await pollLicense(world.deps, world.settings, installationId, undefined, acceptSignature);
    if (outcome.status !== 200) throw new Error('expected a licence');
    return licenseClaims(outcome.license, world.signer);
  };
  const deposit = async (lines: OrderLine[], accountId?: string) =>
    (
      await depositOrder(
        world.deps,
        principals.backoffice,
        ids.id('PO-'),
        accountId ? existingAccountOrder(accountId, lines) : newAccountOrder(lines),
      )
    ).result.accountId;
  const ivr = async (accountId: string) =>
    (await getAccount(world.deps, principals.backoffice, accountId)).products.find((p) => p.product === 'ivr');

  it('a perpetual 5 and a subscription 3 ending tomorrow: capacity 8 today, 5 after the end, the terms saying so', async () => {
    // Arrange
    const accountId = await deposit([perpetualLine('ivr', 5), subscriptionLine('ivr', 3, day(-30), day(1))]);
    const { installationId } = await activateNew(world, accountId);
    const today = await claims(installationId);
    const capacityToday = (await ivr(accountId))?.capacity;

    // Act
    world.clock.set(new Date(day(1)));
    const afterTheEnd = await claims(installationId);
    const standingAfter = await ivr(accountId);
    const more = activateNew(world, accountId, { allocation: { ivr: 1 } });

    // Assert
    expect(capacityToday).toBe(8);
    expect(today.products[0]).toMatchObject({
      capacity: 8,
      expiresAt: day(1),
      terms: [
        { quantity: 5, kind: 'perpetual' },
        { quantity: 3, kind: 'subscription', startsAt: day(-30), endsAt: day(1) },
      ],
    });
    expect(standingAfter).toMatchObject({ capacity: 5, allocated: 8, free: 0 });
    expect(afterTheEnd.products[0]).toMatchObject({
      capacity: 8,
      terms: [{ quantity: 5, kind: 'perpetual' }],
      shortfall: { quantity: 3, enforcedAt: day(31) },
    });
    await expect(more).rejects.toThrow(ConflictError);
  });

  it('Care renewed by a care line: the licence’s care.expiresAt follows it', async () => {
    // Arrange
    const accountId = await deposit([perpetualLine('acd', 2, { level: 'gold', endsAt: day(20) })]);
    const { installationId } = await activateNew(world, accountId);
    const before = await claims(installationId);

    // Act
    await deposit([{ product: 'acd', kind: 'care', care: { level: 'gold', endsAt: day(385) } }], accountId);
    const after = await claims(installationId);

    // Assert
    expect(before.products[0]?.care).toEqual({ level: 'gold', expiresAt: day(20) });
    expect(after.products[0]?.care).toEqual({ level: 'gold', expiresAt: day(385) });
  });
});

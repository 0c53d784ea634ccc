/** Support's rule settings on DynamoDB Local: every change moves the revision in its own transaction, and only a change does. */
import { DynamoDbRuleSettings } from '#lambdas/adapters/dynamodb-rule-settings';
import { createSupportTable, type SupportTable } from '#test/support/support-table';

jest.setTimeout(30_000);

let table: SupportTable;
let settings: DynamoDbRuleSettings;

beforeAll(async () => {
  table = await createSupportTable(`rule-settings-test-${process.pid}-${Date.now()}`);
  settings = new DynamoDbRuleSettings(table.documents, table.tableName);
});

afterAll(async () => {
  await table?.drop();
});

const stored = (warnRatio: number) => ({
  ruleId: 'db-express-cap',
  settings: { warnRatio },
  updatedAt: '2026-03-02T09:00:00.000Z',
  updatedBy: 'sub-support-1',
});

describe('DynamoDbRuleSettings', () => {
  it('moves the revision with each setting stored or removed, and not for a removal of nothing', async () => {
    // Arrange
    const before = await settings.revision();

    // Act
    await settings.put('acc_rev', stored(0.4));
    const afterPut = await settings.revision();
    await settings.put('acc_rev', stored(0.5));
    const afterSecondPut = await settings.revision();
    const removed = await settings.remove('acc_rev', 'db-express-cap');
    const afterRemove = await settings.revision();
    const removedAgain = await settings.remove('acc_rev', 'db-express-cap');

    // Assert
    expect(before).toBe(0);
    expect([afterPut, afterSecondPut, afterRemove]).toEqual([1, 2, 3]);
    expect([removed, removedAgain]).toEqual([true, false]);
    expect(await settings.revision()).toBe(3);
    expect(await settings.settingsOf('acc_rev')).toEqual({});
  });

  it('reads an account’s settings as stored, and none of another account’s', async () => {
    // Arrange
    await settings.put('acc_one', stored(0.3));

    // Act
    const one = await settings.settingsOf('acc_one');
    const other = await settings.settingsOf('acc_other');

    // Assert
    expect(one).toEqual({ 'db-express-cap': { warnRatio: 0.3 } });
    expect(other).toEqual({});
  });
});

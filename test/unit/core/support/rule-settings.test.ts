/** Support's per-account rule settings: validated by the rule's schema, stored, audited, idempotent, supplied per invocation. */
import { ForbiddenError, NotFoundError, ValidationError, WrongRegionError } from '#lambdas/core/errors';
import type { AuditEvent } from '#lambdas/core/licensing/model';
import type { AdvisoryTable } from '#lambdas/core/rules/advisories';
import { allRules } from '#lambdas/core/rules/catalogue/index';
import { KeptOverrides, mergeConfigInputs } from '#lambdas/core/rules/config-sources';
import {
  deleteRuleSetting,
  getRuleSettings,
  putRuleSetting,
  type RuleSettingsDeps,
  type RuleSettingsStore,
  type StoredRuleSetting,
} from '#lambdas/core/support/rule-settings';
import {
  inRegion,
  licensingWorld,
  principals,
  seedAccount,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';

class MemoryRuleSettings implements RuleSettingsStore {
  readonly byAccount = new Map<string, Map<string, StoredRuleSetting>>();
  reads = 0;
  rev = 0;
  revisionReads = 0;
  /** the next list() of this account fails once */
  failNext: string | undefined;
  async list(accountId: string) {
    this.reads++;
    if (this.failNext === accountId) {
      this.failNext = undefined;
      throw new Error('throttled');
    }
    return [...(this.byAccount.get(accountId)?.values() ?? [])];
  }
  async settingsOf(accountId: string) {
    return Object.fromEntries((await this.list(accountId)).map((s) => [s.ruleId, s.settings]));
  }
  async revision() {
    this.revisionReads++;
    return this.rev;
  }
  async put(accountId: string, setting: StoredRuleSetting) {
    const byRule = this.byAccount.get(accountId) ?? new Map();
    byRule.set(setting.ruleId, setting);
    this.byAccount.set(accountId, byRule);
    this.rev++;
  }
  async remove(accountId: string, ruleId: string) {
    const removed = this.byAccount.get(accountId)?.delete(ruleId) ?? false;
    if (removed) this.rev++;
    return removed;
  }
}

let world: LicensingWorld;
let accountId: string;
let store: MemoryRuleSettings;
let audit: AuditEvent[];
let deps: RuleSettingsDeps;

beforeEach(async () => {
  world = await licensingWorld();
  accountId = await seedAccount(world);
  store = new MemoryRuleSettings();
  audit = [];
  deps = {
    settings: store,
    accounts: world.repo,
    audit: { append: async (e) => void audit.push(e) },
    rules: allRules,
    clock: world.clock,
    ids: world.ids,
    here: world.deps.here,
  };
});

describe('putRuleSetting', () => {
  it('stores the fields support set, audits once, and the same settings again write nothing', async () => {
    const view = await putRuleSetting(deps, principals.support, accountId, 'db-express-cap', { warnRatio: 0.5 });
    const again = await putRuleSetting(deps, principals.support, accountId, 'db-express-cap', { warnRatio: 0.5 });

    expect(view).toEqual(
      expect.objectContaining({
        ruleId: 'db-express-cap',
        settings: { warnRatio: 0.5 },
        effective: expect.objectContaining({ warnRatio: 0.5 }),
        defaults: expect.objectContaining({ warnRatio: 0.8 }),
        updatedBy: principals.support.sub,
      }),
    );
    expect(again).toEqual(view);
    expect(audit).toEqual([
      expect.objectContaining({
        accountId,
        action: 'rule-settings.set',
        actor: { kind: 'support', id: principals.support.sub },
        details: { ruleId: 'db-express-cap', settings: { warnRatio: 0.5 } },
      }),
    ]);
  });

  it('refuses values the rule’s schema refuses, naming the path inside the settings, and unknown fields', async () => {
    const bad = putRuleSetting(deps, principals.support, accountId, 'db-express-cap', {
      warnRatio: 'high',
      typo: 1,
    });

    await expect(bad).rejects.toBeInstanceOf(ValidationError);
    const error = (await bad.catch((e: unknown) => e)) as ValidationError;
    expect(error.errors.map((e) => e.path).sort()).toEqual(['typo', 'warnRatio']);
    expect(store.byAccount.size).toBe(0);
    expect(audit).toEqual([]);
  });

  it('refuses a nested value by its full path', async () => {
    const bad = putRuleSetting(deps, principals.support, accountId, 'firewall-off', {
      offSeverity: { public: 'loud' },
    });

    const error = (await bad.catch((e: unknown) => e)) as ValidationError;
    expect(error.errors.map((e) => e.path)).toEqual(['offSeverity.public']);
  });

  it('is support’s alone, for a known rule and account, in the account’s home region', async () => {
    await expect(
      putRuleSetting(deps, principals.backoffice, accountId, 'db-express-cap', { warnRatio: 0.5 }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(putRuleSetting(deps, principals.support, accountId, 'no-such-rule', {})).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      putRuleSetting(deps, principals.support, 'acc_nope12345', 'db-express-cap', {}),
    ).rejects.toBeInstanceOf(NotFoundError);
    const us = { ...deps, here: inRegion(world, 'us').deps.here };
    await expect(putRuleSetting(us, principals.support, accountId, 'db-express-cap', {})).rejects.toBeInstanceOf(
      WrongRegionError,
    );
  });
});

describe('getRuleSettings and deleteRuleSetting', () => {
  it('lists every rule with its defaults and the account’s settings, and goes back to the defaults', async () => {
    await putRuleSetting(deps, principals.support, accountId, 'dns-single', { minServers: 3 });

    const before = await getRuleSettings(deps, principals.backoffice, accountId);
    await deleteRuleSetting(deps, principals.support, accountId, 'dns-single');
    await deleteRuleSetting(deps, principals.support, accountId, 'dns-single');
    const after = await getRuleSettings(deps, principals.support, accountId);

    expect(before.rules).toHaveLength(allRules.length);
    expect(before.rules.find((r) => r.ruleId === 'dns-single')).toEqual(
      expect.objectContaining({ settings: { minServers: 3 }, effective: expect.objectContaining({ minServers: 3 }) }),
    );
    expect(after.rules.find((r) => r.ruleId === 'dns-single')).toEqual(
      expect.objectContaining({ settings: null, effective: expect.objectContaining({ minServers: 2 }) }),
    );
    expect(audit.map((e) => e.action)).toEqual(['rule-settings.set', 'rule-settings.removed']);
  });

  it('is refused to customers and resellers', async () => {
    await expect(getRuleSettings(deps, principals.customer(accountId), accountId)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(getRuleSettings(deps, principals.reseller(), accountId)).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('the rules’ config inputs', () => {
  const table = (ruleId: 'cucm-compat' | 'suite-outdated', t: Record<string, unknown>): AdvisoryTable => ({
    ruleId,
    table: t,
    updatedAt: '2026-03-02T09:00:00.000Z',
    updatedBy: 'sub-backoffice-1',
  });

  it('lays the account’s settings over the advisory table, field by field', () => {
    const merged = mergeConfigInputs([table('suite-outdated', { oldestSupported: '2023.1', knownIssues: [] })], {
      'suite-outdated': { unsupportedSeverity: 'critical' },
      'dns-single': { minServers: 3 },
    });

    expect(merged).toEqual({
      'suite-outdated': { oldestSupported: '2023.1', knownIssues: [], unsupportedSeverity: 'critical' },
      'dns-single': { minServers: 3 },
    });
    expect(mergeConfigInputs([], {})).toBeUndefined();
  });

  describe('KeptOverrides: the rules’ config inputs across invocations', () => {
    const setting = (ruleId: string, settings: Record<string, unknown>): StoredRuleSetting => ({
      ruleId,
      settings,
      updatedAt: '',
      updatedBy: '',
    });
    let tableReads: number;
    let kept: KeptOverrides;

    beforeEach(() => {
      store = new MemoryRuleSettings();
      tableReads = 0;
      kept = new KeptOverrides(
        store,
        {
          list: async () => {
            tableReads++;
            return [table('cucm-compat', { matrix: [{ suite: '2025', cucm: ['14'] }] })];
          },
        },
        3,
      );
    });

    it('reads the tables and the revision once an invocation, and an account’s settings once while the revision stands', async () => {
      // Arrange
      await store.put('acc_a', setting('dns-single', { minServers: 3 }));
      const first = kept.forInvocation();

      // Act
      const [a1, a2, b] = await Promise.all([first('acc_a'), first('acc_a'), first('acc_b')]);
      const second = kept.forInvocation();
      const [a3, b2] = await Promise.all([second('acc_a'), second('acc_b')]);

      // Assert
      expect(a1).toEqual(a2);
      expect(a3).toEqual(a1);
      expect(a1?.['dns-single']).toEqual({ minServers: 3 });
      expect(b).toEqual({ 'cucm-compat': { matrix: [{ suite: '2025', cucm: ['14'] }] } });
      expect(b2).toEqual(b);
      expect(tableReads).toBe(2);
      expect(store.revisionReads).toBe(2);
      expect(store.reads).toBe(2);
    });

    it('gives the next invocation a change made after the last one, for every account kept', async () => {
      // Arrange
      await kept.forInvocation()('acc_a');
      await kept.forInvocation()('acc_b');
      await store.put('acc_a', setting('dns-single', { minServers: 4 }));

      // Act
      const next = kept.forInvocation();
      const [a, b] = await Promise.all([next('acc_a'), next('acc_b')]);
      await store.remove('acc_a', 'dns-single');
      const after = await kept.forInvocation()('acc_a');

      // Assert
      expect(a?.['dns-single']).toEqual({ minServers: 4 });
      expect(b?.['dns-single']).toBeUndefined();
      expect(after?.['dns-single']).toBeUndefined();
      expect(store.reads).toBe(5);
    });

    it('keeps no failed read: the invocation fails, the next reads again', async () => {
      // Arrange
      await store.put('acc_a', setting('dns-single', { minServers: 3 }));
      store.failNext = 'acc_a';

      // Act
      const failed = kept.forInvocation()('acc_a');
      await expect(failed).rejects.toThrow('throttled');
      const retried = await kept.forInvocation()('acc_a');

      // Assert
      expect(retried?.['dns-single']).toEqual({ minServers: 3 });
      expect(store.reads).toBe(2);
    });

    it('keeps at most its number of accounts, the oldest dropped first', async () => {
      // Arrange
      const overridesFor = kept.forInvocation();
      for (const account of ['acc_1', 'acc_2', 'acc_3', 'acc_4']) await overridesFor(account);

      // Act
      await overridesFor('acc_4');
      await overridesFor('acc_2');
      await overridesFor('acc_1');

      // Assert: acc_1 made room for acc_4 and was read again
      expect(store.reads).toBe(5);
    });
  });
});

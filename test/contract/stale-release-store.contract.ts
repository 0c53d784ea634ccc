/**
 * The StaleReleaseStore contract, kept by the in-memory store (unit tests) and the DynamoDB one
 * (test/integration/adapters): settings by account, the enabled ones by home region, notices kept
 * across setting changes, each change with its audit event.
 */
import type { AuditEvent } from '#lambdas/core/licensing/model';
import type { StaleReleaseStore } from '#lambdas/core/licensing/stale-release';

export interface StaleReleaseStoreSubject {
  readonly store: StaleReleaseStore;
  /** the audit events written for the account, oldest first */
  auditOf(accountId: string): Promise<AuditEvent[]>;
}

const audit = (accountId: string, n: number, action: string): AuditEvent => ({
  accountId,
  at: `2026-03-0${n}T09:00:00.000Z`,
  eventId: `evt_${String(n).padStart(8, '0')}`,
  actor: { kind: 'customer', id: 'user-1' },
  action,
  details: { n },
});

export function staleReleaseStoreContract(
  name: string,
  subject: () => StaleReleaseStoreSubject | Promise<StaleReleaseStoreSubject>,
) {
  describe(`${name} keeps the StaleReleaseStore contract`, () => {
    it('lists the enabled settings of one home region, notices kept across a change of the setting', async () => {
      // Arrange
      const { store, auditOf } = await subject();
      const suffix = `${process.pid}${Date.now()}`;
      const eu = `acc_eu${suffix}`;
      const off = `acc_off${suffix}`;
      const us = `acc_us${suffix}`;

      // Act
      await store.putSetting(
        { accountId: eu, region: 'eu', enabled: true, afterDays: 30 },
        audit(eu, 1, 'stale-release.enabled'),
      );
      await store.putSetting(
        { accountId: off, region: 'eu', enabled: false, afterDays: 30 },
        audit(off, 1, 'stale-release.disabled'),
      );
      await store.putSetting(
        { accountId: us, region: 'us', enabled: true, afterDays: 90 },
        audit(us, 1, 'stale-release.enabled'),
      );
      await store.recordNotice(eu, 'inst_1', '2026-03-02T10:00:00.000Z', audit(eu, 2, 'installation.stale-notice'));
      await store.putSetting(
        { accountId: eu, region: 'eu', enabled: true, afterDays: 45 },
        audit(eu, 3, 'stale-release.enabled'),
      );
      const enabledEu = (await store.listEnabled('eu')).filter((r) => r.accountId.endsWith(suffix));
      const enabledUs = (await store.listEnabled('us')).filter((r) => r.accountId.endsWith(suffix));

      // Assert
      expect(enabledEu).toEqual([
        { accountId: eu, region: 'eu', enabled: true, afterDays: 45, notices: { inst_1: '2026-03-02T10:00:00.000Z' } },
      ]);
      expect(enabledUs).toEqual([{ accountId: us, region: 'us', enabled: true, afterDays: 90, notices: {} }]);
      expect(await store.get(off)).toEqual({
        accountId: off,
        region: 'eu',
        enabled: false,
        afterDays: 30,
        notices: {},
      });
      expect(await store.get(`acc_none${suffix}`)).toBeNull();
      expect((await auditOf(eu)).map((e) => e.action)).toEqual([
        'stale-release.enabled',
        'installation.stale-notice',
        'stale-release.enabled',
      ]);
    });
  });
}

/**
 * Fixtures for the support use cases: a licensing world with two accounts (the first sold by
 * RESELLER_ID, the second by OTHER_RESELLER_ID), an in-memory support store beside it, and
 * factories for the records the rules Lambda writes (installation health, findings, snapshots).
 */
import type { FindingRecord } from '#lambdas/core/rules/engine';
import type { SnapshotRecord } from '#lambdas/core/rules/ports';
import type { InstallationHealth, SupportDeps } from '#lambdas/core/support/ports';
import type { Principal } from '#lambdas/core/licensing/access';
import {
  activateNew,
  licensingWorld,
  newAccountOrder,
  OTHER_RESELLER_ID,
  perpetualLine,
  principals,
  RESELLER_ID,
  seedAccount,
  T0,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';
import { MemorySupportStore } from '#test/support/memory-support-store';

export { principals, RESELLER_ID, OTHER_RESELLER_ID, T0 };

export interface SupportWorld {
  readonly licensing: LicensingWorld;
  readonly store: MemorySupportStore;
  readonly deps: SupportDeps;
  /** sold by RESELLER_ID, one active installation */
  readonly accountId: string;
  readonly installationId: string;
  /** sold by OTHER_RESELLER_ID, one active installation */
  readonly otherAccountId: string;
  readonly otherInstallationId: string;
}

export async function supportWorld(): Promise<SupportWorld> {
  const licensing = await licensingWorld();
  const accountId = await seedAccount(
    licensing,
    newAccountOrder([perpetualLine('ivr', 10)], { name: 'Contoso Clinic', resellerId: RESELLER_ID }),
  );
  const otherAccountId = await seedAccount(
    licensing,
    newAccountOrder([perpetualLine('ivr', 10)], { name: 'Fabrikam', resellerId: OTHER_RESELLER_ID }),
  );
  const { installationId } = await activateNew(licensing, accountId);
  const { installationId: otherInstallationId } = await activateNew(licensing, otherAccountId);
  const store = new MemorySupportStore();
  return {
    licensing,
    store,
    deps: { store, accounts: licensing.repo, clock: licensing.clock, ids: licensing.ids },
    accountId,
    installationId,
    otherAccountId,
    otherInstallationId,
  };
}

/** The six callers every authorisation matrix tries, and whether they may read the first account. */
export function accountReaders(world: SupportWorld): [string, Principal, boolean][] {
  return [
    ['support', principals.support, true],
    ['back office', principals.backoffice, true],
    ['the customer itself', principals.customer(world.accountId), true],
    ['another customer', principals.customer(world.otherAccountId), false],
    ['its reseller', principals.reseller(RESELLER_ID), true],
    ['another reseller', principals.reseller(OTHER_RESELLER_ID), false],
  ];
}

export function healthOf(installationId: string, accountId: string, overrides: Partial<InstallationHealth> = {}) {
  return {
    installationId,
    accountId,
    lastBeatAt: T0.toISOString(),
    careLevel: 'gold',
    openFindings: [],
    ...overrides,
  } satisfies InstallationHealth;
}

let findingCounter = 0;

/** An open warning of db-express-cap, updated at T0 unless told otherwise. */
export function findingOf(installationId: string, accountId: string, overrides: Partial<FindingRecord> = {}) {
  const findingId = overrides.findingId ?? `fnd_test${String(++findingCounter).padStart(18, '0')}`;
  const at = T0.toISOString();
  const evidence = { sizeBytes: 8_800_000_000, capBytes: 10_737_418_240, percent: 82 };
  return {
    findingId,
    installationId,
    accountId,
    ruleId: 'db-express-cap',
    subject: 'UCX',
    severity: 'warning',
    status: 'open',
    openedAt: at,
    updatedAt: at,
    evidence,
    history: [{ at, event: 'opened', severity: 'warning', evidence }],
    audience: 'proactive',
    careLevel: 'gold',
    ...overrides,
  } satisfies FindingRecord;
}

export function snapshotOf(
  installationId: string,
  accountId: string,
  type: SnapshotRecord['type'],
  data: unknown,
  collectedAt = T0.toISOString(),
): SnapshotRecord {
  return { installationId, accountId, type, beatId: `beat-${type}`, collectedAt, data };
}

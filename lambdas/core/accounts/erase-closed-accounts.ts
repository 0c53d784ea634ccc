/**
 * The scheduled eraser (docs/retention.md): closed accounts of this region whose retention period
 * has passed lose what the privacy policy deletes — support findings, snapshots and rules state,
 * Presence data, users, activation keys — and keep what the law keeps (orders, entitlements, the
 * licence audit, the account reduced to its name, region and closure), which get their own expiry.
 * Each run does bounded work; every step is idempotent, so an account left unfinished (or a run that
 * failed half-way) is simply taken up again by the next run.
 */
import type { LicensingDeps } from '../licensing/deps';
import type { Actor } from '../licensing/model';
import type { PresenceStore } from '../presence/store';
import { deactivateInstallations, type ClosureStore } from './closure';
import { keepLicensingRecordsUntil } from './retention';
import type { UserDirectory } from './users';

/** What the support table must do for the eraser (regional; adapters/dynamodb-support-eraser.ts). */
export interface SupportEraser {
  /**
   * Deletes every item of these installations (rules state, snapshots, findings, acknowledgements),
   * at most `maxItems` a call; true once none is left.
   */
  eraseInstallations(installationIds: readonly string[], maxItems: number): Promise<boolean>;
  /** deletes the account's own support items (support's rule settings), once its installations' are gone */
  eraseAccount?(accountId: string): Promise<void>;
}

export interface EraserDeps {
  readonly licensing: LicensingDeps;
  readonly closures: ClosureStore;
  readonly support: SupportEraser;
  readonly presence: Pick<PresenceStore, 'forgetAccount'>;
  readonly users: Pick<UserDirectory, 'list' | 'remove'>;
}

export interface EraserLimits {
  /** accounts looked at per run */
  readonly accounts: number;
  /** support items, and kept records given their expiry, per account per run */
  readonly itemsPerAccount: number;
  /** installations deactivated per account per run (a closure that did not finish them) */
  readonly deactivationsPerAccount: number;
}

export const DEFAULT_ERASER_LIMITS: EraserLimits = {
  accounts: 25,
  itemsPerAccount: 5_000,
  deactivationsPerAccount: 200,
};

export interface EraserRun {
  readonly erased: string[];
  /** taken up but not finished within the limits: the next run continues */
  readonly unfinished: string[];
  /** index entries whose account was reopened or erased meanwhile */
  readonly skipped: string[];
}

const ERASER: Actor = { kind: 'system', id: 'account-eraser' };

export async function eraseClosedAccounts(
  deps: EraserDeps,
  limits: EraserLimits = DEFAULT_ERASER_LIMITS,
): Promise<EraserRun> {
  const { licensing } = deps;
  const region = licensing.here.region;
  const now = licensing.clock.now().toISOString();
  const run: EraserRun = { erased: [], unfinished: [], skipped: [] };
  for (const due of await deps.closures.dueForErasure(region, now, limits.accounts)) {
    const state = await licensing.repo.getAccountState(due.accountId);
    const closure = state?.account.closure;
    if (!state || !closure || closure.erasedAt || closure.eraseAfter !== due.eraseAfter) {
      await deps.closures.forgetDue(region, due);
      run.skipped.push(due.accountId);
      continue;
    }
    const { accountId } = due;
    const left = await deactivateInstallations(licensing, accountId, ERASER, limits.deactivationsPerAccount);
    const installationIds = state.installations.map((i) => i.installationId);
    const supportDone = left === 0 && (await deps.support.eraseInstallations(installationIds, limits.itemsPerAccount));
    if (!supportDone) {
      run.unfinished.push(accountId);
      continue;
    }
    await deps.support.eraseAccount?.(accountId);
    await deps.presence.forgetAccount(accountId);
    const users = await deps.users.list(accountId);
    for (const user of users) await deps.users.remove(accountId, user.userId);
    const keyHashes: string[] = [];
    const thumbprints: string[] = [];
    for (const id of installationIds) {
      const installation = await licensing.repo.getInstallation(id);
      if (installation) {
        keyHashes.push(installation.activationKeyHash);
        thumbprints.push(installation.thumbprint);
      }
    }
    await deps.closures.deleteActivationKeys(keyHashes);
    const orderIds = [...new Set(state.entitlements.map((e) => e.entitlementId.replace(/#\d+$/, '')))];
    const keptExpire = await deps.closures.expireKeptRecords(
      {
        accountId,
        orderIds,
        installationIds,
        thumbprints,
        ...(state.account.resellerId && { resellerId: state.account.resellerId }),
      },
      keepLicensingRecordsUntil(closure.closedAt),
      limits.itemsPerAccount,
    );
    if (!keptExpire) {
      run.unfinished.push(accountId);
      continue;
    }
    await deps.closures.markErased({
      accountId,
      region,
      eraseAfter: due.eraseAfter,
      erasedAt: now,
      keptUntil: keepLicensingRecordsUntil(closure.closedAt),
      audit: {
        accountId,
        at: now,
        eventId: licensing.ids.id('evt_'),
        actor: ERASER,
        action: 'account.erased',
        details: {
          installations: installationIds.length,
          users: users.length,
          activationKeys: keyHashes.length,
          keptUntil: keepLicensingRecordsUntil(closure.closedAt),
        },
      },
    });
    run.erased.push(accountId);
  }
  return run;
}

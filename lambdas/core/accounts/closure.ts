/**
 * Closing a Smart Account (docs/retention.md). Its administrator or the back office confirms the
 * account's name; the account is marked closed in one write (its installations' next requests are
 * refused at once, telemetry is off), then every installation is deactivated and Presence is
 * disconnected. Every step is idempotent: closing a closed account finishes what is left and answers
 * the same. The erasable data goes after ERASE_AFTER_CLOSURE_DAYS (erase-closed-accounts.ts); until
 * then the back office may reopen the account.
 */
import * as z from 'zod/mini';
import { GoneError, NotFoundError, ValidationError } from '../errors';
import { assertAccountAccess, assertMayAddressAccount, assertRole, type Principal } from '../licensing/access';
import type { Region } from '../licensing/catalogue';
import { releaseClosedAccountInstallation } from '../licensing/deactivate-installation';
import type { LicensingDeps } from '../licensing/deps';
import { assertHomeRegion } from '../licensing/home-region';
import type { AccountClosure, Actor, AuditEvent, SmartAccount } from '../licensing/model';
import { disconnectTenant, setPresence } from '../presence/account';
import type { PresenceDeps } from '../presence/deps';
import { eraseAfterOf } from './retention';

export const closureBodySchema = z.strictObject({
  confirmName: z.string().check(z.trim(), z.minLength(1, 'type the account name'), z.maxLength(200)),
});
export type ClosureBody = z.infer<typeof closureBodySchema>;

/** The closure as the portal shows it. */
export interface ClosureView {
  readonly accountId: string;
  readonly status: 'open' | 'closed';
  readonly closedAt?: string;
  readonly eraseAfter?: string;
  readonly erasedAt?: string;
  /** installations still to deactivate (a large account's closure finishes on retry or by the eraser) */
  readonly installationsPending?: number;
}

export interface ClosureCommit {
  readonly accountId: string;
  readonly region: Region;
  readonly closure: AccountClosure;
  readonly audit: AuditEvent;
}

export interface ReopenCommit {
  readonly accountId: string;
  readonly region: Region;
  /** the closure being undone: the commit holds only while it is still that one, not erased */
  readonly eraseAfter: string;
  readonly audit: AuditEvent;
}

export interface ErasureDue {
  readonly accountId: string;
  readonly eraseAfter: string;
}

export interface ErasedCommit {
  readonly accountId: string;
  readonly region: Region;
  readonly eraseAfter: string;
  readonly erasedAt: string;
  /** the kept records' expiry, which the `account.erased` event carries too */
  readonly keptUntil: string;
  readonly audit: AuditEvent;
}

/** The closures on the licensing table: the account's `closure`, the eraser's index, the kept records' expiry. */
export interface ClosureStore {
  /**
   * Marks the account closed (telemetry off, termsRev + 1, so every licence is rebuilt) with its
   * audit event, and enters it in the eraser's index; false when it was closed already.
   */
  close(commit: ClosureCommit): Promise<boolean>;
  /** undoes a closure not yet erased (and leaves the index); false when there was none to undo */
  reopen(commit: ReopenCommit): Promise<boolean>;
  /** closed accounts of `region` whose `eraseAfter` is before `before`, oldest first, at most `limit` */
  dueForErasure(region: Region, before: string, limit: number): Promise<ErasureDue[]>;
  /** leaves the index without erasing (an entry whose account was reopened or erased meanwhile) */
  forgetDue(region: Region, due: ErasureDue): Promise<void>;
  /** deletes these activation keys (by hash) */
  deleteActivationKeys(keyHashes: readonly string[]): Promise<void>;
  /**
   * Writes `ttl` = `until` on the records kept after erasure (the account's partition, its audit
   * trail, its orders and installations, the keys its installations were bound to, its reseller's
   * entry and its creator's `OWNER#`), at most `maxItems` of them a call; true once all carry it.
   */
  expireKeptRecords(
    account: {
      readonly accountId: string;
      readonly orderIds: readonly string[];
      readonly installationIds: readonly string[];
      readonly thumbprints?: readonly string[];
      readonly resellerId?: string;
    },
    until: string,
    maxItems: number,
  ): Promise<boolean>;
  /** records the erasure on the account (`closure.erasedAt`) with its audit event and leaves the index */
  markErased(commit: ErasedCommit): Promise<void>;
}

export interface ClosureDeps {
  readonly licensing: LicensingDeps;
  readonly closures: ClosureStore;
  /** Presence is disconnected through its own use cases; absent where the function has no Presence */
  readonly presence?: PresenceDeps;
}

/** Deactivations a closure request does itself; the rest finish on its retry or in the eraser's next run. */
export const MAX_DEACTIVATIONS_PER_REQUEST = 100;

const actorOf = (principal: Principal): Actor => ({ kind: principal.role, id: principal.sub });

export function closureView(account: SmartAccount, installationsPending?: number): ClosureView {
  const { closure } = account;
  if (!closure) return { accountId: account.accountId, status: 'open' };
  return {
    accountId: account.accountId,
    status: 'closed',
    closedAt: closure.closedAt,
    eraseAfter: closure.eraseAfter,
    ...(closure.erasedAt && { erasedAt: closure.erasedAt }),
    ...(installationsPending ? { installationsPending } : {}),
  };
}

/** `POST /v1/accounts/{accountId}/closure`: the account's administrator or the back office. */
export async function closeAccount(
  deps: ClosureDeps,
  principal: Principal,
  accountId: string,
  body: ClosureBody,
): Promise<ClosureView> {
  assertRole(principal, 'customer', 'backoffice');
  const account = await managedAccount(deps, principal, accountId);
  let closed = account;
  if (!account.closure) {
    // The name typed is the confirmation: a slip on the wrong account's page closes nothing.
    if (body.confirmName !== account.name.trim())
      throw new ValidationError([{ path: 'confirmName', message: 'type the account name exactly as shown' }]);
    const now = deps.licensing.clock.now().toISOString();
    const closure: AccountClosure = { closedAt: now, closedBy: actorOf(principal), eraseAfter: eraseAfterOf(now) };
    const active = (await deps.licensing.repo.getAccountState(accountId))?.installations.filter(
      (i) => i.status === 'active',
    );
    await deps.closures.close({
      accountId,
      region: account.region,
      closure,
      audit: {
        accountId,
        at: now,
        eventId: deps.licensing.ids.id('evt_'),
        actor: closure.closedBy,
        action: 'account.closed',
        details: { eraseAfter: closure.eraseAfter, activeInstallations: active?.length ?? 0 },
      },
    });
    closed = (await deps.licensing.repo.getAccountState(accountId))?.account ?? { ...account, closure };
  }
  const pending = await deactivateInstallations(
    deps.licensing,
    accountId,
    actorOf(principal),
    MAX_DEACTIVATIONS_PER_REQUEST,
  );
  if (deps.presence) {
    await disconnectTenant(deps.presence, principal, accountId);
    await setPresence(deps.presence, principal, accountId, { enabled: false });
  }
  return closureView(closed, pending);
}

/** `GET /v1/accounts/{accountId}/closure`: whoever may read the account. */
export async function getClosure(deps: ClosureDeps, principal: Principal, accountId: string): Promise<ClosureView> {
  assertMayAddressAccount(principal, accountId);
  const state = await deps.licensing.repo.getAccountState(accountId);
  assertAccountAccess(principal, state?.account, 'read');
  if (!state) throw new NotFoundError(`Account ${accountId} does not exist.`);
  return closureView(state.account, state.account.closure ? countActive(state.installations) : undefined);
}

/**
 * `DELETE /v1/accounts/{accountId}/closure`: the back office reopens an account before its data is
 * erased. Its installations stay deactivated (they activate again with new keys) and telemetry off
 * until someone switches it on: reopening restores the account, not what the closure ended.
 */
export async function reopenAccount(deps: ClosureDeps, principal: Principal, accountId: string): Promise<ClosureView> {
  assertRole(principal, 'backoffice');
  const account = await managedAccount(deps, principal, accountId);
  const { closure } = account;
  if (!closure) return closureView(account);
  const now = deps.licensing.clock.now().toISOString();
  if (closure.erasedAt || now >= closure.eraseAfter)
    throw new GoneError(
      `Account ${accountId} is past its retention period (${closure.eraseAfter}); it cannot be reopened.`,
    );
  await deps.closures.reopen({
    accountId,
    region: account.region,
    eraseAfter: closure.eraseAfter,
    audit: {
      accountId,
      at: now,
      eventId: deps.licensing.ids.id('evt_'),
      actor: actorOf(principal),
      action: 'account.reopened',
      details: { closedAt: closure.closedAt },
    },
  });
  const reopened = (await deps.licensing.repo.getAccountState(accountId))?.account;
  return closureView(reopened ?? account);
}

async function managedAccount(deps: ClosureDeps, principal: Principal, accountId: string): Promise<SmartAccount> {
  assertMayAddressAccount(principal, accountId);
  const state = await deps.licensing.repo.getAccountState(accountId);
  assertAccountAccess(principal, state?.account, 'manage');
  if (!state) throw new NotFoundError(`Account ${accountId} does not exist.`);
  assertHomeRegion(state.account.region, deps.licensing.here);
  return state.account;
}

const countActive = (installations: readonly { status: string }[]) =>
  installations.filter((i) => i.status === 'active').length;

/**
 * Deactivates up to `max` of the account's active installations through the one deactivation path
 * (their allocation back to the pools, `installation.deactivated` audited with reason
 * `account-closed`); returns how many are left active.
 */
export async function deactivateInstallations(
  deps: LicensingDeps,
  accountId: string,
  actor: Actor,
  max: number,
): Promise<number> {
  const active = (await deps.repo.getAccountState(accountId))?.installations.filter((i) => i.status === 'active') ?? [];
  for (const summary of active.slice(0, max)) {
    const installation = await deps.repo.getInstallation(summary.installationId);
    if (installation?.status === 'active') await releaseClosedAccountInstallation(deps, installation, actor);
  }
  return Math.max(0, active.length - max);
}

import { closeAccount, getClosure, reopenAccount, type ClosureDeps } from '#lambdas/core/accounts/closure';
import { eraseClosedAccounts, type EraserDeps } from '#lambdas/core/accounts/erase-closed-accounts';
import { ERASE_AFTER_CLOSURE_DAYS } from '#lambdas/core/accounts/retention';
import type { AccountUser } from '#lambdas/core/accounts/users';
import { ForbiddenError, GoneError, ValidationError } from '#lambdas/core/errors';
import { createActivationKey } from '#lambdas/core/licensing/create-activation-key';
import { depositOrder } from '#lambdas/core/licensing/deposit-order';
import { getAccount } from '#lambdas/core/licensing/get-account';
import { pollLicense } from '#lambdas/core/licensing/poll-license';
import { setTelemetry } from '#lambdas/core/licensing/set-telemetry';
import type { PresenceDeps } from '#lambdas/core/presence/deps';
import { MemoryClosureStore } from '#test/support/memory-closure-store';
import { MemoryPresenceStore } from '#test/support/memory-presence-store';
import {
  acceptSignature,
  activateNew,
  DAY_MS,
  existingAccountOrder,
  licensingWorld,
  newAccountOrder,
  perpetualLine,
  principals,
  RESELLER_ID,
  seedAccount,
  T0,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';

const NAME = 'Fabrikam Hospital';

class RecordingSupportEraser {
  readonly erased: string[][] = [];
  /** calls answered "not done yet" before the eraser may finish */
  unfinishedCalls = 0;
  async eraseInstallations(installationIds: readonly string[]): Promise<boolean> {
    this.erased.push([...installationIds]);
    if (this.unfinishedCalls > 0) {
      this.unfinishedCalls--;
      return false;
    }
    return true;
  }
}

class RecordingUsers {
  constructor(public users: AccountUser[]) {}
  readonly removed: string[] = [];
  async list(): Promise<AccountUser[]> {
    return this.users;
  }
  async remove(_accountId: string, userId: string): Promise<boolean> {
    this.removed.push(userId);
    this.users = this.users.filter((u) => u.userId !== userId);
    return true;
  }
}

let world: LicensingWorld;
let accountId: string;
let closures: MemoryClosureStore;
let presence: MemoryPresenceStore;
let deps: ClosureDeps;

beforeEach(async () => {
  world = await licensingWorld();
  accountId = await seedAccount(
    world,
    newAccountOrder([perpetualLine('ivr', 10)], { name: NAME, resellerId: RESELLER_ID }),
  );
  closures = new MemoryClosureStore(world.repo);
  presence = new MemoryPresenceStore(world.clock);
  const presenceDeps: PresenceDeps = {
    store: presence,
    clock: world.clock,
    ids: world.ids,
    log: world.log,
    metrics: { count: () => {} },
    licensing: {
      getInstallation: async (id) => world.repo.installation(id) ?? null,
      getAccount: async (id) => world.repo.account(id) ?? null,
    },
    audit: { append: async (event) => world.repo.appendAudit(event) },
    channel: { close: async () => {} } as never,
  };
  deps = { licensing: world.deps, closures, presence: presenceDeps };
});

const actionsOf = (id: string) => world.repo.auditOf(id).map((e) => e.action);

describe('closeAccount', () => {
  it('shows on the account itself that it is closed, and until when its data is kept', async () => {
    const before = await getAccount(world.deps, principals.backoffice, accountId);

    const view = await closeAccount(deps, principals.customer(accountId), accountId, { confirmName: NAME });
    const after = await getAccount(world.deps, principals.backoffice, accountId);

    expect(before.status).toBe('open');
    expect(before).not.toHaveProperty('closedAt');
    expect(after).toMatchObject({ status: 'closed', closedAt: view.closedAt, eraseAfter: view.eraseAfter });
  });

  it('closes at once: every installation deactivated, telemetry and Presence off, erasure 30 days later', async () => {
    const one = await activateNew(world, accountId, { allocation: { ivr: 3 } });
    const two = await activateNew(world, accountId, { allocation: { ivr: 2 } });
    await presence.setEnabled(accountId, true);
    world.clock.advanceDays(1);

    const view = await closeAccount(deps, principals.customer(accountId), accountId, { confirmName: NAME });

    const closedAt = new Date(T0.getTime() + DAY_MS).toISOString();
    const eraseAfter = new Date(T0.getTime() + (1 + ERASE_AFTER_CLOSURE_DAYS) * DAY_MS).toISOString();
    expect(view).toEqual({ accountId, status: 'closed', closedAt, eraseAfter });
    expect(world.repo.account(accountId)).toMatchObject({
      telemetryEnabled: false,
      closure: { closedAt, eraseAfter, closedBy: { kind: 'customer', id: `sub-${accountId}` } },
    });
    for (const { installationId } of [one, two])
      expect(world.repo.installation(installationId)).toMatchObject({ status: 'deactivated' });
    expect(world.repo.pool(accountId, 'ivr')).toMatchObject({ allocated: 0 });
    expect(world.repo.auditOf(accountId).filter((e) => e.action === 'installation.deactivated')).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ reason: 'account-closed' }) }),
      expect.objectContaining({ details: expect.objectContaining({ reason: 'account-closed' }) }),
    ]);
    expect(actionsOf(accountId)).toEqual(expect.arrayContaining(['account.closed', 'presence.disabled']));
    expect((await presence.getAccount(accountId))?.enabled).toBe(false);
  });

  it("refuses a name that is not the account's, closing nothing", async () => {
    const attempt = closeAccount(deps, principals.customer(accountId), accountId, { confirmName: 'Fabrikam' });

    await expect(attempt).rejects.toThrow(ValidationError);
    await expect(attempt).rejects.toMatchObject({ errors: [{ path: 'confirmName' }] });
    expect(world.repo.account(accountId)?.closure).toBeUndefined();
  });

  it('is for the account’s administrators and the back office only', async () => {
    const byReseller = closeAccount(deps, principals.reseller(), accountId, { confirmName: NAME });
    const bySupport = closeAccount(deps, principals.support, accountId, { confirmName: NAME });
    const byOther = closeAccount(deps, principals.customer('acc_99999999'), accountId, { confirmName: NAME });

    await expect(byReseller).rejects.toThrow(ForbiddenError);
    await expect(bySupport).rejects.toThrow(ForbiddenError);
    await expect(byOther).rejects.toThrow(ForbiddenError);
    expect(await closeAccount(deps, principals.backoffice, accountId, { confirmName: NAME })).toMatchObject({
      status: 'closed',
    });
  });

  it('answers the same when the account is closed already, auditing the closure once', async () => {
    const first = await closeAccount(deps, principals.customer(accountId), accountId, { confirmName: NAME });
    world.clock.advanceDays(2);

    const again = await closeAccount(deps, principals.backoffice, accountId, { confirmName: 'anything' });

    expect(again).toEqual(first);
    expect(actionsOf(accountId).filter((a) => a === 'account.closed')).toHaveLength(1);
  });

  it('refuses the closed account’s installations (410) and every new key, order and switch (410)', async () => {
    const { installationId } = await activateNew(world, accountId, { allocation: { ivr: 3 } });
    // the closure marks the account before deactivating: refused even if that had not happened yet
    closures.close = async (c) => {
      world.repo.patchAccount(c.accountId, (a) => ({ ...a, closure: c.closure, telemetryEnabled: false }));
      return true;
    };
    await closeAccount({ ...deps, licensing: { ...world.deps, repo: world.repo } }, principals.backoffice, accountId, {
      confirmName: NAME,
    });

    const poll = pollLicense(world.deps, world.settings, installationId, undefined, acceptSignature);
    const key = createActivationKey(world.deps, principals.backoffice, accountId, { expiresInDays: 30 });
    const order = depositOrder(
      world.deps,
      principals.backoffice,
      'PO-after',
      existingAccountOrder(accountId, [perpetualLine('ivr', 1)]),
    );
    const telemetry = setTelemetry(world.deps, principals.backoffice, accountId, { enabled: true });

    await expect(poll).rejects.toThrow(GoneError);
    await expect(key).rejects.toThrow(GoneError);
    await expect(order).rejects.toThrow(GoneError);
    await expect(telemetry).rejects.toThrow(GoneError);
  });
});

describe('reopenAccount', () => {
  it('lets the back office reopen within the retention period, and no one after it', async () => {
    await closeAccount(deps, principals.customer(accountId), accountId, { confirmName: NAME });
    world.clock.advanceDays(10);

    const byCustomer = reopenAccount(deps, principals.customer(accountId), accountId);
    const reopened = await reopenAccount(deps, principals.backoffice, accountId);
    await closeAccount(deps, principals.customer(accountId), accountId, { confirmName: NAME });
    world.clock.advanceDays(ERASE_AFTER_CLOSURE_DAYS);
    const late = reopenAccount(deps, principals.backoffice, accountId);

    await expect(byCustomer).rejects.toThrow(ForbiddenError);
    expect(reopened).toEqual({ accountId, status: 'open' });
    expect(closures.index.size).toBe(1);
    await expect(late).rejects.toThrow(GoneError);
    expect(actionsOf(accountId)).toContain('account.reopened');
    expect(await getClosure(deps, principals.support, accountId)).toMatchObject({ status: 'closed' });
  });
});

describe('eraseClosedAccounts', () => {
  let support: RecordingSupportEraser;
  let users: RecordingUsers;
  let eraser: EraserDeps;

  beforeEach(() => {
    support = new RecordingSupportEraser();
    users = new RecordingUsers([
      { userId: 'u-1', email: 'a@fabrikam.example', status: 'active' },
      { userId: 'u-2', email: 'b@fabrikam.example', status: 'invited' },
    ]);
    eraser = { licensing: world.deps, closures, support, presence, users };
  });

  it('erases nothing before the retention period ends, then everything erasable, keeping the licensing records', async () => {
    const { installationId, activationKey: _key } = await activateNew(world, accountId, { allocation: { ivr: 3 } });
    await presence.setEnabled(accountId, true);
    await closeAccount(deps, principals.customer(accountId), accountId, { confirmName: NAME });
    const keyHash = world.repo.installation(installationId)!.activationKeyHash;
    world.clock.advanceDays(ERASE_AFTER_CLOSURE_DAYS - 1);
    const early = await eraseClosedAccounts(eraser);
    world.clock.advanceDays(2);

    const run = await eraseClosedAccounts(eraser);
    const again = await eraseClosedAccounts(eraser);

    expect(early).toEqual({ erased: [], unfinished: [], skipped: [] });
    expect(run).toEqual({ erased: [accountId], unfinished: [], skipped: [] });
    expect(again).toEqual({ erased: [], unfinished: [], skipped: [] });
    expect(support.erased).toEqual([[installationId]]);
    expect(users.removed).toEqual(['u-1', 'u-2']);
    expect(await presence.getAccount(accountId)).toBeUndefined();
    expect(presence.remnants(accountId)).toEqual([]);
    expect(closures.deletedKeys).toEqual([keyHash]);
    expect(closures.expired.get(accountId)).toBe('2036-03-02T09:00:00.000Z');
    expect(closures.expiredRecords.get(accountId)?.thumbprints).toEqual([
      world.repo.installation(installationId)!.thumbprint,
    ]);
    const account = world.repo.account(accountId)!;
    expect(account.closure?.erasedAt).toBeDefined();
    expect(world.repo.snapshot().entitlements[accountId]).toHaveLength(1);
    expect(actionsOf(accountId)).toEqual(
      expect.arrayContaining(['installation.activated', 'account.closed', 'account.erased']),
    );
    expect(actionsOf(accountId).filter((a) => a === 'account.erased')).toHaveLength(1);
  });

  it('takes an unfinished account up again in the next run, and skips an account reopened meanwhile', async () => {
    const other = await seedAccount(world, newAccountOrder([perpetualLine('ivr', 1)], { name: 'Contoso' }));
    await closeAccount(deps, principals.customer(accountId), accountId, { confirmName: NAME });
    await closeAccount(deps, principals.backoffice, other, { confirmName: 'Contoso' });
    // reopened behind the index's back: the entry is stale
    world.repo.patchAccount(other, ({ closure: _c, ...a }) => a);
    support.unfinishedCalls = 1;
    world.clock.advanceDays(ERASE_AFTER_CLOSURE_DAYS + 1);

    const first = await eraseClosedAccounts(eraser);
    const second = await eraseClosedAccounts(eraser);

    expect(first).toEqual({ erased: [], unfinished: [accountId], skipped: [other] });
    expect(second).toEqual({ erased: [accountId], unfinished: [], skipped: [] });
    expect(closures.index.size).toBe(0);
  });
});

/** The people of an account: who may invite, list and remove, and that e-mails stay in the directory. */
import { ConflictError, ForbiddenError, NotFoundError } from '#lambdas/core/errors';
import {
  inviteAccountUser,
  listAccountUsers,
  removeAccountUser,
  type UserDirectory,
} from '#lambdas/core/accounts/users';
import { MemoryUserDirectory } from '#test/support/memory-user-directory';
import { depositOrder, orderBodySchema } from '#lambdas/core/licensing/deposit-order';
import {
  licensingWorld,
  newAccountOrder,
  OTHER_RESELLER_ID,
  principals,
  RESELLER_ID,
  seedAccount,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';

let world: LicensingWorld;
let directory: MemoryUserDirectory;
let accountId: string;
const deps = () => ({ repo: world.repo, directory });

beforeEach(async () => {
  world = await licensingWorld();
  directory = new MemoryUserDirectory();
  accountId = await seedAccount(world, newAccountOrder(undefined, { resellerId: RESELLER_ID }));
});

describe('account users', () => {
  it("lets the account's customer, its reseller and the back office invite, and lists the users by e-mail", async () => {
    await inviteAccountUser(deps(), principals.customer(accountId), accountId, { email: 'zoe@example.com' });
    await inviteAccountUser(deps(), principals.reseller(), accountId, { email: 'bob@example.com' });
    const made = await inviteAccountUser(deps(), principals.backoffice, accountId, { email: 'ann@example.com' });

    expect(made).toEqual({ userId: 'u-3', email: 'ann@example.com', status: 'invited' });
    expect(directory.index.queries).toBe(0);
    const { users } = await listAccountUsers(deps(), principals.support, accountId);
    expect(users.map((u) => u.email)).toEqual(['ann@example.com', 'bob@example.com', 'zoe@example.com']);
  });

  it("refuses another account's customer, another reseller and support (read only)", async () => {
    const other = await seedAccount(world);
    const invite = (p: Parameters<typeof inviteAccountUser>[1]) =>
      inviteAccountUser(deps(), p, accountId, { email: 'x@example.com' });

    await expect(invite(principals.customer(other))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(invite(principals.reseller(OTHER_RESELLER_ID))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(invite(principals.support)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(listAccountUsers(deps(), principals.customer(other), accountId)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect(directory.users).toEqual([]);
  });

  it('answers 404 for an unknown account and 409 for a user of another account, whom it does not invite', async () => {
    const other = await seedAccount(world);
    await inviteAccountUser(deps(), principals.backoffice, other, { email: 'ann@example.com' });

    await expect(
      inviteAccountUser(deps(), principals.backoffice, 'acc_unknown000', { email: 'a@example.com' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      inviteAccountUser(deps(), principals.backoffice, accountId, { email: 'ann@example.com' }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(directory.mails).toHaveLength(1);
  });

  it('removes a user of the account, not one of another account, and not oneself', async () => {
    const other = await seedAccount(world);
    const colleague = await inviteAccountUser(deps(), principals.backoffice, accountId, { email: 'bob@example.com' });
    const stranger = await inviteAccountUser(deps(), principals.backoffice, other, { email: 'eve@example.com' });
    const me = principals.customer(accountId);

    await expect(removeAccountUser(deps(), me, accountId, stranger.userId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(removeAccountUser(deps(), me, accountId, me.sub)).rejects.toBeInstanceOf(ConflictError);
    await removeAccountUser(deps(), me, accountId, colleague.userId);

    expect(directory.users.map((u) => u.email)).toEqual(['eve@example.com']);
  });
});

describe('an order that creates an account with an administrator', () => {
  const withAdmin = () => ({
    ...newAccountOrder(undefined, { resellerId: RESELLER_ID }),
    admin: { email: 'First.Admin@Example.com' },
  });

  it('invites the administrator into the new account, and keeps no e-mail in the table', async () => {
    const body = orderBodySchema.parse(withAdmin());

    const { created, result } = await depositOrder(world.deps, principals.backoffice, 'PO-ADMIN-1', body, directory);

    expect(created).toBe(true);
    expect(result.adminInvited).toBe(true);
    expect(directory.users).toEqual([
      expect.objectContaining({ email: 'first.admin@example.com', accountId: result.accountId }),
    ]);
    const stored = JSON.stringify([
      await world.repo.getOrder('PO-ADMIN-1'),
      await world.repo.getAccountState(result.accountId),
    ]);
    expect(stored).toContain(result.accountId);
    expect(stored.toLowerCase()).not.toContain('example.com');
  });

  it('replays the order with the same result, inviting again only if the first invitation did not happen', async () => {
    const body = orderBodySchema.parse(withAdmin());
    const failing: UserDirectory = Object.assign(Object.create(directory) as MemoryUserDirectory, {
      invite: () => Promise.reject(new Error('Cognito is down')),
    });

    await expect(depositOrder(world.deps, principals.backoffice, 'PO-ADMIN-2', body, failing)).rejects.toThrow(
      'Cognito is down',
    );
    const replay = await depositOrder(world.deps, principals.backoffice, 'PO-ADMIN-2', body, directory);
    const again = await depositOrder(world.deps, principals.backoffice, 'PO-ADMIN-2', body, directory);

    expect([replay.created, again.created]).toEqual([false, false]);
    expect(again.result).toEqual(replay.result);
    expect(directory.users).toHaveLength(1);
  });

  it('refuses an administrator on an order for an existing account', () => {
    const parsed = orderBodySchema.safeParse({
      account: { id: 'acc_abcdefgh12' },
      lines: withAdmin().lines,
      admin: { email: 'a@example.com' },
    });

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['admin']);
  });
});

describe('account users in the audit trail (issue 19.6)', () => {
  it('records an invitation and a removal with who did it and whom, by e-mail', async () => {
    const appended: { action: string; actor: unknown; details: unknown }[] = [];
    const audited = {
      ...deps(),
      audit: {
        writer: { append: async (e: (typeof appended)[number]) => void appended.push(e) },
        clock: world.clock,
        ids: world.ids,
      },
    };

    const made = await inviteAccountUser(audited, principals.customer(accountId), accountId, {
      email: 'ann@example.com',
    });
    await removeAccountUser(audited, principals.reseller(), accountId, made.userId);

    expect(appended.map((e) => [e.action, e.actor, e.details])).toEqual([
      ['user.invited', { kind: 'customer', id: `sub-${accountId}` }, { userId: made.userId, email: 'ann@example.com' }],
      [
        'user.removed',
        { kind: 'reseller', id: `sub-${RESELLER_ID}` },
        { userId: made.userId, email: 'ann@example.com' },
      ],
    ]);
  });

  it('records nothing when the invitation is refused', async () => {
    const appended: unknown[] = [];
    const audited = {
      ...deps(),
      audit: { writer: { append: async (e: unknown) => void appended.push(e) }, clock: world.clock, ids: world.ids },
    };

    await expect(
      inviteAccountUser(audited, principals.support, accountId, { email: 'ann@example.com' }),
    ).rejects.toBeInstanceOf(ForbiddenError);

    expect(appended).toEqual([]);
  });
});

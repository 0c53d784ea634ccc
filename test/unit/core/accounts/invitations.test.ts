/** Invitations that cannot be squatted: the invitation wins over an unconfirmed sign-up, never claims one not sent, and a retry repairs a half-done one. */
import { inviteAccountUser } from '#lambdas/core/accounts/users';
import { depositOrder, orderBodySchema } from '#lambdas/core/licensing/deposit-order';
import { ConflictError } from '#lambdas/core/errors';
import {
  licensingWorld,
  newAccountOrder,
  principals,
  seedAccount,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';
import { MemoryUserDirectory } from '#test/support/memory-user-directory';

let world: LicensingWorld;
let directory: MemoryUserDirectory;

beforeEach(async () => {
  world = await licensingWorld();
  directory = new MemoryUserDirectory();
});

const order = (email: string) => orderBodySchema.parse({ ...newAccountOrder(), admin: { email } });

describe("an order's administrator invitation", () => {
  it('replaces an unconfirmed self-sign-up of the address: the squatter is gone, the invitation sent', async () => {
    const squatter = directory.signUp('ceo@customer.example', 'UNCONFIRMED', 'squatters-password');

    const { result } = await depositOrder(
      world.deps,
      principals.backoffice,
      'PO-1',
      order('ceo@customer.example'),
      directory,
    );

    expect(result).toMatchObject({ adminInvited: true });
    expect(directory.users.find((u) => u.userId === squatter.userId)).toBeUndefined();
    expect(directory.users).toEqual([
      expect.objectContaining({
        email: 'ceo@customer.example',
        status: 'FORCE_CHANGE_PASSWORD',
        accountId: result.accountId,
      }),
    ]);
    expect(directory.users[0]?.password).toBeUndefined();
    expect(directory.mails).toEqual([{ to: 'ceo@customer.example', subject: 'invitation' }]);
  });

  it('links a confirmed user without an account and tells them', async () => {
    const confirmed = directory.signUp('ceo@customer.example', 'CONFIRMED');

    const { result } = await depositOrder(
      world.deps,
      principals.backoffice,
      'PO-2',
      order('ceo@customer.example'),
      directory,
    );

    expect(result.adminInvited).toBe(true);
    expect(confirmed).toMatchObject({ accountId: result.accountId, groups: ['customer'] });
    expect(directory.mails).toEqual([{ to: 'ceo@customer.example', subject: 'added' }]);
  });

  it("answers adminInvited false with the reason for another account's user, and sends nothing", async () => {
    const other = await seedAccount(world);
    await inviteAccountUser({ repo: world.repo, directory }, principals.backoffice, other, {
      email: 'ceo@customer.example',
    });
    directory.mails.length = 0;

    const { result } = await depositOrder(
      world.deps,
      principals.backoffice,
      'PO-3',
      order('ceo@customer.example'),
      directory,
    );

    expect(result).toMatchObject({ adminInvited: false, adminNotInvitedReason: 'user-of-another-account' });
    expect(directory.mails).toEqual([]);
  });

  it('repairs a half-done invitation by the retry, with the same answer as a first success', async () => {
    directory.failAfterCreate = true;

    await expect(
      depositOrder(world.deps, principals.backoffice, 'PO-4', order('ceo@customer.example'), directory),
    ).rejects.toThrow('AdminAddUserToGroup');
    const retry = await depositOrder(
      world.deps,
      principals.backoffice,
      'PO-4',
      order('ceo@customer.example'),
      directory,
    );

    expect(retry.result.adminInvited).toBe(true);
    expect(directory.users).toEqual([
      expect.objectContaining({ groups: ['customer'], accountId: retry.result.accountId }),
    ]);
    expect(await directory.list(retry.result.accountId)).toEqual([
      { userId: directory.users[0]!.userId, email: 'ceo@customer.example', status: 'invited' },
    ]);
  });

  it('refuses an invitation through the users route with 409 when the address is another account’s', async () => {
    const [a, b] = [await seedAccount(world), await seedAccount(world)];
    const deps = { repo: world.repo, directory };
    await inviteAccountUser(deps, principals.backoffice, a, { email: 'x@customer.example' });

    await expect(
      inviteAccountUser(deps, principals.backoffice, b, { email: 'x@customer.example' }),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(
      inviteAccountUser(deps, principals.backoffice, a, { email: 'x@customer.example' }),
    ).resolves.toMatchObject({
      email: 'x@customer.example',
    });
  });
});

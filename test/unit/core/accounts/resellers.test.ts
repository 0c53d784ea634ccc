/** Resellers: apply, wait, get approved, then act for a customer that named them; the customer removes them. */
import { ConflictError, ForbiddenError, NotFoundError } from '#lambdas/core/errors';
import {
  applyAsReseller,
  approveReseller,
  listResellerApplications,
  ownResellerApplication,
  removeAccountReseller,
  setAccountReseller,
} from '#lambdas/core/accounts/resellers';
import { assertAccountAccess, type Principal } from '#lambdas/core/licensing/access';
import { licensingWorld, principals, seedAccount, type LicensingWorld } from '#test/support/licensing-fixtures';
import { MemoryResellers } from '#test/support/memory-resellers';
import { MemoryUserDirectory } from '#test/support/memory-user-directory';

let world: LicensingWorld;
let directory: MemoryUserDirectory;
let resellers: MemoryResellers;
const deps = () => ({ ...world.deps, directory, resellers });

beforeEach(async () => {
  world = await licensingWorld();
  directory = new MemoryUserDirectory();
  resellers = new MemoryResellers(world.repo);
});

async function approvedReseller(email = 'sales@partner.example') {
  const person = directory.signUp(email);
  const { application } = await applyAsReseller(
    deps(),
    { sub: person.userId, groups: [] },
    {
      companyName: 'Partner GmbH',
      country: 'DE',
    },
  );
  await approveReseller(deps(), principals.backoffice, application.resellerId);
  return { person, resellerId: application.resellerId };
}

describe('reseller applications', () => {
  it('are pending until the back office approves; then the applicant is linked as a reseller', async () => {
    const person = directory.signUp('sales@partner.example');
    const applicant = { sub: person.userId, groups: [] };

    const applied = await applyAsReseller(deps(), applicant, { companyName: 'Partner GmbH', country: 'DE' });
    const again = await applyAsReseller(deps(), applicant, { companyName: 'Partner GmbH', country: 'DE' });

    expect(applied.created).toBe(true);
    expect(again).toEqual({ created: false, application: applied.application });
    expect(applied.application).toMatchObject({ status: 'pending', companyName: 'Partner GmbH', country: 'DE' });
    expect(person.resellerId).toBeUndefined();
    expect((await listResellerApplications(deps(), principals.backoffice, 'pending')).resellers).toHaveLength(1);
    await expect(listResellerApplications(deps(), principals.support, 'pending')).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(approveReseller(deps(), principals.support, applied.application.resellerId)).rejects.toBeInstanceOf(
      ForbiddenError,
    );

    const approved = await approveReseller(deps(), principals.backoffice, applied.application.resellerId);

    expect(approved).toMatchObject({ status: 'approved', approvedAt: world.clock.now().toISOString() });
    expect(person).toMatchObject({ resellerId: approved.resellerId, groups: ['reseller'] });
    expect((await ownResellerApplication(deps(), applicant)).status).toBe('approved');
    expect((await listResellerApplications(deps(), principals.backoffice, 'pending')).resellers).toEqual([]);
  });

  it('refuses a person with an account (409) and an unknown application (404)', async () => {
    await expect(
      applyAsReseller(
        deps(),
        { sub: 's', groups: ['customer'], accountId: 'acc_00000001' },
        { companyName: 'X', country: 'DE' },
      ),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(approveReseller(deps(), principals.backoffice, 'res-unknown')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("an account's reseller", () => {
  it('acts for the account once its administrator names it, and stops when removed', async () => {
    const accountId = await seedAccount(world);
    const { resellerId } = await approvedReseller();
    const reseller: Principal = { role: 'reseller', sub: 'sub-partner', resellerId };
    const account = async () => (await world.repo.getAccountState(accountId))!.account;
    const before = await account();
    expect(() => assertAccountAccess(reseller, before, 'read')).toThrow(ForbiddenError);

    const set = await setAccountReseller(deps(), principals.customer(accountId), accountId, resellerId);

    expect(set).toEqual({ accountId, resellerId, companyName: 'Partner GmbH' });
    const during = await account();
    expect(() => assertAccountAccess(reseller, during, 'manage')).not.toThrow();

    await removeAccountReseller(deps(), principals.customer(accountId), accountId);
    await removeAccountReseller(deps(), principals.customer(accountId), accountId);

    const after = await account();
    expect(() => assertAccountAccess(reseller, after, 'read')).toThrow(ForbiddenError);
    expect(after.resellerId).toBeUndefined();
    expect(world.repo.auditOf(accountId).map((e) => e.action)).toEqual(
      expect.arrayContaining(['account.reseller-set', 'account.reseller-removed']),
    );
  });

  it('takes only an approved reseller, named by the administrator or the back office', async () => {
    const accountId = await seedAccount(world);
    const pendingPerson = directory.signUp('new@partner.example');
    const { application } = await applyAsReseller(
      deps(),
      { sub: pendingPerson.userId, groups: [] },
      {
        companyName: 'Newcomer',
        country: 'FR',
      },
    );
    const { resellerId } = await approvedReseller();

    await expect(
      setAccountReseller(deps(), principals.customer(accountId), accountId, application.resellerId),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(
      setAccountReseller(deps(), principals.reseller(resellerId), accountId, resellerId),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(setAccountReseller(deps(), principals.support, accountId, resellerId)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(setAccountReseller(deps(), principals.backoffice, accountId, resellerId)).resolves.toMatchObject({
      resellerId,
    });
  });
});

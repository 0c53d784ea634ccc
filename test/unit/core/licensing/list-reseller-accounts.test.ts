import { listResellerAccounts, type ResellerAccountsReader } from '#lambdas/core/licensing/list-reseller-accounts';

const reader: ResellerAccountsReader = {
  accountsOfReseller: async (resellerId) =>
    resellerId === 'res-a'
      ? [
          { accountId: 'acc_bbbbbbbb', name: 'Zeta GmbH', region: 'eu' },
          { accountId: 'acc_aaaaaaaa', name: 'Alpha Inc', region: 'us' },
        ]
      : [],
};

describe('listResellerAccounts', () => {
  it('lists a reseller’s own customers by name', async () => {
    const result = await listResellerAccounts(reader, { role: 'reseller', sub: 'r', resellerId: 'res-a' }, 'res-a');

    expect(result.accounts.map((a) => a.name)).toEqual(['Alpha Inc', 'Zeta GmbH']);
  });

  it('lets the back office read any reseller, and nobody else', async () => {
    await expect(listResellerAccounts(reader, { role: 'backoffice', sub: 'o' }, 'res-a')).resolves.toMatchObject({
      resellerId: 'res-a',
    });
    await expect(
      listResellerAccounts(reader, { role: 'reseller', sub: 'r', resellerId: 'res-b' }, 'res-a'),
    ).rejects.toThrow('does not grant access');
    await expect(listResellerAccounts(reader, { role: 'support', sub: 's' }, 'res-a')).rejects.toThrow(
      'does not grant access',
    );
    await expect(
      listResellerAccounts(reader, { role: 'customer', sub: 'c', accountId: 'acc_aaaaaaaa' }, 'res-a'),
    ).rejects.toThrow('does not grant access');
  });
});

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

describe('listResellerAccounts with each customer’s summary', () => {
  const now = new Date('2026-03-02T09:00:00.000Z');
  const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();
  const state = (accountId: string) =>
    ({
      account: { accountId },
      pools: [],
      entitlements: [
        { entitlementId: 'e1', product: 'ivr', kind: 'subscription', quantity: 5, endsAt: inDays(20) },
        {
          entitlementId: 'e2',
          product: 'acd',
          kind: 'perpetual',
          quantity: 1,
          care: { level: 'gold', endsAt: inDays(200) },
        },
        {
          entitlementId: 'e3',
          product: 'acd',
          kind: 'perpetual',
          quantity: 1,
          care: { level: 'gold', endsAt: inDays(-10) },
        },
      ],
      installations: [
        { installationId: 'inst_1', status: 'active' },
        { installationId: 'inst_2', status: 'deactivated' },
      ],
    }) as never;

  it('counts renewals due within 90 days (and lately ended), active installations and open findings of this region', async () => {
    const summaries = {
      accounts: { getAccountState: async (accountId: string) => state(accountId) },
      openFindings: async () => 3,
      clock: { now: () => now },
      here: 'eu' as const,
    };

    const result = await listResellerAccounts(
      reader,
      { role: 'reseller', sub: 'r', resellerId: 'res-a' },
      'res-a',
      summaries,
    );

    expect(result.accounts.map((a) => [a.name, a.summary])).toEqual([
      ['Alpha Inc', { installations: 1, renewalsDue: 2, nextRenewalAt: inDays(-10), openFindings: null }],
      ['Zeta GmbH', { installations: 1, renewalsDue: 2, nextRenewalAt: inDays(-10), openFindings: 3 }],
    ]);
  });
});

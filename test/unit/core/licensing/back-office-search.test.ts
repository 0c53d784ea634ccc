import {
  accountSearchQuerySchema,
  listRecentOrders,
  normaliseName,
  searchAccounts,
  type AccountSearchIndex,
  type AccountSummary,
} from '#lambdas/core/licensing/back-office-search';
import { principals } from '#test/support/licensing-fixtures';

const account = (accountId: string, name: string, resellerId?: string): AccountSummary => ({
  accountId,
  name,
  region: 'eu',
  ...(resellerId && { resellerId }),
  createdAt: '2026-03-02T09:00:00.000Z',
});
const accounts = [
  account('acc_aaaaaaaa01', 'Fabrikam Hospital', 'northwind-telecom'),
  account('acc_aaaaaaaa02', 'Contoso Bank'),
  {
    ...account('acc_aaaaaaaa03', 'Hôpital Fabrikam Süd'),
    closedAt: '2026-04-01T00:00:00.000Z',
    eraseAfter: '2026-05-01T00:00:00.000Z',
  },
];

/** The index as the adapter answers it: names compared normalised. */
const index: AccountSearchIndex = {
  accountsByName: async (needle, { contains, limit }) => ({
    accounts: accounts
      .filter((a) => (contains ? normaliseName(a.name).includes(needle) : normaliseName(a.name).startsWith(needle)))
      .slice(0, limit),
    truncated: false,
  }),
  accountsCreatedSince: async () => ({ accounts: [accounts[1]!], nextCursor: 'next' }),
  ordersSince: async (since) => ({
    orders: [{ orderId: 'PO-1', accountId: 'acc_aaaaaaaa01', createdAt: since, accountCreated: true, lines: [] }],
  }),
  getAccounts: async (ids) => accounts.filter((a) => ids.includes(a.accountId)),
  accountIdOfInstallation: async (id) => (id === 'inst_aaaaaaaa01' ? 'acc_aaaaaaaa02' : null),
  accountIdsOfReseller: async (id) => (id === 'northwind-telecom' ? ['acc_aaaaaaaa01'] : []),
};
const admins = {
  findByEmail: async (email: string) => (email === 'admin@contoso.example' ? [{ accountId: 'acc_aaaaaaaa02' }] : []),
  listByAccount: async (accountId: string) =>
    accountId === 'acc_aaaaaaaa02' ? [{ email: 'admin@contoso.example' }] : [],
};
const deps = { index, admins };
const search = (query: Record<string, string>) =>
  searchAccounts(deps, principals.backoffice, accountSearchQuerySchema.parse(query));
const ids = (result: { accounts: { accountId: string }[] }) => result.accounts.map((a) => a.accountId);

describe('searchAccounts', () => {
  it('says which accounts are closed, and when their data goes', async () => {
    const found = await search({ q: 'fabrikam' });

    expect(found.accounts).toEqual([
      expect.objectContaining({ accountId: 'acc_aaaaaaaa01', status: 'open' }),
      expect.objectContaining({
        accountId: 'acc_aaaaaaaa03',
        status: 'closed',
        closedAt: '2026-04-01T00:00:00.000Z',
        eraseAfter: '2026-05-01T00:00:00.000Z',
      }),
    ]);
  });

  it('finds by name prefix first, then by a word inside, ignoring case and accents', async () => {
    expect(ids(await search({ q: 'fabrikam' }))).toEqual(['acc_aaaaaaaa01', 'acc_aaaaaaaa03']);
    expect(ids(await search({ q: 'HOPITAL' }))).toEqual(['acc_aaaaaaaa03']);
  });

  it('finds by administrator e-mail, with the administrators shown', async () => {
    const found = await search({ email: 'Admin@Contoso.example' });

    expect(found.accounts).toEqual([
      expect.objectContaining({ accountId: 'acc_aaaaaaaa02', admins: ['admin@contoso.example'], matchedBy: 'email' }),
    ]);
  });

  it('reads q as what it looks like: an e-mail, an installation id, an account id, a reseller id', async () => {
    expect(ids(await search({ q: 'admin@contoso.example' }))).toEqual(['acc_aaaaaaaa02']);
    expect(ids(await search({ q: 'inst_aaaaaaaa01' }))).toEqual(['acc_aaaaaaaa02']);
    expect(ids(await search({ q: 'acc_aaaaaaaa03' }))).toEqual(['acc_aaaaaaaa03']);
    expect((await search({ q: 'northwind-telecom' })).accounts).toEqual([
      expect.objectContaining({ accountId: 'acc_aaaaaaaa01', matchedBy: 'reseller' }),
    ]);
  });

  it('finds by reseller and by installation', async () => {
    expect(ids(await search({ resellerId: 'northwind-telecom' }))).toEqual(['acc_aaaaaaaa01']);
    expect(ids(await search({ installationId: 'inst_aaaaaaaa01' }))).toEqual(['acc_aaaaaaaa02']);
    expect(ids(await search({ installationId: 'inst_bbbbbbbb01' }))).toEqual([]);
  });

  it('lists new accounts with the next page’s cursor', async () => {
    const found = await search({ createdSince: '2026-03-01' });

    expect(found).toMatchObject({
      accounts: [{ accountId: 'acc_aaaaaaaa02', matchedBy: 'created' }],
      nextCursor: 'next',
    });
  });

  it('takes exactly one criterion', () => {
    const parsed = accountSearchQuerySchema.safeParse({ q: 'x', resellerId: 'northwind-telecom' });

    expect(parsed.success).toBe(false);
  });

  it('is the back office’s alone', async () => {
    await expect(searchAccounts(deps, principals.support, { q: 'x' })).rejects.toThrow();
  });
});

describe('listRecentOrders', () => {
  it('reads from the first instant of the date', async () => {
    const page = await listRecentOrders(deps, principals.backoffice, { since: '2026-03-01' });

    expect(page.orders[0]?.createdAt).toBe('2026-03-01T00:00:00.000Z');
  });
});

describe('normaliseName', () => {
  it('folds case, accents and punctuation', () => {
    expect(normaliseName('  Hôpital  Fabrikam-Süd, Inc. ')).toBe('hopital fabrikam sud inc');
  });
});

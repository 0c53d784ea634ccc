/**
 * The back office's response schemas (OpenAPI) describe the use cases' real results: a preview and
 * a search parse to themselves, no field left undescribed or wrongly typed.
 */
import {
  accountSearchResultSchema,
  orderPreviewSchema,
  recentOrdersSchema,
} from '#lambdas/core/licensing/back-office-responses';
import { listRecentOrders, searchAccounts } from '#lambdas/core/licensing/back-office-search';
import { previewOrder } from '#lambdas/core/licensing/preview-order';
import {
  activateNew,
  existingAccountOrder,
  licensingWorld,
  perpetualLine,
  principals,
  seedAccount,
} from '#test/support/licensing-fixtures';

const strictly = (schema: { parse: (v: unknown) => unknown }, value: unknown) =>
  expect(JSON.parse(JSON.stringify(schema.parse(value)))).toEqual(JSON.parse(JSON.stringify(value)));

describe('back-office response schemas', () => {
  it('describe a preview with a follower grant, Care and later changes', async () => {
    const world = await licensingWorld();
    const accountId = await seedAccount(world);
    await activateNew(world, accountId);

    const preview = await previewOrder(
      world.deps,
      principals.backoffice,
      'PO-S',
      existingAccountOrder(accountId, [
        perpetualLine('attendant-console', 2, { level: 'platinum', endsAt: '2027-06-01T00:00:00Z' }),
        {
          product: 'ivr',
          quantity: 3,
          kind: 'subscription',
          startsAt: '2026-04-01T00:00:00Z',
          endsAt: '2027-04-01T00:00:00Z',
          care: { level: 'gold' },
        },
      ]),
    );

    strictly(orderPreviewSchema, preview);
  });

  it('describe a search and a page of recent orders', async () => {
    const account = {
      accountId: 'acc_aaaaaaaa01',
      name: 'Fabrikam',
      region: 'eu' as const,
      resellerId: 'northwind-telecom',
      createdAt: '2026-03-02T09:00:00.000Z',
    };
    const index = {
      accountsByName: async () => ({ accounts: [account], truncated: true }),
      accountsCreatedSince: async () => ({ accounts: [], nextCursor: 'c' }),
      ordersSince: async () => ({
        orders: [
          {
            orderId: 'PO-1',
            accountId: account.accountId,
            createdAt: account.createdAt,
            accountCreated: true,
            lines: [{ product: 'ivr' }],
          },
        ],
        nextCursor: 'n',
      }),
      getAccounts: async () => [account],
      accountIdOfInstallation: async () => null,
      accountIdsOfReseller: async () => [],
    };
    const admins = { findByEmail: async () => [], listByAccount: async () => [{ email: 'a@example.com' }] };

    const found = await searchAccounts({ index, admins }, principals.backoffice, { q: 'fabrikam' });
    const orders = await listRecentOrders({ index }, principals.backoffice, { since: '2026-03-01' });

    strictly(accountSearchResultSchema, found);
    strictly(recentOrdersSchema, orders);
  });
});

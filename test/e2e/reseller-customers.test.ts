/**
 * Issue 19, point 7 (the reseller's part) in headless Chromium: the reseller's customer list shows
 * each customer's renewals due, open findings and active installations, and a search narrows it.
 */
import { randomUUID } from 'node:crypto';
import { activatedAgent, newAccount, perpetual } from '#test/support/licensing-api';
import { tokenFor } from '#test/support/local-cloud';
import { axeAtBothWidths } from './support/axe';
import { screenshots, portal, useE2eBrowser } from './support/browser';

jest.setTimeout(180_000);

const browser = useE2eBrowser();

describe('the reseller’s customer list (19.7)', () => {
  it('shows renewals due, open findings and installations per customer, and finds a customer by search', async () => {
    // Arrange: one customer renewing in 20 days with an installation, one with nothing due
    const resellerId = `res-e2e-${randomUUID().slice(0, 8)}`;
    const soon = new Date(Date.now() + 20 * 86_400_000).toISOString();
    const renewing = await newAccount(
      [{ product: 'ivr', quantity: 5, kind: 'perpetual', care: { level: 'gold', endsAt: soon } }],
      { resellerId },
    );
    const quiet = await newAccount([perpetual('ivr', 5)], { resellerId });
    await activatedAgent(renewing, { allocation: { ivr: 1 } });
    const page = await browser.page(tokenFor({ groups: ['reseller'], resellerId }), `${resellerId} staff`);

    // Act
    await page.goto(portal('#/customers'));
    const customers = page.getByRole('table', { name: 'Customers of this reseller' });
    await customers.waitFor();
    const rowOf = (accountId: string) => customers.getByRole('row', { name: new RegExp(accountId) }).textContent();
    const before = { renewing: await rowOf(renewing), quiet: await rowOf(quiet) };
    const headers = await customers.locator('thead th').allTextContents();
    await screenshots(page, 'reseller-customers');
    const axe = await axeAtBothWidths(page);
    await page.getByRole('searchbox', { name: 'Search by name or account id' }).fill(quiet);
    await page.getByText('1 of 2 customers match.').waitFor();
    const rowsAfterSearch = await customers.locator('tbody tr').allTextContents();

    // Assert
    expect(headers).toEqual([
      'Customer',
      'Renewals due',
      'Open findings',
      'Installations',
      'Smart Account',
      'Home region',
    ]);
    expect(before.renewing).toContain(`1 (next ${soon.slice(0, 10)})`);
    expect(before.renewing).toMatch(/none1acc_/);
    expect(before.quiet).toContain('none in the next 90 days');
    expect(before.quiet).toMatch(/none0acc_/);
    expect(rowsAfterSearch).toHaveLength(1);
    expect(rowsAfterSearch[0]).toContain(quiet);
    expect(axe).toEqual({ desktop: [], phone: [] });
    await page.close();
  });
});

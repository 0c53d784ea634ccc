/**
 * The automatic release of stale installations in the portal, in headless Chromium against the
 * local cloud: a customer administrator opts in, and the account answer says so.
 */
import { accountView, api, newAccount, perpetual } from '#test/support/licensing-api';
import { tokenFor } from '#test/support/local-cloud';
import { useE2eBrowser } from './support/browser';

jest.setTimeout(120_000);

const browser = useE2eBrowser();

describe('automatic release in the portal', () => {
  it('is off by default; a customer turns it on after 30 days, and the account answer says so', async () => {
    // Arrange
    const accountId = await newAccount([perpetual('ivr', 5)]);
    const page = await browser.page(tokenFor({ groups: ['customer'], accountId }), 'admin@example.com');
    await page.goto(`${api()}/#/accounts/${accountId}`);
    const form = page.getByRole('form', { name: 'Automatic release' });
    await form.waitFor();
    const before = await form.textContent();

    // Act
    await form.getByRole('checkbox', { name: 'Release stale installations automatically' }).check();
    await form.getByRole('spinbutton', { name: 'Days without a licence poll' }).fill('30');
    await form.getByRole('button', { name: 'Save automatic release' }).click();
    await page.getByRole('status').filter({ hasText: 'Automatic release is on' }).waitFor();
    const view = await accountView(accountId);

    // Assert
    expect(before).toContain('Automatic release is off');
    expect(view.staleRelease).toEqual({ enabled: true, afterDays: 30 });
    await page.close();
  });
});

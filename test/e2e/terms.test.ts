/**
 * Terms versions in the portal, in headless Chromium: the back office publishes version 2 on its
 * terms page; an administrator sees the notice on the account page and accepts it (the notice
 * goes); another objects (an empty reason is refused beside the field); the back office's list
 * shows both, the objection highlighted; the pages pass axe. Silent consent, which needs the
 * clock moved, is in test/integration/accounts/terms.test.ts on a cloud of its own.
 */
import { api, call, newAccount, opsToken } from '#test/support/licensing-api';
import { cloudNow, tokenFor } from '#test/support/local-cloud';
import { axeViolations } from './support/axe';
import { useE2eBrowser } from './support/browser';

jest.setTimeout(180_000);

const browser = useE2eBrowser();

const customerPage = (accountId: string, email: string) =>
  browser.page(tokenFor({ groups: ['customer'], accountId, extra: { email } }), email);

describe('terms in the portal', () => {
  const summary = `Retention periods are stated per kind of data (${Date.now()}).`;
  let accepting: string;
  let objecting: string;
  let version: number;

  beforeAll(async () => {
    accepting = await newAccount();
    objecting = await newAccount();
  });

  it('the back office publishes a version on its terms page, errors shown beside their fields', async () => {
    // Arrange
    const page = await browser.page(opsToken(), 'backoffice@example.com');
    await page.goto(`${api()}/#/ops/terms`);
    const form = page.getByRole('form', { name: 'Publish a terms version' });
    await form.waitFor();
    // Far enough ahead that no other test's clock reaches it.
    const effective = new Date(cloudNow().getTime() + 3 * 365 * 86_400_000).toISOString().slice(0, 16);

    // Act
    await form.getByRole('button', { name: 'Publish' }).click();
    const titleErrorSlot = form.locator('[data-path="title"] ~ .field-error');
    await titleErrorSlot.filter({ hasText: /./ }).waitFor();
    const titleError = await titleErrorSlot.textContent();
    await form.getByLabel('Title').fill('Cloud Services Terms of use, 2029');
    await form.getByLabel('Link to the terms').fill('https://example.com/terms/2029');
    await form.getByLabel('Summary of changes').fill(summary);
    await form.getByLabel('Effective date').fill(effective);
    await form.getByRole('button', { name: 'Publish' }).click();
    const status = await page
      .getByRole('status')
      .filter({ hasText: /Version \d+ published/ })
      .textContent();
    const violations = await axeViolations(page);

    // Assert
    // Each problem is a sentence (issue 19.5): capitalised, ending with a full stop.
    expect(titleError).toBe('Enter a title.');
    version = Number(/Version (\d+) published/.exec(status ?? '')?.[1]);
    expect(version).toBeGreaterThanOrEqual(2);
    expect(violations).toEqual([]);
    await page.close();
  });

  it('an administrator sees the notice on the account page and accepts; the notice goes', async () => {
    // Arrange
    const page = await customerPage(accepting, 'admin1@example.com');
    await page.goto(`${api()}/#/accounts/${accepting}`);
    const notice = page.getByTestId('terms-notice');
    await notice.waitFor();
    const shown = await notice.textContent();
    const violations = await axeViolations(page);

    // Act
    await page.getByRole('button', { name: `Accept version ${version}` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `You accepted version ${version}` })
      .waitFor();
    const state = await call('GET', `${api()}/v1/accounts/${accepting}/terms`, { token: opsToken() });

    // Assert
    expect(shown).toContain(summary);
    expect(shown).toContain('takes effect on');
    expect(violations).toEqual([]);
    expect(await page.getByTestId('terms-notice').count()).toBe(0);
    expect(state.json.versions.find((v: { version: number }) => v.version === version)).toMatchObject({
      status: 'accepted',
    });
    await page.close();
  });

  it('another objects with a reason (an empty one is refused beside the field); the back office sees both', async () => {
    // Arrange
    const page = await customerPage(objecting, 'admin3@example.com');
    await page.goto(`${api()}/#/accounts/${objecting}`);
    await page.getByTestId('terms-notice').waitFor();
    await page.getByText('Object…').click();
    const form = page.getByRole('form', { name: `Object to version ${version}` });

    // Act
    await form.getByRole('button', { name: `Object to version ${version}` }).click();
    const reasonErrorSlot = form.locator('[data-path="reason"] ~ .field-error');
    await reasonErrorSlot.filter({ hasText: /./ }).waitFor();
    const emptyError = await reasonErrorSlot.textContent();
    await form.getByLabel('Why do you object?').fill('We cannot accept the new retention periods.');
    await form.getByRole('button', { name: `Object to version ${version}` }).click();
    await page.getByRole('status').filter({ hasText: 'Your objection is recorded' }).waitFor();
    const stillShown = await page.getByTestId('terms-notice').textContent();
    const ops = await browser.page(opsToken(), 'backoffice@example.com');
    await ops.goto(`${api()}/#/ops/terms`);
    await ops.getByRole('button', { name: `Accounts of version ${version}` }).click();
    const list = ops.getByRole('group', { name: `Version ${version} consents` });
    await list.waitFor();
    const acceptedRow = await list.getByRole('row').filter({ hasText: accepting }).textContent();
    const objectedRow = list.getByRole('row').filter({ hasText: objecting });
    const highlighted = await objectedRow.locator('.term-expired').textContent();
    const violations = await axeViolations(ops);

    // Assert
    expect(emptyError).toBe('Say why you object.');
    expect(stillShown).toContain('You objected');
    expect(acceptedRow).toContain('Accepted');
    expect(highlighted).toBe('Objected');
    expect(await objectedRow.textContent()).toContain('We cannot accept the new retention periods.');
    expect(violations).toEqual([]);
    await page.close();
    await ops.close();
  });
});

/**
 * The back office in headless Chromium: it finds an account by a word of its name, enters an order
 * of three lines (perpetual, a subscription with start and end, a Care renewal), previews what the
 * account will hold, deposits it, and the result is where the person is looking.
 */
import { randomUUID } from 'node:crypto';
import { accountView, api, approvedReseller, call, opsToken, perpetual } from '#test/support/licensing-api';
import { cloudNow, tokenFor } from '#test/support/local-cloud';
import { screenshots, portal, useE2eBrowser } from './support/browser';

jest.setTimeout(120_000);

const browser = useE2eBrowser();
const date = (daysFromNow: number) =>
  new Date(cloudNow().getTime() + daysFromNow * 86_400_000).toISOString().slice(0, 10);

describe('the back office', () => {
  const suffix = randomUUID().slice(0, 8);
  const name = `Quillfeather ${suffix} Surgery`;
  let accountId: string;

  beforeAll(async () => {
    const resellerId = `res-e2e-bo-${suffix}`;
    await approvedReseller(resellerId);
    const res = await call('PUT', `${api()}/v1/ops/orders/e2e-bo-${suffix}`, {
      token: opsToken(),
      body: { account: { create: { name, region: 'eu', resellerId } }, lines: [perpetual('attendant-console', 5)] },
    });
    accountId = res.json.accountId;
  });

  it('finds an account by a word of its name and opens it from the results', async () => {
    const page = await browser.page(tokenFor({ groups: ['backoffice'] }), 'ops@vendor.example');
    await page.goto(portal('#/ops'));
    const search = page.getByRole('search', { name: 'Find accounts' });

    await search.getByLabel('Search').fill(`quillfeather ${suffix}`);
    await search.getByRole('button', { name: 'Search' }).click();
    // the results, not the list of new accounts further down
    const results = page.getByRole('group', { name: /^Accounts matching/ });
    const link = results.getByRole('link', { name });
    await link.waitFor();

    expect(await results.getByRole('row', { name: new RegExp(`${name} EU res-e2e-bo-${suffix}`) }).count()).toBe(1);
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('result');
    await link.click();
    await page.getByRole('heading', { name: 'Products' }).waitFor();
    expect(page.url()).toContain(`#/accounts/${accountId}`);
    await page.close();
  });

  it('enters a three-line order, checks its dates, previews it and deposits it', async () => {
    const page = await browser.page(tokenFor({ groups: ['backoffice'] }), 'ops@vendor.example');
    await page.goto(portal('#/ops'));
    const form = page.getByRole('form', { name: 'Deposit an order' });
    const orderId = `PO-E2E-${suffix}`;
    await form.getByLabel('Order id').fill(orderId);
    await form.getByLabel('Existing account id').fill(accountId);

    // Line 1: perpetual IVR × 3, no Care. Only the fields a perpetual line takes are shown.
    const first = form.getByRole('group', { name: 'Order line' });
    await first.getByLabel('Product').selectOption('ivr');
    await first.getByLabel('Quantity').fill('3');
    const perpetualHidesDates = await first.getByLabel('Subscription start').isHidden();
    // Line 2: a subscription of call recording × 4 for a year, its end first typed before its start.
    await form.getByRole('button', { name: 'Add a line' }).click();
    const second = form.getByRole('group', { name: 'Line 2' });
    await second.getByLabel('Kind').selectOption('subscription');
    await second.getByLabel('Product').selectOption('call-recording');
    await second.getByLabel('Quantity').fill('4');
    await second.getByLabel('Subscription start').fill(date(0));
    await second.getByLabel('Subscription end').fill(date(-5));
    // Line 3: Care renewal of the attendant console, platinum for two years.
    await form.getByRole('button', { name: 'Add a line' }).click();
    const third = form.getByRole('group', { name: 'Line 3' });
    await third.getByLabel('Kind').selectOption('care');
    await third.getByLabel('Product').selectOption('attendant-console');
    await third.getByLabel('Care level').selectOption('platinum');
    await third.getByLabel('Care end').fill(date(730));
    const careHidesQuantity = await third.getByLabel('Quantity').isHidden();

    await form.getByRole('button', { name: 'Preview' }).click();
    await form.getByRole('alert').filter({ hasText: 'Line 2, subscription end' }).waitFor();
    const endMarked = await second.getByLabel('Subscription end').getAttribute('aria-invalid');
    await second.getByLabel('Subscription end').fill(date(365));
    await form.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('group', { name: `Preview of order ${orderId}` });
    await preview.waitFor();
    const previewFocused = await page.evaluate(() => document.activeElement?.className);
    const previewText = await preview.textContent();
    const untouched = await accountView(accountId);
    await screenshots(page, 'back-office-preview');

    await form.getByRole('button', { name: 'Deposit order' }).click();
    await page.getByText(`Order ${orderId} deposited into`).waitFor();
    const after = await accountView(accountId);

    expect(perpetualHidesDates).toBe(true);
    expect(careHidesQuantity).toBe(true);
    expect(endMarked).toBe('true');
    expect(previewFocused).toBe('result');
    expect(previewText).toMatch(/IVR.*3.*perpetual/s);
    expect(previewText).toMatch(/platinum until/);
    expect(untouched.products.map((p: { product: string }) => p.product)).toEqual(['attendant-console']);
    const held = (product: string) => after.products.find((p: { product: string }) => p.product === product);
    expect(held('ivr')).toMatchObject({ capacity: 3, kind: 'perpetual' });
    expect(held('call-recording')).toMatchObject({ capacity: 4, kind: 'subscription' });
    expect(held('attendant-console').care).toMatchObject({ level: 'platinum' });
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('result');
    await page.close();
  });

  it('lists the deposit among recent orders', async () => {
    const page = await browser.page(tokenFor({ groups: ['backoffice'] }), 'ops@vendor.example');
    await page.goto(portal('#/ops'));

    await page.getByRole('group', { name: 'Orders of the last 30 days' }).waitFor();

    expect(await page.getByRole('row', { name: new RegExp(`PO-E2E-${suffix}`) }).count()).toBe(1);
    await page.close();
  });
});

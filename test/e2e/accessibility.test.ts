/**
 * The portal's accessibility: axe-core (WCAG 2.1 A and AA rules) over every main page as each
 * role sees it, at desktop and phone width; sign-in and the skip link with the keyboard alone, with
 * a visible focus outline; no page-wide horizontal scroll at 375 px. axe-core is injected by the
 * test only, never bundled into the portal.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { activatedAgent, api, call, newAccount, perpetual } from '#test/support/licensing-api';
import { tokenFor } from '#test/support/local-cloud';
import { postBeats } from '#test/support/telemetry-api';
import { axeViolations, phone375 } from './support/axe';
import { desktop, portal, useE2eBrowser } from './support/browser';

jest.setTimeout(180_000);

const GIB = 1024 ** 3;

const browser = useE2eBrowser();

/** How far the page itself scrolls sideways (0: it fits; tables scroll inside their own box). */
const sidewaysOverflow = (page: Page) =>
  page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth);

/** Elements marked `hidden` that still take up space: a stylesheet's `display` beat the attribute. */
const hiddenButShown = (page: Page) =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll('[hidden]'))
      .filter((element) => element.getClientRects().length > 0)
      .map((element) => element.outerHTML.slice(0, 120)),
  );

/** Both widths: the axe violations at desktop and at 375 px, and the page's sideways overflow at 375 px. */
async function audit(
  page: Page,
): Promise<{ desktop: string[]; phone: string[]; phoneOverflowPx: number; hiddenButShown: string[] }> {
  await page.setViewportSize(desktop);
  const atDesktop = await axeViolations(page);
  await page.setViewportSize(phone375);
  const atPhone = await axeViolations(page);
  const phoneOverflowPx = await sidewaysOverflow(page);
  await page.setViewportSize(desktop);
  return { desktop: atDesktop, phone: atPhone, phoneOverflowPx, hiddenButShown: await hiddenButShown(page) };
}

const noViolations = { desktop: [], phone: [], phoneOverflowPx: expect.any(Number), hiddenButShown: [] };

function expectAccessible(result: Awaited<ReturnType<typeof audit>>): void {
  expect(result).toEqual(noViolations);
  expect(result.phoneOverflowPx).toBeLessThanOrEqual(0);
}

/** An account with what its page can show: an installation with telemetry, a finding, an invited user, audit events. */
async function busyAccount(options: { resellerId?: string } = {}) {
  const accountId = await newAccount(
    [perpetual('ivr', 50, 'gold'), perpetual('attendant-console', 5, 'platinum')],
    options,
  );
  const { agent } = await activatedAgent(accountId, { allocation: { ivr: 1 } });
  let t = Date.now() - 10_000;
  const beat = (type: string, data: unknown) => {
    t += 1000;
    return { id: randomUUID(), type, collectedAt: new Date(t).toISOString(), data };
  };
  await postBeats(agent, {
    beats: [
      beat('ucx.database_server', { edition: 'Express Edition', version: '16.0.1000.6', instanceName: 'SQLEXPRESS' }),
      beat('ucx.database', {
        name: 'UCX',
        sizeBytes: Math.round(9.6 * GIB),
        filePaths: [],
        authType: 'sql',
        fullTextCatalogStatus: 'Idle',
        lastMaintenanceAt: new Date().toISOString(),
      }),
    ],
  });
  const ops = tokenFor({ groups: ['backoffice'] });
  await call('POST', `${api()}/v1/accounts/${accountId}/users`, {
    token: ops,
    body: { email: `a11y-${randomUUID().slice(0, 8)}@example.com` },
  });
  const support = tokenFor({ groups: ['support'] });
  for (let i = 0; i < 60; i++) {
    const res = await call('GET', `${api()}/v1/installations/${agent.keyid}/findings`, { token: support });
    if (res.json?.findings?.length) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return { accountId, installationId: agent.keyid };
}

/** Waits until the account page and its sections that load on their own have rendered. */
async function accountPageReady(page: Page): Promise<void> {
  await page.getByRole('heading', { name: 'Products' }).waitFor();
  await page.getByRole('table', { name: 'Audit log' }).waitFor();
  await page.getByRole('table', { name: 'People who may sign in for this account' }).waitFor();
}

describe('the portal under axe-core (WCAG 2.1 A and AA), at 1280 px and 375 px', () => {
  let account: Awaited<ReturnType<typeof busyAccount>>;
  const resellerId = `res-a11y-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    account = await busyAccount({ resellerId });
  }, 120_000);

  it('sign-in', async () => {
    const page = await browser.page();
    await page.goto(portal());
    await page.getByRole('heading', { name: 'Sign in to UCX Cloud' }).waitFor();

    const result = await audit(page);

    expectAccessible(result);
    await page.close();
  });

  it('sign-in with errors shown beside their fields', async () => {
    const page = await browser.page();
    await page.goto(portal());
    const signUp = page.getByRole('form', { name: 'Create an account' });
    await signUp.getByLabel('E-mail').fill('not-an-address');
    await signUp.getByLabel('Password').fill('short');
    await signUp.getByRole('button', { name: 'Sign up' }).click();
    await signUp.getByRole('alert').filter({ hasText: /\w/ }).waitFor();

    const result = await audit(page);

    expectAccessible(result);
    await page.close();
  });

  it('a person without an account: create a Smart Account, errors beside their fields, and apply as a reseller', async () => {
    const page = await browser.page(tokenFor({ groups: ['customer'] }), 'new@example.com');
    await page.goto(portal('#/no-account'));
    const create = page.getByRole('form', { name: 'Create your Smart Account' });
    await create.getByLabel('Country').fill('ZZ');
    await create.getByRole('button', { name: 'Create Smart Account' }).click();
    await create.getByRole('alert').filter({ hasText: /\w/ }).waitFor();

    const result = await audit(page);

    expectAccessible(result);
    await page.close();
  });

  it('a customer’s account: at a glance, installations, activation keys (a new key and a refused one), offline activation, telemetry, findings, users, audit log', async () => {
    const page = await browser.page(
      tokenFor({ groups: ['customer'], accountId: account.accountId }),
      'customer@example.com',
    );
    await page.goto(portal(`#/accounts/${account.accountId}`));
    await accountPageReady(page);
    const keys = page.getByRole('form', { name: 'Create an activation key' });
    await keys.getByRole('button', { name: 'Create activation key' }).click();
    await page.getByTestId('activation-key').waitFor();
    await keys.getByLabel('Valid for (days)').fill('0');
    await keys.getByRole('button', { name: 'Create activation key' }).click();
    await keys.getByRole('alert').filter({ hasText: /\w/ }).waitFor();

    const result = await audit(page);

    expectAccessible(result);
    await page.close();
  });

  it('a reseller’s customers, and the account it acts for', async () => {
    const page = await browser.page(tokenFor({ groups: ['reseller'], resellerId }), `${resellerId} staff`);
    await page.goto(portal('#/customers'));
    await page.getByRole('heading', { name: 'Your customers' }).waitFor();
    const customers = await audit(page);
    await page.getByRole('link', { name: 'Integration Test Customer' }).click();
    await accountPageReady(page);

    const actingFor = await audit(page);

    expectAccessible(customers);
    expectAccessible(actingFor);
    await page.close();
  });

  it('the back office: order form (a new account, a refused line), and an account it opens', async () => {
    const page = await browser.page(tokenFor({ groups: ['backoffice'] }), 'ops@vendor.example');
    await page.goto(portal('#/ops'));
    const form = page.getByRole('form', { name: 'Deposit an order' });
    await form.getByLabel('Deposit into').selectOption('create');
    await form.getByLabel('Quantity').fill('0');
    await form.getByRole('button', { name: 'Deposit order' }).click();
    await form.getByRole('alert').filter({ hasText: /\w/ }).waitFor();
    const orderForm = await audit(page);
    await page.goto(portal(`#/accounts/${account.accountId}`));
    await accountPageReady(page);

    const accountPage = await audit(page);

    expectAccessible(orderForm);
    expectAccessible(accountPage);
    await page.close();
  });

  it('support: installations across accounts, an installation with its finding, and an account', async () => {
    const page = await browser.page(tokenFor({ groups: ['support'] }), 'support@vendor.example');
    await page.goto(portal('#/support'));
    await page.getByRole('table', { name: 'Installations across accounts' }).waitFor();
    const home = await audit(page);
    await page.goto(portal(`#/installations/${account.installationId}`));
    await page.locator('article.finding').first().waitFor();
    await page.getByRole('status').filter({ hasText: 'Showing the last 7 days' }).waitFor();
    const installation = await audit(page);
    await page.goto(portal(`#/accounts/${account.accountId}`));
    await accountPageReady(page);

    const accountPage = await audit(page);

    expectAccessible(home);
    expectAccessible(installation);
    expectAccessible(accountPage);
    await page.close();
  });

  it('a customer’s installation: its finding in words with its chart and table, usage against licensed capacity', async () => {
    const page = await browser.page(
      tokenFor({ groups: ['customer'], accountId: account.accountId }),
      'customer@example.com',
    );
    await page.goto(portal(`#/accounts/${account.accountId}/installations/${account.installationId}`));
    await page.locator('article.finding').first().waitFor();
    await page.getByRole('status').filter({ hasText: 'Showing the last 7 days' }).waitFor();
    // the account's one database beat is a 1-minute point at once (the 15-minute tier waits for its quarter)
    await page.getByRole('radio', { name: '24 hours' }).check();
    await page.getByRole('status').filter({ hasText: 'Showing the last 24 hours' }).waitFor();
    await page.locator('figure.chart summary').first().click();
    await page.locator('figure.chart table').first().waitFor();

    const result = await audit(page);

    expectAccessible(result);
    await page.close();
  });

  it('a page that is not there, and an account the user may not open', async () => {
    const page = await browser.page(tokenFor({ groups: ['customer'], accountId: account.accountId }));
    await page.goto(portal('#/nowhere'));
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    const notFound = await audit(page);
    await page.goto(portal(`#/accounts/acc_${'0'.repeat(12)}`));
    await page.getByRole('alert').waitFor();

    const noAccess = await audit(page);

    expectAccessible(notFound);
    expectAccessible(noAccess);
    await page.close();
  });
});

describe('the portal with the keyboard alone', () => {
  /** Presses Tab until the element `selector` names has focus; false when it never does within `limit` presses. */
  async function tabTo(page: Page, selector: string, limit = 40): Promise<boolean> {
    for (let i = 0; i < limit; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return true;
    }
    return false;
  }

  const focusedOutline = (page: Page) =>
    page.evaluate(() => {
      const el = document.activeElement!;
      const style = getComputedStyle(el);
      return {
        matchesFocusVisible: el.matches(':focus-visible'),
        outlineStyle: style.outlineStyle,
        outlineWidth: style.outlineWidth,
      };
    });

  it('signs in with Tab, typing and Enter, then skips to the page’s main content, each focus outlined', async () => {
    const accountId = await newAccount([perpetual('ivr', 5)]);
    const email = `keyboard-${randomUUID().slice(0, 8)}@example.com`;
    await call('POST', `${api()}/local/auth/sign-up`, { body: { email, password: 'correct horse 42' } });
    const { messages } = (await (await fetch(`${api()}/local/outbox`)).json()) as {
      messages: { to: string; code: string }[];
    };
    await call('POST', `${api()}/local/auth/verify`, {
      body: { email, code: messages.find((m) => m.to === email)!.code },
    });
    await call('POST', `${api()}/local/auth/users/link`, { body: { email, accountId } });
    const page = await browser.page();
    await page.goto(portal());
    await page.getByRole('heading', { name: 'Sign in to UCX Cloud' }).waitFor();
    const signIn = page.getByRole('form', { name: 'Sign in' });
    const signInEmailId = await signIn.getByLabel('E-mail').getAttribute('id');

    const reachedEmail = await tabTo(page, `#${signInEmailId}`);
    const emailOutline = await focusedOutline(page);
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    const onPassword = await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type);
    await page.keyboard.type('correct horse 42');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Products' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Products' }).waitFor();
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => ({
      text: document.activeElement?.textContent,
      visible: (document.activeElement as HTMLElement).getBoundingClientRect().left >= 0,
    }));
    const skipOutline = await focusedOutline(page);
    await page.keyboard.press('Enter');
    const afterSkip = await page.evaluate(() => ({ focused: document.activeElement?.id, hash: location.hash }));
    await page.keyboard.press('Tab');
    const firstInMain = await page.evaluate(() => Boolean(document.activeElement?.closest('main')));

    expect(reachedEmail).toBe(true);
    expect(emailOutline).toMatchObject({ matchesFocusVisible: true });
    expect(emailOutline.outlineStyle).not.toBe('none');
    expect(onPassword).toBe('password');
    expect(skip).toEqual({ text: 'Skip to content', visible: true });
    expect(skipOutline.outlineStyle).not.toBe('none');
    expect(afterSkip).toEqual({ focused: 'main', hash: `#/accounts/${accountId}` });
    expect(firstInMain).toBe(true);
    expect(await page.getByRole('heading', { name: 'Page not found' }).count()).toBe(0);
    await page.close();
  });
});

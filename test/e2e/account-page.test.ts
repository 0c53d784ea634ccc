/**
 * The account page as its people use it (issue 19): nothing hidden shows on any main page; each
 * section loads on its own and a failed one says so with a Retry (the findings and health routes
 * made to answer 500 by interception), never "No findings" or "no beat yet"; errors in sentences
 * beside their fields; telemetry switched off only after saying what stops; the section in the
 * address, kept on reload; an ended session back on its page after signing in again.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { activatedAgent, api, call, newAccount, perpetual } from '#test/support/licensing-api';
import { cloud, tokenFor } from '#test/support/local-cloud';
import { axeAtBothWidths } from './support/axe';
import { screenshots, portal, useE2eBrowser } from './support/browser';

jest.setTimeout(180_000);

const browser = useE2eBrowser();
const customer = (accountId: string) => tokenFor({ groups: ['customer'], accountId });

/** Controls (and anything else) marked `hidden`, or inside such an element, that still take up space on the page. */
const hiddenButShown = (page: Page) =>
  page.evaluate(() =>
    Array.from(
      document.querySelectorAll(
        '[hidden], [hidden] button, [hidden] input, [hidden] select, [hidden] textarea, [hidden] a, [hidden] label, [hidden] form',
      ),
    )
      .filter((element) => element.getClientRects().length > 0)
      .map((element) => element.outerHTML.slice(0, 120)),
  );

/** The top of the section headed `name`, relative to the viewport. */
const headingTop = (page: Page, name: string) =>
  page.getByRole('heading', { name, exact: true, level: 2 }).evaluate((el) => el.getBoundingClientRect().top);

describe('hidden things stay hidden (19.1)', () => {
  it('shows no control marked hidden on sign-in, sign-up, the account, support, the back office and its terms', async () => {
    // Arrange
    const accountId = await newAccount([perpetual('attendant-console', 5)]);
    const pages: Record<string, string[]> = {};
    let hiddenOnAccount = 0;

    // Act
    for (const [name, token, hash, ready] of [
      ['sign-in', undefined, '', (p: Page) => p.getByRole('heading', { name: 'Sign in to UCX Cloud' }).waitFor()],
      [
        'sign-up',
        tokenFor({ groups: ['customer'] }),
        '#/no-account',
        (p: Page) => p.getByRole('form', { name: 'Create your Smart Account' }).waitFor(),
      ],
      [
        'account',
        customer(accountId),
        `#/accounts/${accountId}`,
        (p: Page) => p.getByRole('table', { name: 'Audit log' }).waitFor(),
      ],
      [
        'support',
        tokenFor({ groups: ['support'] }),
        '#/support',
        (p: Page) => p.getByRole('heading', { level: 1 }).waitFor(),
      ],
      [
        'back office',
        tokenFor({ groups: ['backoffice'] }),
        '#/ops',
        (p: Page) => p.getByRole('form', { name: 'Deposit an order', exact: true }).waitFor(),
      ],
      [
        'ops terms',
        tokenFor({ groups: ['backoffice'] }),
        '#/ops/terms',
        (p: Page) => p.getByRole('heading', { level: 1 }).waitFor(),
      ],
    ] as const) {
      const page = await browser.page(token);
      await page.goto(portal(hash));
      await ready(page);
      pages[name] = await hiddenButShown(page);
      if (name === 'account') hiddenOnAccount = await page.locator('[hidden]').count();
      await page.close();
    }

    // The check can fail: served without the stylesheet's `[hidden]` rule, the sign-in page shows hidden forms.
    const withoutRule = await browser.page();
    await withoutRule.route('**/styles.css', async (route) => {
      const css = await (await route.fetch()).text();
      await route.fulfill({ contentType: 'text/css', body: css.replace(/\[hidden\]\s*\{[^}]*\}/, '') });
    });
    await withoutRule.goto(portal());
    await withoutRule.getByRole('heading', { name: 'Sign in to UCX Cloud' }).waitFor();
    const shownWithoutRule = await hiddenButShown(withoutRule);
    await withoutRule.close();

    // Assert: the check looks at something (the account page holds hidden controls), and none shows
    expect(shownWithoutRule.length).toBeGreaterThan(0);
    expect(hiddenOnAccount).toBeGreaterThan(0);
    expect(pages).toEqual({
      'sign-in': [],
      'sign-up': [],
      account: [],
      support: [],
      'back office': [],
      'ops terms': [],
    });
  });
});

describe('the account page', () => {
  let accountId: string;
  let installationId: string;

  beforeAll(async () => {
    accountId = await newAccount([perpetual('attendant-console', 10), perpetual('ivr', 4)]);
    installationId = (await activatedAgent(accountId, { allocation: { 'attendant-console': 2 } })).agent.keyid;
  }, 120_000);

  it('says a failed findings or health call failed, with a Retry that works, never "No findings" or "no beat yet" (19.3)', async () => {
    // Arrange: the findings and health routes answer 500
    const page = await browser.page(customer(accountId));
    const fail = { status: 500, contentType: 'application/problem+json', body: '{"status":500,"title":"Internal"}' };
    await page.route('**/v1/accounts/*/findings*', (route) => route.fulfill(fail));
    await page.route('**/v1/accounts/*/installations/health', (route) => route.fulfill(fail));

    // Act
    await page.goto(portal(`#/accounts/${accountId}`));
    const findings = page.getByRole('region', { name: 'Findings' });
    await findings.getByText('The findings could not be loaded').waitFor();
    const installations = page.getByRole('region', { name: 'Installations' });
    await installations.getByText('The installations’ telemetry could not be loaded').waitFor();
    const failedFindings = await findings.textContent();
    const failedRow = await installations.getByRole('row', { name: new RegExp(installationId) }).textContent();
    const failedPage = await page.locator('main').textContent();
    const failedAxe = await axeAtBothWidths(page);
    await screenshots(page, 'account-sections-failed');
    await page.unroute('**/v1/accounts/*/findings*');
    await page.unroute('**/v1/accounts/*/installations/health');
    await findings.getByRole('button', { name: 'Retry loading the findings' }).click();
    await findings.getByText('No findings: nothing needs attention.').waitFor();
    await installations.getByRole('button', { name: 'Retry loading the installations’ telemetry' }).click();
    await installations.getByRole('row', { name: /no beat yet/ }).waitFor();
    const retriedAlertVisible = await installations
      .getByText('The installations’ telemetry could not be loaded')
      .isVisible();

    // Assert
    expect(failedFindings).toContain('Something went wrong on the service’s side: try again in a minute.');
    expect(failedFindings).not.toContain('No findings');
    expect(failedRow).toContain('not loaded');
    expect(failedPage).not.toContain('no beat yet');
    expect(retriedAlertVisible).toBe(false);
    expect(failedAxe).toEqual({ desktop: [], phone: [] });
    await page.close();
  });

  it('says on the installation page that its last telemetry could not be loaded, not "no beat yet" (19.3)', async () => {
    // Arrange: the health route answers 500
    const page = await browser.page(customer(accountId));
    await page.route('**/v1/accounts/*/installations/health', (route) =>
      route.fulfill({ status: 500, contentType: 'application/problem+json', body: '{"status":500}' }),
    );

    // Act
    await page.goto(portal(`#/accounts/${accountId}/installations/${installationId}`));
    const lastBeat = page.getByTestId('last-beat');
    await lastBeat.waitFor();

    // Assert
    expect(await lastBeat.textContent()).toBe('could not be loaded: reload the page to try again');
    await page.close();
  });

  it('keeps the section in the address: opened, followed from its links, and reloaded (19.10)', async () => {
    // Arrange
    const page = await browser.page(customer(accountId));

    // Act
    await page.goto(portal(`#/accounts/${accountId}/findings`));
    await page.getByRole('table', { name: 'Audit log' }).waitFor();
    await page.waitForFunction(() => {
      const top = document.getElementById('s-findings')?.getBoundingClientRect().top ?? -1;
      return top > -2 && top < 120;
    });
    const opened = { scrolled: await page.evaluate(() => scrollY), top: await headingTop(page, 'Findings') };
    const links = await page
      .getByRole('navigation', { name: 'Sections of this account' })
      .getByRole('link')
      .allTextContents();
    await page
      .getByRole('navigation', { name: 'Sections of this account' })
      .getByRole('link', { name: 'Telemetry' })
      .click();
    const followed = {
      hash: await page.evaluate(() => location.hash),
      top: await headingTop(page, 'Telemetry'),
      focused: await page.evaluate(() => document.activeElement?.id),
    };
    await page.reload();
    await page.getByRole('table', { name: 'Audit log' }).waitFor();
    await page.waitForFunction(() => {
      const top = document.getElementById('s-telemetry')?.getBoundingClientRect().top ?? -1;
      return top > -2 && top < 120;
    });
    const reloadedHash = await page.evaluate(() => location.hash);

    // Assert
    expect(opened.scrolled).toBeGreaterThan(0);
    expect(links).toEqual(expect.arrayContaining(['Products', 'Installations', 'Telemetry', 'Findings']));
    expect(followed.hash).toBe(`#/accounts/${accountId}/telemetry`);
    expect(followed.top).toBeLessThan(120);
    expect(followed.top).toBeGreaterThan(-2);
    expect(followed.focused).toBe('s-telemetry');
    expect(reloadedHash).toBe(`#/accounts/${accountId}/telemetry`);
    await page.close();
  });

  it('says problems in sentences beside their fields: a number out of range, no answer, a 502 (19.5)', async () => {
    // Arrange
    const page = await browser.page(customer(accountId));
    await page.goto(portal(`#/accounts/${accountId}`));
    const form = page.getByRole('form', { name: 'Create an activation key' });
    const alert = form.getByRole('alert').first();

    // Act
    await form.getByLabel('Valid for (days)').fill('0');
    await form.getByRole('button', { name: 'Create activation key' }).click();
    await alert.filter({ hasText: /\w/ }).waitFor();
    const outOfRange = await alert.textContent();
    const besideField = await form.locator('[data-path="expiresInDays"] ~ .field-error').textContent();
    await form.getByLabel('Valid for (days)').fill('30');
    await form.getByLabel('IVR').fill('0');
    await form.getByLabel('Attendant Console').fill('0');
    await form.getByRole('button', { name: 'Create activation key' }).click();
    await alert.filter({ hasText: /more than 0/ }).waitFor();
    const onlyZeros = await alert.textContent();
    await form.getByLabel('Attendant Console').fill('');
    await page.route('**/v1/accounts/*/activation-keys', (route) => route.abort('connectionrefused'));
    await form.getByRole('button', { name: 'Create activation key' }).click();
    await alert.filter({ hasText: /reached/ }).waitFor();
    const unreachable = await alert.textContent();
    await page.unroute('**/v1/accounts/*/activation-keys');
    await page.route('**/v1/accounts/*/activation-keys', (route) =>
      route.fulfill({ status: 502, contentType: 'application/json', body: '{"message":"Bad Gateway"}' }),
    );
    await form.getByRole('button', { name: 'Create activation key' }).click();
    await alert.filter({ hasText: /not answering/ }).waitFor();
    const badGateway = await alert.textContent();
    await page.unroute('**/v1/accounts/*/activation-keys');
    await form.getByRole('button', { name: 'Create activation key' }).click();
    await page.getByTestId('activation-key').waitFor();
    const created = await form.locator('..').textContent();

    // Assert
    expect(outOfRange).toBe('Valid for (days): Enter 1 or more.');
    expect(besideField).toBe('Enter 1 or more.');
    expect(onlyZeros).toMatch(/^Attendant Console: Enter more than 0 for one product at least/);
    expect(unreachable).toBe('The service can’t be reached: check your connection, then Retry.');
    expect(badGateway).toBe('The service is not answering just now: try again in a minute.');
    // 0 left IVR out; the empty Attendant Console gave all of its free licences (10, less the 2 allocated)
    expect(created).toContain('Attendant Console ×8');
    expect(created).not.toContain('IVR ×');
    await page.close();
  });

  it('switches telemetry off only once the person has read what stops, and the installations say so at once (19.8)', async () => {
    // Arrange
    const page = await browser.page(customer(accountId));
    await page.goto(portal(`#/accounts/${accountId}`));
    const toggle = page.getByRole('switch', { name: 'Send telemetry from this account’s installations' });
    const confirm = page.getByRole('form', { name: 'Switch telemetry off?' });
    const row = page
      .getByRole('region', { name: 'Installations' })
      .getByRole('row', { name: new RegExp(installationId) });
    await row.getByText('no beat yet').waitFor();

    // Act
    await toggle.click();
    const asked = { text: await confirm.textContent(), stillOn: await toggle.isChecked() };
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    const afterCancel = { open: await confirm.isVisible(), on: await toggle.isChecked() };
    const serverAfterCancel = (await call('GET', `${api()}/v1/accounts/${accountId}`, { token: customer(accountId) }))
      .json as { telemetry: { enabled: boolean } };
    await toggle.click();
    const confirmAxe = await axeAtBothWidths(page);
    await screenshots(page, 'account-telemetry-off-confirm');
    await confirm.getByRole('button', { name: 'Yes, switch telemetry off' }).click();
    await page.getByText('Telemetry is off').waitFor();
    const rowAfter = await row.textContent();
    const serverAfter = (await call('GET', `${api()}/v1/accounts/${accountId}`, { token: customer(accountId) }))
      .json as { telemetry: { enabled: boolean } };
    await toggle.click();
    await page.getByText('Telemetry is on').waitFor();

    // Assert
    expect(asked.stillOn).toBe(true);
    expect(asked.text).toContain('Proactive findings stop');
    expect(asked.text).toContain('Support’s snapshot');
    expect(afterCancel).toEqual({ open: false, on: true });
    expect(serverAfterCancel.telemetry.enabled).toBe(true);
    expect(rowAfter).toContain('off (switched off for the account)');
    expect(serverAfter.telemetry.enabled).toBe(false);
    expect(confirmAxe).toEqual({ desktop: [], phone: [] });
    await page.close();
  });

  it('says an ended session ended, and returns the person to the page they were on after signing in (19.3)', async () => {
    // Arrange: a person who signs in with a password, whose stored sign-in has expired; later the API refuses their token
    const email = `ended-${randomUUID().slice(0, 8)}@example.com`;
    await call('POST', `${api()}/local/auth/sign-up`, { body: { email, password: 'correct horse 42' } });
    const { messages } = (await (await fetch(`${api()}/local/outbox`)).json()) as {
      messages: { to: string; code: string }[];
    };
    await call('POST', `${api()}/local/auth/verify`, {
      body: { email, code: messages.find((m) => m.to === email)!.code },
    });
    await call('POST', `${api()}/local/auth/users/link`, { body: { email, accountId } });
    const expired = tokenFor({ groups: ['customer'], accountId }, cloud(), -60);
    const page = await browser.page(expired, email);

    // Act
    await page.goto(portal(`#/accounts/${accountId}/findings`));
    await page.getByRole('heading', { name: 'Sign in to UCX Cloud' }).waitFor();
    const said = await page.getByText('Your session has ended. Sign in again.').isVisible();
    const signIn = page.getByRole('form', { name: 'Sign in' });
    await signIn.getByLabel('E-mail').fill(email);
    await signIn.getByLabel('Password').fill('correct horse 42');
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Products' }).waitFor();
    const hash = await page.evaluate(() => location.hash);
    // Mid-session: on the Telemetry section, the API answers 401 (a token it no longer accepts, even refreshed).
    await page
      .getByRole('navigation', { name: 'Sections of this account' })
      .getByRole('link', { name: 'Telemetry' })
      .click();
    await page.route('**/v1/accounts/*/telemetry', (route) =>
      route.fulfill({ status: 401, contentType: 'application/json', body: '{"message":"Unauthorized"}' }),
    );
    await page.getByRole('switch', { name: 'Send telemetry from this account’s installations' }).click();
    await page.getByRole('button', { name: 'Yes, switch telemetry off' }).click();
    await page.getByRole('heading', { name: 'Sign in to UCX Cloud' }).waitFor();
    const saidMidSession = await page.getByText('Your session has ended. Sign in again.').isVisible();
    await page.unroute('**/v1/accounts/*/telemetry');
    await signIn.getByLabel('E-mail').fill(email);
    await signIn.getByLabel('Password').fill('correct horse 42');
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Products' }).waitFor();
    const hashMidSession = await page.evaluate(() => location.hash);

    // Assert
    expect(said).toBe(true);
    expect(hash).toBe(`#/accounts/${accountId}/findings`);
    expect(saidMidSession).toBe(true);
    expect(hashMidSession).toBe(`#/accounts/${accountId}/telemetry`);
    await page.close();
  });

  it('shows the account page with its section links (screenshots)', async () => {
    const page = await browser.page(customer(accountId));
    await page.goto(portal(`#/accounts/${accountId}`));
    await page.getByRole('table', { name: 'Audit log' }).waitFor();
    await page
      .getByRole('region', { name: 'Findings' })
      .getByText(/No findings|Findings on this account/)
      .first()
      .waitFor();

    await screenshots(page, 'account-page');

    expect(await page.getByRole('navigation', { name: 'Sections of this account' }).isVisible()).toBe(true);
    await page.close();
  });
});

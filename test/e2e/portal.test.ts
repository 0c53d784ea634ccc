/**
 * The portal end to end: headless Chromium against the local cloud, each journey as its user walks
 * it, checked against what the API and an agent then see. Screenshots of the main pages at desktop
 * and phone width go to docs/screenshots/.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { TestAgent } from '#test/support/agent-client';
import { activatedAgent, activationBody, api, call, newAccount, perpetual } from '#test/support/licensing-api';
import { cloud, tokenFor } from '#test/support/local-cloud';
import { postBeats } from '#test/support/telemetry-api';
import { screenshots, portal, useE2eBrowser } from './support/browser';

jest.setTimeout(120_000);

const browser = useE2eBrowser();
const customerToken = (accountId: string) => tokenFor({ groups: ['customer'], accountId });
const GIB = 1024 ** 3;

async function openAccount(page: Page, accountId: string): Promise<void> {
  await page.goto(portal(`#/accounts/${accountId}`));
  await page.getByRole('heading', { name: 'Products' }).waitFor();
}

describe('the portal', () => {
  it('serves the app at / with security headers, under 200 KB of gzipped JS', async () => {
    const [html, js] = await Promise.all([
      fetch(portal()),
      fetch(`${api()}/app.js`, { headers: { 'accept-encoding': 'identity' } }),
    ]);
    const { gzipSync } = await import('node:zlib');

    const jsBytes = Buffer.from(await js.arrayBuffer());

    expect(html.status).toBe(200);
    expect(html.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await html.text()).toContain('<main id="main"');
    expect(gzipSync(jsBytes).length).toBeLessThan(200 * 1024);
  });

  it('signs a demo user in, and a new user up with the code from the outbox', async () => {
    const page = await browser.page();
    const email = `e2e-${randomUUID().slice(0, 8)}@example.com`;

    await page.goto(portal());
    await page.getByRole('heading', { name: 'Sign in to UCX Cloud' }).waitFor();
    await screenshots(page, 'sign-in');
    const signUp = page.getByRole('form', { name: 'Create an account' });
    await signUp.getByLabel('E-mail').fill(email);
    await signUp.getByLabel('Password').fill('short');
    await signUp.getByRole('button', { name: 'Sign up' }).click();
    const weak = await signUp.getByRole('alert').textContent();
    await signUp.getByLabel('Password').fill('correct horse 42');
    await signUp.getByRole('button', { name: 'Sign up' }).click();
    await page.getByText(`A verification code was sent to ${email}.`).waitFor();
    const { messages } = (await (await fetch(`${api()}/local/outbox`)).json()) as {
      messages: { to: string; code: string }[];
    };
    const verify = page.getByRole('form', { name: 'Verify your e-mail' });
    await verify.getByLabel('Verification code').fill(messages.find((m) => m.to === email)!.code);
    await verify.getByRole('button', { name: 'Verify e-mail' }).click();
    await page.getByText('Your e-mail is verified').waitFor();
    const signIn = page.getByRole('form', { name: 'Sign in' });
    await signIn.getByLabel('Password').fill('correct horse 42');
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Create your Smart Account' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: /Reseller res-demo/ }).click();
    await page.getByRole('heading', { name: 'Your customers' }).waitFor();

    // Each problem is a sentence (issue 19.5): capitalised, ending with a full stop.
    expect(weak).toContain('Password: At least 8 characters.');
    expect(await page.getByTestId('acting-for').textContent()).toBe('Acting for: no customer selected');
    expect(
      await page
        .getByRole('link', { name: cloud().demo.accounts.find((a) => a.resellerId === 'res-demo')!.accountId })
        .count(),
    ).toBe(0);
    expect(await page.getByRole('table').count()).toBe(1);
    await screenshots(page, 'reseller-customers');
    await page.close();
  });

  it('lets a customer create an activation key that an agent activates with, and shows the installation', async () => {
    const accountId = await newAccount([perpetual('ivr', 5), perpetual('attendant-console', 3, 'platinum')]);
    const page = await browser.page(customerToken(accountId), 'customer@example.com');
    await openAccount(page, accountId);

    await page.getByRole('spinbutton', { name: 'IVR' }).fill('2');
    await page.getByRole('spinbutton', { name: 'Attendant Console' }).fill('0');
    await page.getByRole('button', { name: 'Create activation key' }).click();
    const activationKey = (await page.getByTestId('activation-key').textContent())!;
    const agent = await TestAgent.create();
    const activated = await agent.request(api(), 'POST', '/v1/activations', activationBody(agent, activationKey));
    await page.reload();
    await page.getByRole('heading', { name: 'Installations' }).waitFor();
    // The installations' telemetry loads after the account: its cells say "Loading…" until then.
    await page
      .getByRole('table', { name: 'Installations', exact: true })
      .getByRole('row', { name: new RegExp(activated.json.installationId) })
      .getByText('no beat yet')
      .waitFor();

    expect(activated.status).toBe(201);
    expect(await page.getByRole('rowheader', { name: activated.json.installationId }).count()).toBe(1);
    expect(await page.getByTestId('acting-for').textContent()).toContain(accountId);
    expect(await page.getByRole('row', { name: /IVR perpetual 5 2 3/ }).count()).toBe(1);
    expect(
      await page
        .getByRole('table', { name: 'Installations', exact: true })
        .getByRole('row', { name: new RegExp(activated.json.installationId) })
        .textContent(),
    ).toContain('no beat yet');
    await screenshots(page, 'customer-account');
    await page.close();
  });

  it('lets a customer administrator invite a colleague, who chooses a password with the e-mailed code and signs in, and then remove them', async () => {
    const accountId = await newAccount([perpetual('ivr', 5)]);
    const admin = await browser.page(customerToken(accountId), 'admin@example.com');
    const email = `colleague-${randomUUID().slice(0, 8)}@example.com`;
    await openAccount(admin, accountId);

    const invite = admin.getByRole('form', { name: 'Invite a colleague' });
    await invite.getByLabel('E-mail').fill(email);
    await invite.getByRole('button', { name: 'Invite' }).click();
    await admin.getByText(`${email} is invited.`).waitFor();
    await admin.getByRole('row', { name: new RegExp(`${email} invited`) }).waitFor();
    const { messages } = (await (await fetch(`${api()}/local/outbox`)).json()) as {
      messages: { to: string; code: string }[];
    };
    const colleague = await browser.page();
    await colleague.goto(portal());
    const reset = colleague.getByRole('form', { name: 'Reset password' });
    await reset.getByLabel('E-mail').fill(email);
    await reset.getByLabel('Reset code').fill(messages.find((m) => m.to === email)!.code);
    await reset.getByLabel('New password').fill('correct horse 42');
    await reset.getByRole('button', { name: 'Set new password' }).click();
    await colleague.getByText('Password changed').waitFor();
    const signIn = colleague.getByRole('form', { name: 'Sign in' });
    await signIn.getByLabel('Password').fill('correct horse 42');
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await colleague.getByRole('heading', { name: 'Products' }).waitFor();
    const colleagueActsFor = await colleague.getByTestId('acting-for').textContent();
    await colleague.close();
    await admin.reload();
    await admin.getByRole('row', { name: new RegExp(`${email} active`) }).waitFor();
    admin.once('dialog', (dialog) => void dialog.accept());
    await admin.getByTestId(`remove-user-${email}`).click();
    await admin.getByText(`${email} was removed.`).waitFor();
    const users = await call('GET', `${api()}/v1/accounts/${accountId}/users`, {
      token: tokenFor({ groups: ['backoffice'] }),
    });

    expect(colleagueActsFor).toContain(accountId);
    expect(users.json.users).toEqual([]);
    await admin.close();
  });

  it('lets a reseller switch telemetry off for its customer, after which the agent’s telemetry is refused', async () => {
    const resellerId = `res-e2e-${randomUUID().slice(0, 8)}`;
    const accountId = await newAccount([perpetual('ivr', 5)], { resellerId });
    const { agent } = await activatedAgent(accountId, { allocation: { ivr: 1 } });
    const page = await browser.page(tokenFor({ groups: ['reseller'], resellerId }), `${resellerId} staff`);

    await page.goto(portal('#/customers'));
    await page.getByRole('link', { name: 'Integration Test Customer' }).click();
    await page.getByRole('heading', { name: 'Telemetry' }).waitFor();
    // Switching off is asked first, saying what stops (issue 19.8).
    await page.getByRole('switch', { name: /telemetry/i }).click();
    await page.getByRole('button', { name: 'Yes, switch telemetry off' }).click();
    await page.getByText('Telemetry is off').waitFor();
    const posted = await postBeats(agent, {
      beats: [
        {
          id: randomUUID(),
          type: 'ucx.logging',
          collectedAt: new Date().toISOString(),
          data: { enabled: true, retentionDays: 30 },
        },
      ],
    });

    expect(await page.getByTestId('acting-for').textContent()).toContain(accountId);
    expect(posted.status).toBe(403);
    await page.close();
  });

  it('shows a customer its audit log, filtered by action, and downloads it as CSV', async () => {
    const accountId = await newAccount([perpetual('ivr', 5)]);
    await activatedAgent(accountId, { allocation: { ivr: 1 } });
    const page = await browser.page(customerToken(accountId), 'customer@example.com');
    await openAccount(page, accountId);
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByRole('cell', { name: 'Installation activated' }).waitFor();

    await page.getByLabel('Action').selectOption('order.deposited');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('cell', { name: 'Installation activated' }).waitFor({ state: 'detached' });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-csv').click()]);
    const csv = await readFile((await download.path())!, 'utf8');

    // the action in words on the page (issue 19.6); the CSV keeps its name
    expect(await page.getByRole('cell', { name: 'Order deposited' }).count()).toBe(1);
    expect(download.suggestedFilename()).toBe(`audit-${accountId}.csv`);
    expect(csv.split('\r\n')[0]).toBe('at,action,actorKind,actorId,eventId,details,by');
    expect(csv).toContain(',order.deposited,');
    expect(csv).not.toContain('installation.activated');
    await page.close();
  });

  it('lets the back office deposit an order (errors named by field first), and the customer sees the new capacity', async () => {
    const accountId = await newAccount([perpetual('attendant-console', 10)]);
    const ops = await browser.page(tokenFor({ groups: ['backoffice'] }), 'ops@vendor.example');
    await ops.goto(portal('#/ops'));
    const form = ops.getByRole('form', { name: 'Deposit an order' });

    await form.getByLabel('Existing account id').fill(accountId);
    await form.getByLabel('Product').selectOption('acd');
    await form.getByLabel('Quantity').fill('0');
    await form.getByRole('button', { name: 'Deposit order' }).click();
    await form.getByRole('alert').filter({ hasText: 'Quantity' }).waitFor();
    const refused = await form.getByRole('alert').textContent();
    await form.getByLabel('Quantity').fill('7');
    await form.getByRole('button', { name: 'Deposit order' }).click();
    await ops.getByText(/deposited into/).waitFor();
    await screenshots(ops, 'back-office');
    const customer = await browser.page(customerToken(accountId));
    await openAccount(customer, accountId);

    expect(refused).toMatch(/^Quantity: /);
    expect(await form.getByLabel('Quantity').getAttribute('aria-invalid')).toBeNull();
    expect(await customer.getByRole('row', { name: /ACD queues perpetual 7 0 7/ }).count()).toBe(1);
    await ops.close();
    await customer.close();
  });

  it('lets support open an installation with a finding and acknowledge it with a note', async () => {
    const accountId = await newAccount([perpetual('ivr', 50, 'gold')]);
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
    const support = tokenFor({ groups: ['support'] });
    for (let i = 0; i < 60; i++) {
      const res = await call('GET', `${api()}/v1/installations/${agent.keyid}/findings`, { token: support });
      if (res.json?.findings?.length) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const page = await browser.page(support, 'support@vendor.example');

    await page.goto(portal('#/support'));
    const filters = page.getByRole('form', { name: 'Filter installations' });
    await filters.getByLabel('Open finding').selectOption('warning');
    await filters.getByLabel('Care').selectOption('gold');
    await filters.getByRole('button', { name: 'Filter' }).click();
    const row = page.getByRole('row').filter({ hasText: agent.keyid });
    const listed = await row.textContent();
    const customerLink = await row.getByRole('link', { name: 'Integration Test Customer' }).getAttribute('href');
    await filters.getByLabel('Silent for (hours)').fill('1');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('link', { name: agent.keyid }).waitFor({ state: 'detached' });
    await filters.getByLabel('Silent for (hours)').fill('');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('link', { name: agent.keyid }).click();
    const finding = page.locator('article.finding').first();
    await finding.waitFor();
    await finding.getByLabel('Note').fill('Called the customer: moving to SQL Server Standard next week.');
    await finding.getByRole('button', { name: 'Acknowledge' }).click();
    await page.locator('.acks li').first().waitFor();
    const findings = await call('GET', `${api()}/v1/installations/${agent.keyid}/findings`, { token: support });

    // the customer by name (issue 19.7), linking to the account
    expect(customerLink).toBe(`#/accounts/${accountId}`);
    expect(listed).toMatch(/(warning|critical): db-express-cap/);
    expect(await page.getByTestId('acting-for').textContent()).toContain(accountId);
    expect(findings.json.findings[0].acknowledgements).toEqual([
      expect.objectContaining({ note: 'Called the customer: moving to SQL Server Standard next week.' }),
    ]);
    expect(await page.locator('.acks li').first().textContent()).toContain('moving to SQL Server Standard');
    await screenshots(page, 'support-installation');
    await page.close();
  });

  it('shows each product’s terms: every order line with its dates, Care and status, and the capacity now', async () => {
    const now = Date.now();
    const iso = (days: number) => new Date(now + days * 86_400_000).toISOString();
    const accountId = await newAccount([
      perpetual('ivr', 5),
      { product: 'ivr', quantity: 3, kind: 'subscription', startsAt: iso(-30), endsAt: iso(335) },
      { product: 'ivr', quantity: 2, kind: 'subscription', startsAt: iso(335), endsAt: iso(700) },
    ]);
    const page = await browser.page(customerToken(accountId), 'customer@example.com');
    await openAccount(page, accountId);

    const terms = page.getByRole('table', { name: 'Terms of IVR' });
    await terms.waitFor();

    expect(await page.getByRole('heading', { name: /Terms of IVR: capacity now 8, Care: Gold until/ }).count()).toBe(1);
    expect(
      await terms
        .getByRole('row', {
          name: /^5 perpetual \d{4}-\d{2}-\d{2} never \(perpetual\) Gold until \d{4}-\d{2}-\d{2} active$/,
        })
        .count(),
    ).toBe(1);
    expect(
      await terms
        .getByRole('row', {
          name: new RegExp(`^3 subscription ${iso(-30).slice(0, 10)} ${iso(335).slice(0, 10)} — active$`),
        })
        .count(),
    ).toBe(1);
    expect(await terms.getByRole('row', { name: /^2 subscription .* future$/ }).count()).toBe(1);
    // No shortfall here: nothing is allocated beyond what the account holds (the words are unit-tested).
    expect(await page.locator('.shortfall-notice').count()).toBe(0);
    await page.close();
  });

  it('does not show a customer another account opened by URL', async () => {
    const [own, other] = await Promise.all([newAccount([perpetual('ivr', 1)]), newAccount([perpetual('acd', 9)])]);
    const page = await browser.page(customerToken(own));

    await page.goto(portal(`#/accounts/${other}`));
    await page.getByRole('heading', { name: 'No access' }).waitFor();

    expect(await page.getByRole('alert').textContent()).toContain('does not grant access');
    expect(await page.getByRole('table').count()).toBe(0);
    expect(await page.getByText('ACD queues').count()).toBe(0);
    await page.close();
  });
});

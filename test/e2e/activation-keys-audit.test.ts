/**
 * Issue 19, points 4 and 6 in headless Chromium: an account's activation keys listed after a reload
 * (the local seed's "take everything" key among them) and revoked after a confirmation, the revoked
 * key refused at activation with a 403 that says so; the audit log naming people by e-mail ("back
 * office", "agent of installation …") with details in sentences, invitations and revocations in it.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { seedDemo } from '#local/seed';
import { TestAgent } from '#test/support/agent-client';
import { activationBody, api, call, newAccount, opsToken, perpetual } from '#test/support/licensing-api';
import { tokenFor } from '#test/support/local-cloud';
import { axeAtBothWidths } from './support/axe';
import { screenshots, portal, useE2eBrowser } from './support/browser';

jest.setTimeout(180_000);

const browser = useE2eBrowser();

/** An administrator of the account as the user index knows them: invited by the back office, signed in by token. */
async function administrator(accountId: string): Promise<{ email: string; token: string }> {
  const email = `admin-${randomUUID().slice(0, 8)}@example.com`;
  const invited = await call('POST', `${api()}/v1/accounts/${accountId}/users`, { token: opsToken(), body: { email } });
  if (invited.status !== 201) throw new Error(`invitation refused: ${invited.status} ${invited.text}`);
  return { email, token: tokenFor({ groups: ['customer'], accountId, sub: invited.json.userId as string }) };
}

const keysTable = (page: Page) => page.getByRole('table', { name: 'Activation keys of this account' });

async function openKeys(page: Page, accountId: string): Promise<void> {
  await page.goto(portal(`#/accounts/${accountId}/activation-keys`));
  await page.getByRole('heading', { name: 'Activation keys', exact: true }).waitFor();
}

describe('activation keys you can see and revoke (19.4)', () => {
  it('lists a created key after a reload, revokes it after a confirmation, and activation with it is refused with a 403 that says so', async () => {
    // Arrange
    const accountId = await newAccount([perpetual('ivr', 5)]);
    const admin = await administrator(accountId);
    const page = await browser.page(admin.token, admin.email);
    await openKeys(page, accountId);

    // Act
    await page.getByRole('spinbutton', { name: 'IVR' }).fill('2');
    await page.getByRole('button', { name: 'Create activation key' }).click();
    const activationKey = (await page.getByTestId('activation-key').textContent())!;
    const hint = activationKey.slice(-4);
    const copyShown = await page.getByRole('button', { name: 'Copy' }).count();
    await page.reload();
    const row = keysTable(page).getByRole('row', { name: new RegExp(`…${hint}`) });
    await row.waitFor();
    const listedOpen = await row.textContent();
    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: `Revoke key …${hint}` }).click();
    await page.getByText(`The key ending ${hint} is revoked.`).waitFor();
    await page.reload();
    await keysTable(page).waitFor();
    const listedRevoked = await keysTable(page)
      .getByRole('row', { name: new RegExp(`…${hint}`) })
      .textContent();
    const agent = await TestAgent.create();
    const refused = await agent.request(api(), 'POST', '/v1/activations', activationBody(agent, activationKey));
    const again = await call('DELETE', `${api()}/v1/accounts/${accountId}/activation-keys/akey_notthere`, {
      token: admin.token,
    });
    await screenshots(page, 'activation-keys');
    const axe = await axeAtBothWidths(page);

    // Assert
    expect(copyShown).toBe(1);
    expect(listedOpen).toContain('open: not used yet');
    expect(listedOpen).toContain('IVR ×2');
    expect(listedOpen).toContain(`by ${admin.email}`);
    expect(listedRevoked).toMatch(/revoked on \d{4}-\d{2}-\d{2}/);
    expect(listedRevoked).not.toContain('Revoke key');
    expect({ status: refused.status, type: refused.json?.type }).toEqual({
      status: 403,
      type: expect.stringContaining('forbidden'),
    });
    expect(refused.json?.detail).toMatch(/revoked on \d{4}-\d{2}-\d{2}/);
    expect(again.status).toBe(204);
    expect(axe).toEqual({ desktop: [], phone: [] });
    await page.close();
  });

  it('shows the local seed’s take-everything key, created by the back office, as open', async () => {
    // Arrange: the demo seed as `npm start` runs it (already run in this cloud: its account is found by name)
    const seeded = await seedDemo({ eu: api('eu'), us: api('us') }, opsToken()).catch(() => undefined);
    const found = await call('GET', `${api()}/v1/ops/accounts?q=${encodeURIComponent('Demo Customer EU')}`, {
      token: opsToken(),
    });
    const accountId =
      seeded?.accounts.find((a) => a.region === 'eu')?.accountId ?? (found.json.accounts[0].accountId as string);
    const page = await browser.page(opsToken(), 'ops@vendor.example');

    // Act
    await openKeys(page, accountId);
    const row = keysTable(page)
      .getByRole('row', { name: /Attendant Console ×10.*\(and what the account buys later\)/ })
      .first();
    await row.waitFor();

    // Assert
    expect(await row.textContent()).toContain('by back office');
    expect(await row.textContent()).toMatch(/open: not used yet|used by inst_/);
    await page.close();
  });
});

describe('an audit log a person reads (19.6)', () => {
  it('names people by e-mail, the back office and the agent, says details in sentences, and records invitations and revocations', async () => {
    // Arrange
    const accountId = await newAccount([perpetual('ivr', 5)]);
    const admin = await administrator(accountId);
    const key = await call('POST', `${api()}/v1/accounts/${accountId}/activation-keys`, {
      token: admin.token,
      body: { allocation: { ivr: 1 } },
    });
    const revoked = await call('DELETE', `${api()}/v1/accounts/${accountId}/activation-keys/${key.json.keyId}`, {
      token: admin.token,
    });
    const agent = await TestAgent.create();
    const other = await call('POST', `${api()}/v1/accounts/${accountId}/activation-keys`, {
      token: opsToken(),
      body: { allocation: { ivr: 1 } },
    });
    const activated = await agent.request(
      api(),
      'POST',
      '/v1/activations',
      activationBody(agent, other.json.activationKey),
    );
    const colleague = await call('POST', `${api()}/v1/accounts/${accountId}/users`, {
      token: admin.token,
      body: { email: `colleague-${randomUUID().slice(0, 8)}@example.com` },
    });
    await call('DELETE', `${api()}/v1/accounts/${accountId}/users/${colleague.json.userId}`, { token: admin.token });
    const page = await browser.page(admin.token, admin.email);

    // Act
    await page.goto(portal(`#/accounts/${accountId}/audit-log`));
    const log = page.getByRole('table', { name: 'Audit log' });
    await log.waitFor();
    const rowText = (action: string) =>
      log
        .getByRole('row', { name: new RegExp(action) })
        .first()
        .textContent();
    const texts = {
      revoked: await rowText('Activation key revoked'),
      invited: await rowText('Person invited back office'),
      removed: await rowText('Person removed'),
      activated: await rowText('Installation activated'),
    };
    const details = await log.locator('tbody td:nth-child(4)').allTextContents();
    await screenshots(page, 'audit-log');

    // Assert
    expect([revoked.status, activated.status]).toEqual([204, 201]);
    expect(texts.revoked).toContain(admin.email);
    expect(texts.revoked).toContain(
      `The key ending ${String(key.json.activationKey).slice(-4)} (IVR ×1) can no longer activate`,
    );
    expect(texts.invited).toContain('back office');
    expect(texts.removed).toContain('can no longer sign in for this account');
    expect(texts.activated).toContain(`agent of installation ${activated.json.installationId}`);
    expect(details.join('\n')).not.toMatch(/[{}]|"/);
    await page.close();
  });
});

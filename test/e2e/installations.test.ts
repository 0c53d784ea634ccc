/**
 * The portal's installations end to end, in headless Chromium against the local cloud: a customer
 * edits an installation's allocation (within capacity, and beyond it by keyboard), sees its last
 * poll, and deactivates it; each step checked against what the installation's agent then gets.
 */
import type { Locator, Page } from 'playwright-core';
import type { TestAgent } from '#test/support/agent-client';
import {
  accountView,
  activatedAgent,
  api,
  newAccount,
  perpetual,
  type JsonResponse,
} from '#test/support/licensing-api';
import { tokenFor } from '#test/support/local-cloud';
import { axeViolations } from './support/axe';
import { portal, useE2eBrowser } from './support/browser';

jest.setTimeout(120_000);

const browser = useE2eBrowser();

const poll = (agent: TestAgent, etag?: string) =>
  agent.request(api(), 'GET', `/v1/installations/${agent.keyid}/license`, undefined, {
    headers: etag ? { 'if-none-match': etag } : {},
  });
const licensedCapacity = (res: JsonResponse, product: string) =>
  (
    JSON.parse(Buffer.from(String(res.json.license).split('.')[1]!, 'base64url').toString()) as {
      products: { product: string; capacity: number }[];
    }
  ).products.find((p) => p.product === product)?.capacity;

async function openAccount(page: Page, accountId: string): Promise<void> {
  await page.goto(portal(`#/accounts/${accountId}`));
  await page.getByRole('heading', { name: 'Installations' }).waitFor();
}

const installationRow = (page: Page, installationId: string): Locator =>
  page
    .getByRole('table', { name: 'Installations', exact: true })
    .getByRole('row', { name: new RegExp(installationId) });

describe('installations in the portal', () => {
  it('lets a customer raise an allocation within capacity, read the refusal beyond it, see the last poll and deactivate', async () => {
    const accountId = await newAccount([perpetual('ivr', 5)]);
    const { agent } = await activatedAgent(accountId, { allocation: { ivr: 2 } });
    const { agent: silent } = await activatedAgent(accountId, { allocation: { ivr: 1 } });
    const first = await poll(agent);
    const page = await browser.page(tokenFor({ groups: ['customer'], accountId }), 'admin@example.com');
    await openAccount(page, accountId);
    const lastPolls = [
      await installationRow(page, agent.keyid).textContent(),
      await installationRow(page, silent.keyid).textContent(),
    ];

    // Raise within capacity: 2 → 4 of IVR (2 free).
    await page.getByRole('button', { name: `Edit allocation of ${agent.keyid}` }).click();
    const edit = page.getByRole('form', { name: `Edit allocation of ${agent.keyid}` });
    await edit.getByRole('spinbutton', { name: 'IVR' }).fill('4');
    await edit.getByRole('button', { name: 'Save allocation' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Allocation of ${agent.keyid} saved: IVR ×4` })
      .waitFor();
    const afterRaise = await poll(agent, first.headers.get('etag')!);
    const rowAfterRaise = await installationRow(page, agent.keyid).textContent();

    // Beyond capacity, by keyboard only: open, type, submit with Enter; the refusal is in words beside the field.
    await page.getByRole('button', { name: `Edit allocation of ${agent.keyid}` }).focus();
    await page.keyboard.press('Enter');
    const input = page
      .getByRole('form', { name: `Edit allocation of ${agent.keyid}` })
      .getByRole('spinbutton', { name: 'IVR' });
    const focusedOnOpen = await input.evaluate((el) => el === document.activeElement);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('5');
    await page.keyboard.press('Enter');
    const alert = page.getByRole('form', { name: `Edit allocation of ${agent.keyid}` }).getByRole('alert');
    await alert.filter({ hasText: 'IVR' }).waitFor();
    const refusal = await alert.textContent();
    const invalid = await input.getAttribute('aria-invalid');
    const fieldError = await page
      .getByRole('form', { name: `Edit allocation of ${agent.keyid}` })
      .locator('.field-error')
      .first()
      .textContent();
    const violationsWithError = await axeViolations(page);
    await page.keyboard.press('Escape');
    const formsAfterEscape = await page.getByRole('form', { name: `Edit allocation of ${agent.keyid}` }).count();
    const focusBackOnButton = await page
      .getByRole('button', { name: `Edit allocation of ${agent.keyid}` })
      .evaluate((el) => el === document.activeElement);

    // Deactivate, through its confirmation step.
    await page.getByRole('button', { name: `Deactivate ${agent.keyid}` }).click();
    const confirmation = page.getByRole('form', { name: `Deactivate ${agent.keyid}` });
    const confirmationText = await confirmation.textContent();
    const violationsWhileConfirming = await axeViolations(page);
    await confirmation.getByRole('button', { name: 'Yes, deactivate' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Installation ${agent.keyid} is deactivated` })
      .waitFor();
    const afterDeactivation = await poll(agent);
    const view = await accountView(accountId);

    expect(lastPolls[0]).toContain('within the hour');
    expect(lastPolls[1]).toContain('never');
    expect(afterRaise.status).toBe(200);
    expect(afterRaise.headers.get('etag')).not.toBe(first.headers.get('etag'));
    expect(licensedCapacity(afterRaise, 'ivr')).toBe(4);
    expect(rowAfterRaise).toContain('IVR ×4');
    expect(focusedOnOpen).toBe(true);
    // Each problem is a sentence (issue 19.5): capitalised, ending with a full stop.
    expect(refusal).toContain('IVR: Only 0 more are free: at most 4 for this installation.');
    expect(invalid).toBe('true');
    expect(fieldError).toBe('Only 0 more are free: at most 4 for this installation.');
    expect(violationsWithError).toEqual([]);
    expect(violationsWhileConfirming).toEqual([]);
    expect(formsAfterEscape).toBe(0);
    expect(focusBackOnButton).toBe(true);
    expect(confirmationText).toContain('go back to the account’s pool');
    expect(afterDeactivation.status).toBe(410);
    expect(await installationRow(page, agent.keyid).textContent()).toContain('deactivated');
    expect(view.products[0]).toMatchObject({ capacity: 5, allocated: 1, free: 4 });
    await page.close();
  });
});

/**
 * The two regions' portals (both served by the local cloud, each with its own `/config.json`): the
 * header names the region and links to the other's same page; an account homed in the other region
 * is said to be so, with a link that opens the same page there, whether the portal sees it from the
 * account's home region or the API answers 421.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createOfflineRequest } from '#agent/sdk/offline';
import type { Ed25519PublicJwk } from '#agent/sdk/types';
import { WrongRegionError } from '#lambdas/core/errors';
import { problemResponse } from '#lambdas/shared/problem';
import { api, newAccount, newActivationKey, perpetual } from '#test/support/licensing-api';
import { cloud, tokenFor } from '#test/support/local-cloud';
import { useE2eBrowser } from './support/browser';

jest.setTimeout(120_000);

const browser = useE2eBrowser();
const portal = (region: 'eu' | 'us', hash = '') => `${api(region)}/${hash}`;

describe('the portal in two regions', () => {
  it('serves each region its config.json: which region, both portals, no user pool (local sign-in)', async () => {
    const [eu, us] = await Promise.all([fetch(portal('eu', 'config.json')), fetch(portal('us', 'config.json'))]);

    expect(eu.headers.get('content-type')).toContain('application/json');
    expect(await eu.json()).toEqual({
      region: cloud().regions.eu.region,
      regionKey: 'eu',
      portals: { eu: api('eu'), us: api('us') },
    });
    expect(await us.json()).toMatchObject({ regionKey: 'us', portals: { eu: api('eu'), us: api('us') } });
  });

  it('names the region in the header and switches to the other region’s portal on the same page', async () => {
    const accountId = await newAccount([perpetual('ivr', 5)]);
    const page = await browser.page(tokenFor({ groups: ['backoffice'] }), 'ops@vendor.example');
    await page.goto(portal('eu', `#/accounts/${accountId}`));
    await page.getByRole('heading', { name: 'Products' }).waitFor();

    const here = await page.getByTestId('region').textContent();
    const link = page.getByRole('link', { name: 'Switch to the US portal' });
    const href = await link.getAttribute('href');
    await link.click();
    await page.getByRole('heading', { name: 'Products' }).waitFor();

    expect(here).toBe('EU region');
    expect(href).toBe(portal('us', `#/accounts/${accountId}`));
    expect(page.url()).toBe(portal('us', `#/accounts/${accountId}`));
    expect(await page.getByTestId('region').textContent()).toBe('US region');
    expect(await page.getByRole('link', { name: 'Switch to the EU portal' }).getAttribute('href')).toBe(
      portal('eu', `#/accounts/${accountId}`),
    );
    await page.close();
  });

  it('says an account is homed in the other region, and opens its page in that region’s portal', async () => {
    const accountId = await newAccount([perpetual('ivr', 5)], { region: 'us' });
    const page = await browser.page(tokenFor({ groups: ['customer'], accountId }), 'customer@example.com');
    await page.goto(portal('eu', `#/accounts/${accountId}`));
    await page.getByRole('heading', { name: 'Products' }).waitFor();

    const notice = await page.getByTestId('homed-elsewhere').textContent();
    await page.getByTestId('homed-elsewhere').getByRole('link', { name: 'Open this page in the US portal' }).click();
    await page.getByRole('heading', { name: 'Products' }).waitFor();

    expect(notice).toContain('This account is homed in the US region, and this is the EU portal.');
    expect(page.url()).toBe(portal('us', `#/accounts/${accountId}`));
    expect(await page.getByTestId('homed-elsewhere').count()).toBe(0);
    await page.close();
  });

  it('turns the API’s 421 for an offline activation into words and a link to the home region’s page', async () => {
    const accountId = await newAccount([perpetual('ivr', 5)], { region: 'us' });
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const request = await createOfflineRequest(
      privateKey,
      publicKey.export({ format: 'jwk' }) as Ed25519PublicJwk,
      await newActivationKey(accountId),
      { suiteVersion: '2025.2.1', nodes: ['air-1'] },
    );
    const page = await browser.page(tokenFor({ groups: ['customer'], accountId }), 'customer@example.com');
    await page.goto(portal('eu', `#/accounts/${accountId}`));
    const form = page.getByRole('form', { name: 'Offline activation' });

    await form.getByLabel('Request file from the agent').setInputFiles({
      name: 'request.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(request)),
    });
    await form.getByRole('button', { name: 'Upload and activate' }).click();
    const alert = form.getByRole('alert').filter({ hasText: 'homed' });
    await alert.waitFor();

    expect(await alert.textContent()).toBe('This account is homed in the US region. Open this page in the US portal.');
    expect(await alert.getByRole('link').getAttribute('href')).toBe(portal('us', `#/accounts/${accountId}`));
    await page.close();
  });

  it('turns a 421 answering the page’s own request into a page saying where the account lives', async () => {
    const accountId = await newAccount([perpetual('ivr', 5)], { region: 'us' });
    const page = await browser.page(tokenFor({ groups: ['customer'], accountId }), 'customer@example.com');
    // No portal read answers 421 today (licensing data is global); this is the edge's own 421 body.
    const wrongRegion = problemResponse(new WrongRegionError('us', api('us')));
    await page.route(`**/v1/accounts/${accountId}`, (route) =>
      route.fulfill({
        status: wrongRegion.statusCode!,
        headers: wrongRegion.headers as Record<string, string>,
        body: String(wrongRegion.body),
      }),
    );
    await page.goto(portal('eu', `#/accounts/${accountId}`));

    await page.getByRole('heading', { name: 'Homed in the other region' }).waitFor();

    expect(await page.getByRole('alert').textContent()).toContain(
      'This account is homed in the US region, and this is the EU portal.',
    );
    expect(await page.getByRole('link', { name: 'Open this page in the US portal' }).getAttribute('href')).toBe(
      portal('us', `#/accounts/${accountId}`),
    );
    await page.close();
  });

  it('opens the page asked for once the user has signed in in the other region’s portal', async () => {
    const usDemo = cloud().demo.accounts.find((a) => a.region === 'us')!;
    const page = await browser.page();
    await page.goto(portal('us', `#/accounts/${usDemo.accountId}`));
    await page.getByRole('heading', { name: 'Sign in to UCX Cloud' }).waitFor();

    await page.getByRole('button', { name: `Customer ${usDemo.accountId} (US)` }).click();
    await page.getByRole('heading', { name: 'Products' }).waitFor();

    expect(page.url()).toBe(portal('us', `#/accounts/${usDemo.accountId}`));
    await page.close();
  });
});

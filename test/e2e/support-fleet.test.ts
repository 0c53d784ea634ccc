/**
 * Support's fleet end to end, in headless Chromium against the local cloud (issues 18.4, 18.5 and
 * 19.7): support lowers one account's threshold in the portal and only that account's installation
 * gets the finding; the back office maintains an advisory table in the portal and the rule starts
 * judging; the overview counts both and its numbers link to the list filtered by them; the list
 * names the customers, sorts by severity, marks an acknowledged finding and hides it; screenshots.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { TestAgent } from '#test/support/agent-client';
import { activatedAgent, api, call, perpetual } from '#test/support/licensing-api';
import { tokenFor } from '#test/support/local-cloud';
import { postExpressDatabaseAndSuite } from '#test/support/telemetry-api';
import { axeAtBothWidths } from './support/axe';
import { screenshots, portal, useE2eBrowser } from './support/browser';

jest.setTimeout(300_000);

/**
 * The overview counts the whole fleet and the advisory table it maintains applies to every
 * installation: beside the run's shared cloud (integration files selected) this file runs on one
 * of its own, so other files' installations neither change its counts nor get its findings.
 */
const browser = useE2eBrowser('own');
const support = () => tokenFor({ groups: ['support'] });
const backoffice = () => tokenFor({ groups: ['backoffice'] });

async function namedAccount(name: string): Promise<string> {
  const res = await call('PUT', `${api()}/v1/ops/orders/e2e-${randomUUID()}`, {
    token: backoffice(),
    body: { account: { create: { name, region: 'eu' } }, lines: [perpetual('ivr', 5, 'gold')] },
  });
  if (res.status !== 201) throw new Error(`order failed: ${res.status} ${res.text}`);
  return res.json.accountId as string;
}

type Finding = { findingId: string; ruleId: string; severity: string; status: string };
async function openFindings(installationId: string): Promise<Finding[]> {
  const res = await call('GET', `${api()}/v1/installations/${installationId}/findings`, { token: support() });
  return res.status === 200 ? (res.json.findings as Finding[]).filter((f) => f.status === 'open') : [];
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${await diagnosis()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** What the installations hold, for a timeout's message. */
let watched: TestAgent[] = [];
async function diagnosis(): Promise<string> {
  const parts = await Promise.all(
    watched.map(async (agent) => {
      const snapshot = await call('GET', `${api()}/v1/installations/${agent.keyid}/snapshot`, { token: support() });
      const findings = await call('GET', `${api()}/v1/installations/${agent.keyid}/findings?status=all`, {
        token: support(),
      });
      return `${agent.keyid}: snapshot ${snapshot.status}, findings ${findings.status} ${findings.text.slice(0, 300)}`;
    }),
  );
  return parts.join('; ');
}

const rowsOf = async (page: Page) =>
  page.getByRole('table', { name: 'Installations across accounts' }).locator('tbody tr').allTextContents();

describe('support’s fleet in the portal', () => {
  let tuned: { accountId: string; agent: TestAgent };
  let outdated: { accountId: string; agent: TestAgent };

  beforeAll(async () => {
    const [a, b] = await Promise.all([namedAccount('Tuned Clinic'), namedAccount('Outdated Works')]);
    tuned = { accountId: a, agent: (await activatedAgent(a, { allocation: { ivr: 1 } })).agent };
    outdated = { accountId: b, agent: (await activatedAgent(b, { allocation: { ivr: 1 } })).agent };
    watched = [tuned.agent, outdated.agent];
  });

  it('changes a rule’s outcome for one account from its settings form, and judges suites once a table is maintained', async () => {
    // Support lowers db-express-cap's warning ratio for one account.
    const page = await browser.page(support(), 'support@example.com');
    await page.goto(portal(`#/support/accounts/${tuned.accountId}/rule-settings`));
    await page.getByRole('heading', { name: 'Rule settings' }).waitFor();
    await page.locator('details:has(form[data-rule="db-express-cap"]) > summary').click();
    const form = page.getByRole('form', { name: 'Settings of db-express-cap' });
    const placeholder = await form.getByRole('textbox', { name: 'warnRatio' }).getAttribute('placeholder');
    await form.getByRole('textbox', { name: 'warnRatio' }).fill('4');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('alert').filter({ hasText: /\S/ }).waitFor();
    const refusal = await form.getByRole('alert').textContent();
    await form.getByRole('textbox', { name: 'warnRatio' }).fill('0.4');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await screenshots(page, 'support-rule-settings');
    const settingsAxe = await axeAtBothWidths(page);

    // The back office maintains suite-outdated's table: 2022.1 has a critical known issue.
    const ops = await browser.page(backoffice(), 'ops@example.com');
    await ops.goto(portal('#/ops/advisories'));
    const table = ops.getByRole('form', { name: 'Advisory table of suite-outdated' });
    await table
      .getByRole('textbox')
      .fill(JSON.stringify({ knownIssues: [{ versions: ['2022.1'], severity: 'critical', issue: 'queue stalls' }] }));
    await table.getByRole('button', { name: 'Save table' }).click();
    await table.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await screenshots(ops, 'back-office-advisory-tables');
    const advisoriesAxe = await axeAtBothWidths(ops);

    await postExpressDatabaseAndSuite(tuned.agent, '2025.4.1');
    await postExpressDatabaseAndSuite(outdated.agent, '2022.1.3');
    const tunedFinding = await until('the tuned account’s db-express-cap', async () =>
      (await openFindings(tuned.agent.keyid)).find((f) => f.ruleId === 'db-express-cap'),
    );
    const outdatedFinding = await until('suite-outdated on the outdated installation', async () =>
      (await openFindings(outdated.agent.keyid)).find((f) => f.ruleId === 'suite-outdated'),
    );

    expect(settingsAxe).toEqual({ desktop: [], phone: [] });
    expect(advisoriesAxe).toEqual({ desktop: [], phone: [] });
    expect(placeholder).toBe('0.8');
    expect(refusal).toMatch(/warnRatio|1/);
    expect(tunedFinding.severity).toBe('warning');
    expect(outdatedFinding.severity).toBe('critical');
    // the same 50 % database, the default threshold: no finding for the other account
    expect((await openFindings(outdated.agent.keyid)).map((f) => f.ruleId)).not.toContain('db-express-cap');
    expect((await openFindings(tuned.agent.keyid)).map((f) => f.ruleId)).not.toContain('suite-outdated');
  });

  it('counts open findings in the overview, each number linking to the list filtered by it', async () => {
    const page = await browser.page(support(), 'support@example.com');
    await page.goto(portal('#/support'));
    const overview = page.getByTestId('fleet-overview');
    await until('the overview counting both', async () => {
      await page.goto(portal('#/support'));
      await overview.waitFor();
      const text = await overview.textContent();
      return text?.includes('suite-outdated') && text.includes('db-express-cap') && text.includes('Express Edition')
        ? true
        : undefined;
    });
    const byRule = await overview
      .getByRole('table', { name: 'Open findings by rule' })
      .locator('tbody tr')
      .allTextContents();
    const releases = await overview
      .getByRole('table', { name: 'Installations by suite release' })
      .locator('tbody tr')
      .allTextContents();
    const editions = await overview
      .getByRole('table', { name: 'Installations by SQL Server edition' })
      .locator('tbody tr')
      .allTextContents();
    await overview.locator('details > summary').click();
    await screenshots(page, 'support-fleet-overview');
    const overviewAxe = await axeAtBothWidths(page);

    await overview.getByRole('link', { name: '1 open suite-outdated findings: show them' }).click();
    await page.waitForURL(/rule=suite-outdated/);
    await until('the filtered list', async () => ((await rowsOf(page)).length === 1 ? true : undefined));
    const filtered = await rowsOf(page);
    const ruleField = await page.getByRole('textbox', { name: 'Rule' }).inputValue();

    expect(byRule).toEqual(
      expect.arrayContaining([expect.stringMatching(/^suite-outdated1/), expect.stringMatching(/^db-express-cap1/)]),
    );
    expect(overviewAxe).toEqual({ desktop: [], phone: [] });
    expect(releases).toEqual(expect.arrayContaining(['2025.41', '2022.11']));
    expect(editions).toEqual(['Express Edition2']);
    expect(filtered).toEqual([expect.stringContaining(outdated.agent.keyid)]);
    expect(filtered[0]).toContain('Outdated Works');
    expect(ruleField).toBe('suite-outdated');
  });

  it('sorts by severity, marks an acknowledged finding and hides it on request', async () => {
    const [finding] = (await openFindings(tuned.agent.keyid)).filter((f) => f.ruleId === 'db-express-cap');
    const ack = await call(
      'POST',
      `${api()}/v1/installations/${tuned.agent.keyid}/findings/${finding!.findingId}/acknowledgements`,
      { token: support(), body: { note: 'customer called' } },
    );
    expect(ack.status).toBe(201);
    const page = await browser.page(support(), 'support@example.com');

    await page.goto(portal('#/support?severity=warning'));
    await until('both installations listed', async () => ((await rowsOf(page)).length >= 2 ? true : undefined));
    const sorted = (await rowsOf(page)).filter(
      (r) => r.includes(tuned.agent.keyid) || r.includes(outdated.agent.keyid),
    );
    const acknowledgedMark = await page.locator('li[data-acknowledged="true"]').allTextContents();
    await screenshots(page, 'support-fleet-list');
    await page.getByRole('checkbox', { name: 'Hide acknowledged findings' }).check();
    const hidden = (await rowsOf(page)).filter(
      (r) => r.includes(tuned.agent.keyid) || r.includes(outdated.agent.keyid),
    );

    // critical (suite-outdated) before warning (db-express-cap)
    expect(sorted[0]).toContain('Outdated Works');
    expect(sorted[1]).toContain('Tuned Clinic');
    expect(acknowledgedMark).toEqual(expect.arrayContaining([expect.stringMatching(/db-express-cap.*acknowledged/)]));
    expect(hidden).toEqual([expect.stringContaining(outdated.agent.keyid)]);
  });

  it('links an installation count by suite release to the list of those installations', async () => {
    const page = await browser.page(support(), 'support@example.com');
    await page.goto(portal('#/support'));
    const overview = page.getByTestId('fleet-overview');
    await overview.waitFor();

    await overview.getByRole('link', { name: '1 installations on suite 2022.1: show them' }).click();
    await page.waitForURL(/suiteRelease=2022\.1/);
    await until('the list of suite 2022.1', async () => ((await rowsOf(page)).length === 1 ? true : undefined));

    expect(await rowsOf(page)).toEqual([expect.stringContaining(outdated.agent.keyid)]);
    expect(await page.getByRole('textbox', { name: 'Suite release' }).inputValue()).toBe('2022.1');
  });
});

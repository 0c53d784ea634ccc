/**
 * Issue 18 end to end, in headless Chromium against a local cloud whose clock this file moves: an
 * installation on SQL Server Express sends beats every 2 simulated hours over 8 days while its
 * database grows toward the edition's cap; the finding says in words which database, how full and
 * how many days are left, and its chart draws the series, the cap and warning lines and the
 * forecast to the cap. Support reads it on its installation page, the customer the same words and
 * chart on theirs.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { TestAgent } from '#test/support/agent-client';
import { activatedAgent, api, call, newAccount, perpetual } from '#test/support/licensing-api';
import { advanceClock, cloud, cloudNow, syncClock, tokenFor } from '#test/support/local-cloud';
import { postBeats } from '#test/support/telemetry-api';
import { screenshots, portal, useE2eBrowser } from './support/browser';

jest.setTimeout(120_000);

const GIB = 1024 ** 3;
/**
 * 7.28 GB growing 0.1 GB a day: on day 8 it crosses 80 % of SQL Server 2022 Express's 10 GB cap
 * (8.08 GB, 80.8 %, about 19 days left). A finding keeps the evidence it opened with (until its
 * severity changes), so the crossing comes on the last day, with 8 days of growth known.
 */
const DAYS = 8;
const sizeOnDay = (day: number) => Math.round((7.28 + day * 0.1) * GIB);

/**
 * A cloud whose clock may move: beside the run's shared cloud (integration files selected), one of
 * this file's own; alone, the one the e2e harness starts serves this file only.
 */
const besideSharedCloud = Boolean(process.env['UCX_CLOUD_JSON']);

/**
 * A beat every 2 hours (calls and consoles), the database's size once a day. The clock moves a day
 * at a time and a day's beats go in one request, as an agent's spool would send them: the history
 * keeps each beat at its own minute and the rules read one size a day (telemetry-silent may open
 * during a move: nothing here reads it).
 */
const STEP_HOURS = 2;
const STEPS_A_DAY = 24 / STEP_HOURS;

async function moveClock(hours: number): Promise<void> {
  if (besideSharedCloud) {
    await advanceClock({ seconds: hours * 3600 });
    return;
  }
  const res = await fetch(`${api()}/local/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceSeconds: hours * 3600 }),
  });
  if (res.status !== 200) throw new Error(`POST /local/clock: ${res.status} ${await res.text()}`);
  await syncClock(cloud());
}

const browser = useE2eBrowser('own');

/**
 * Day `day`'s request at the cloud's time: the 2-hourly calls and consoles since the last one
 * (each dated at its step), then the SQL Server and the database's size.
 */
async function sendDay(agent: TestAgent, day: number): Promise<void> {
  const now = cloudNow().getTime();
  const lastStep = day * STEPS_A_DAY;
  const beat = (step: number, i: number, type: string, data: unknown) => ({
    id: randomUUID(),
    type,
    collectedAt: new Date(now - (lastStep - step) * STEP_HOURS * 3_600_000 - 5_000 + i * 1000).toISOString(),
    data,
  });
  const firstStep = Math.max(0, lastStep - STEPS_A_DAY + 1);
  const steps = Array.from({ length: lastStep - firstStep + 1 }, (_, n) => firstStep + n);
  const res = await postBeats(agent, {
    beats: [
      ...steps.flatMap((step) => [
        beat(step, 2, 'ucx.ivr', { activeCalls: 1 + (step % 3) }),
        beat(step, 3, 'ucx.attendant_console', { connected: [{ type: 'desktop', count: 1 + (step % 2) }] }),
      ]),
      beat(lastStep, 0, 'ucx.database_server', {
        edition: 'Express Edition',
        version: '16.0.1000.6',
        instanceName: 'SQLEXPRESS',
      }),
      beat(lastStep, 1, 'ucx.database', {
        name: 'UCX',
        sizeBytes: sizeOnDay(day),
        filePaths: [],
        authType: 'sql',
        fullTextCatalogStatus: 'Idle',
        lastMaintenanceAt: new Date(now - 86_400_000).toISOString(),
      }),
    ],
  });
  if (res.status !== 202) throw new Error(`telemetry refused: ${res.status} ${res.text}`);
}

interface Finding {
  findingId: string;
  ruleId: string;
  subject: string;
  updatedAt: string;
  message?: string;
  chart?: { series: string };
}

/** Waits until the rules have read the last day's size: the db-express-cap finding opened at 80.8 %. */
async function capFinding(installationId: string): Promise<Finding> {
  const support = tokenFor({ groups: ['support'] });
  let last: unknown;
  for (let i = 0; i < 240; i++) {
    const res = await call('GET', `${api()}/v1/installations/${installationId}/findings`, { token: support });
    last = res.json;
    const finding = (res.json?.findings as Finding[] | undefined)?.find(
      (f) => f.ruleId === 'db-express-cap' && /80\.8 %/.test(f.message ?? ''),
    );
    if (finding) return finding;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no db-express-cap finding at 80.8 %: ${JSON.stringify(last)}`);
}

const findingFigure = (findingId: string) =>
  `[data-finding="${findingId}"] figure[data-series-key="database:UCX:sizeBytes"]`;

/** The chart as drawn: its summary, uPlot's series (x included) and the lines' names, the table's rows once opened. */
async function drawnChart(page: Page, selector: string) {
  const figure = page.locator(selector);
  await page
    .locator(`${selector}[data-uplot-series-count]`)
    .waitFor()
    .catch(async (error: Error) => {
      // what the page said instead (the history's status, the chart's slot)
      throw new Error(`${error.message}\npage: ${(await page.locator('main').textContent())?.slice(0, 3000)}`);
    });
  await figure.locator('summary').click();
  await figure.locator('tbody tr').first().waitFor();
  return {
    summary: (await figure.locator('figcaption').textContent())?.trim(),
    uplotSeries: Number(await figure.getAttribute('data-uplot-series-count')),
    lines: (await figure.getAttribute('data-plotted'))?.split(' | '),
    canvas: await figure.locator('canvas').count(),
    rows: await figure.locator('tbody tr').count(),
  };
}

describe('an installation on SQL Server Express whose database grows toward its cap', () => {
  let accountId: string;
  let installationId: string;
  let finding: Finding;

  beforeAll(async () => {
    accountId = await newAccount([perpetual('ivr', 10, 'gold'), perpetual('attendant-console', 5, 'gold')]);
    const { agent } = await activatedAgent(accountId, { allocation: { ivr: 4, 'attendant-console': 2 } });
    installationId = agent.keyid;
    for (let day = 0; day <= DAYS; day++) {
      if (day > 0) await moveClock(24);
      await sendDay(agent, day);
    }
    finding = await capFinding(installationId);
  }, 540_000);

  it('says which database, how full and how many days are left, and support sees its chart: the series, the cap and the forecast', async () => {
    const page = await browser.page(tokenFor({ groups: ['support'] }), 'support@vendor.example');

    await page.goto(portal(`#/installations/${installationId}`));
    const card = page.locator(`[data-finding="${finding.findingId}"]`);
    await card.waitFor();
    const chart = await drawnChart(page, findingFigure(finding.findingId));
    const cardText = await card.textContent();
    const usage = page.getByRole('region', { name: 'Usage against licensed capacity' });
    await usage.locator('figure[data-series-key="consoles:connected"] figcaption').waitFor();
    const consoles = await usage.locator('figure[data-series-key="consoles:connected"] figcaption').textContent();
    await page.getByRole('radio', { name: '90 days' }).check();
    await page.getByRole('status').filter({ hasText: 'Showing the last 90 days' }).waitFor();
    const after90Days = await page.locator(`${findingFigure(finding.findingId)} figcaption`).textContent();
    await page.getByRole('radio', { name: '7 days' }).check();
    await page.getByRole('status').filter({ hasText: 'Showing the last 7 days' }).waitFor();
    await screenshots(page, 'installation-history-support');

    expect(finding.message).toMatch(/database UCX is at 8\.1 GB of its 10 GB cap \(80\.8 %\)/);
    expect(finding.message).toMatch(/growth of the last 8 days it reaches the cap in about 19 days/);
    expect(finding.chart?.series).toBe('database:UCX:sizeBytes');
    expect(cardText).toContain(finding.message);
    // "now" is the range's newest point: the 15-minute tier may not hold the last beat's quarter yet
    expect(chart.summary).toMatch(
      /^Database UCX size: (7\.9|8|8\.1) GB now, cap 10 GB, warning at 80 %, reaches 10 GB in about 19 days$/,
    );
    // x, the database's size, the cap, the warning line and the forecast
    expect(chart.uplotSeries).toBe(5);
    expect(chart.lines).toEqual(['Database UCX size', 'cap 10 GB', 'warning at 80 %', 'forecast']);
    expect(chart.canvas).toBeGreaterThan(0);
    // a size a day; the range's first day and the newest quarter (not yet in the 15-minute tier) may be left out
    expect(chart.rows).toBeGreaterThanOrEqual(DAYS - 2);
    expect(consoles).toMatch(/^Connected attendant consoles: \d now, licensed capacity 2, peak 2 in the last 7 days$/);
    expect(after90Days).toMatch(/^Database UCX size: [\d.]+ GB now, cap 10 GB/);
    await page.close();
  });

  it('shows the customer the same finding in the same words, with the same chart, on their installation page', async () => {
    const page = await browser.page(tokenFor({ groups: ['customer'], accountId }), 'admin@example.com');

    await page.goto(portal(`#/accounts/${accountId}`));
    await page.getByRole('link', { name: installationId }).click();
    await page.getByRole('heading', { name: `Installation ${installationId}` }).waitFor();
    const card = page.locator(`[data-finding="${finding.findingId}"]`);
    await card.waitFor();
    const chart = await drawnChart(page, findingFigure(finding.findingId));
    const cardText = await card.textContent();
    const lastBeat = await page.getByTestId('last-beat').textContent();
    await page.getByRole('region', { name: 'Usage against licensed capacity' }).locator('figure').first().waitFor();
    await screenshots(page, 'installation-history-customer');

    expect(page.url()).toContain(`#/accounts/${accountId}/installations/${installationId}`);
    expect(cardText).toContain(finding.message);
    // "now" is the range's newest point: the 15-minute tier may not hold the last beat's quarter yet
    expect(chart.summary).toMatch(
      /^Database UCX size: (7\.9|8|8\.1) GB now, cap 10 GB, warning at 80 %, reaches 10 GB in about 19 days$/,
    );
    expect(chart.uplotSeries).toBe(5);
    expect(lastBeat).toMatch(/UTC$/);
    await page.close();
  });
});

/**
 * The operator's local dashboard in headless Chromium at 1280 px: the 5xx column counts only 5xx
 * answers and the 4xx column only 4xx, the alarm line comes first, bad values are coloured, and no
 * number spills onto its neighbour. The page is `local/dashboard.ts`'s, fed a metric store as
 * local/cloud.ts feeds it (the local cloud has no way to make a route answer 5xx on purpose).
 * Saves docs/screenshots/dashboard-alarm-1280.png.
 */
import { join } from 'node:path';
import { dashboardData, dashboardHtml } from '#local/dashboard';
import { localApiNamespace, MetricStore } from '#local/metrics';
import { desktop, screenshotDir, useE2eBrowser } from './support/browser';

jest.setTimeout(120_000);

const T = Date.parse('2026-03-02T09:00:30.000Z');
const minute = 60_000;

/** What local/cloud.ts records for one routed request: Count, 4xx, 5xx and Latency of its route. */
function request(store: MetricStore, route: string, status: number, at: number): void {
  const key = (name: string) => ({ region: 'eu', namespace: localApiNamespace, name, dimensions: { route } });
  store.record(key('Count'), 1, at);
  store.record(key('4xx'), status >= 400 && status < 500 ? 1 : 0, at);
  store.record(key('5xx'), status >= 500 ? 1 : 0, at);
  store.record(key('Latency'), 20, at);
}

const browser = useE2eBrowser('none');

describe('the local dashboard at 1280 px', () => {
  it('counts 5xx in the 5xx column and 4xx in the 4xx column, puts the alarm line first, colours bad values and keeps every number in its own cell', async () => {
    // Arrange: each of the last three 5-minute periods, 10 activations: 2 answered 500, 3 answered 409;
    // and 4 licence polls, all 200
    let now = T - 20 * minute;
    const store = new MetricStore({ now: () => now });
    now = T;
    for (const start of [T - 10 * minute, T - 5 * minute, T - 30_000]) {
      for (let i = 0; i < 10; i++) request(store, 'POST /v1/activations', i < 2 ? 500 : i < 5 ? 409 : 201, start);
      for (let i = 0; i < 4; i++) request(store, 'GET /v1/installations/{id}/license', 200, start);
    }
    const html = dashboardHtml(
      dashboardData('eu', { store, functionLogicalIds: [], queues: () => ({}), now: () => T }),
    );
    const page = await browser.page();
    await page.setViewportSize(desktop);

    // Act
    await page.setContent(html);
    const cell = (route: string, column: string) =>
      page.locator(`tr:has(td.label[title="${route}"]) td[data-column="${column}"]`).first();
    const activations = {
      requests: await cell('POST /v1/activations', 'Requests').locator('.v').textContent(),
      '4xx': await cell('POST /v1/activations', '4xx').locator('.v').textContent(),
      '5xx': await cell('POST /v1/activations', '5xx').locator('.v').textContent(),
    };
    const polls5xx = await cell('GET /v1/installations/{id}/license', '5xx').locator('.v').textContent();
    const colours = {
      bad: await cell('POST /v1/activations', '5xx').evaluate((el) => getComputedStyle(el).color),
      warn: await cell('POST /v1/activations', '4xx').evaluate((el) => getComputedStyle(el).color),
      plain: await cell('GET /v1/installations/{id}/license', '5xx').evaluate((el) => getComputedStyle(el).color),
    };
    const status = page.locator('.status');
    const statusText = await status.textContent();
    const statusIsFirst = await page.evaluate(() => {
      const line = document.querySelector('.status')!.getBoundingClientRect();
      return [...document.querySelectorAll('main section')].every((s) => s.getBoundingClientRect().top >= line.bottom);
    });
    // Every number and its sparkline inside its cell; every label inside its own; no section over another.
    const spills = await page.evaluate(() => {
      const out: string[] = [];
      for (const td of document.querySelectorAll<HTMLElement>('td.n')) {
        const cellBox = td.getBoundingClientRect();
        for (const part of td.querySelectorAll<Element>('.v, svg')) {
          const box = part.getBoundingClientRect();
          if (box.left < cellBox.left - 0.5 || box.right > cellBox.right + 0.5)
            out.push(`${td.title}: ${part.tagName} ${box.left}-${box.right} outside ${cellBox.left}-${cellBox.right}`);
        }
      }
      for (const span of document.querySelectorAll<HTMLElement>('td.label span'))
        if (span.scrollWidth > span.clientWidth + 1) out.push(`label ${span.textContent} wider than its cell`);
      const sections = [...document.querySelectorAll('main section')].map((s) => ({
        name: s.getAttribute('data-section'),
        box: s.getBoundingClientRect(),
      }));
      for (const [i, a] of sections.entries())
        for (const b of sections.slice(i + 1))
          if (
            a.box.left < b.box.right &&
            b.box.left < a.box.right &&
            a.box.top < b.box.bottom &&
            b.box.top < a.box.bottom
          )
            out.push(`${a.name} overlaps ${b.name}`);
      return out;
    });
    const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    await page.screenshot({ path: join(screenshotDir, 'dashboard-alarm-1280.png'), fullPage: true });

    // Assert
    expect(activations).toEqual({ requests: '30', '4xx': '9', '5xx': '6' });
    expect(polls5xx).toBe('0');
    expect(statusText).toMatch(/✗ 1 in alarm: API 5xx rate/);
    expect(await status.getAttribute('class')).toBe('status alarm');
    expect(statusIsFirst).toBe(true);
    expect(colours.bad).not.toBe(colours.plain);
    expect(colours.warn).not.toBe(colours.plain);
    expect(colours.bad).not.toBe(colours.warn);
    expect(spills).toEqual([]);
    expect(pageWidth).toBeLessThanOrEqual(desktop.width);
    await page.close();
  });
});

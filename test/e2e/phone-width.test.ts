/**
 * Issue 19, point 9, in headless Chromium at 375 px: the header takes less than a quarter of the
 * screen; a table wider than the screen shows that it scrolls (its box marked, shadowed and hinted,
 * focusable and named) and every column of it, support's findings included, can be scrolled into view.
 */
import type { Page } from 'playwright-core';
import { randomUUID } from 'node:crypto';
import { activatedAgent, api, call, newAccount, opsToken, perpetual } from '#test/support/licensing-api';
import { tokenFor } from '#test/support/local-cloud';
import { postBeats } from '#test/support/telemetry-api';
import { phone375 } from './support/axe';
import { screenshots, portal, useE2eBrowser } from './support/browser';

jest.setTimeout(180_000);

const browser = useE2eBrowser();

interface TableBox {
  name: string | null;
  overflows: boolean;
  marked: boolean;
  hint: string;
  focusable: boolean;
  /** header cells that stay outside the screen even scrolled into view */
  unreachable: string[];
}

/** Each table box on the page as a phone shows it, every header cell scrolled into view in turn. */
const tableBoxes = (page: Page): Promise<TableBox[]> =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('.table-wrap')).map((box) => {
      const unreachable = Array.from(box.querySelectorAll<HTMLElement>('thead th')).filter((th) => {
        th.scrollIntoView({ block: 'nearest', inline: 'nearest' });
        const r = th.getBoundingClientRect();
        return r.left < -1 || r.left + Math.min(r.width, 40) > window.innerWidth + 1;
      });
      box.scrollLeft = 0;
      return {
        name: box.getAttribute('aria-label'),
        overflows: box.scrollWidth > box.clientWidth + 1,
        marked: box.classList.contains('scrolls'),
        hint: getComputedStyle(box, '::after').content,
        focusable: box.tabIndex === 0,
        unreachable: unreachable.map((th) => th.textContent ?? ''),
      };
    }),
  );

const headerHeight = (page: Page) =>
  page
    .locator('header, .top')
    .first()
    .evaluate((el) => el.getBoundingClientRect().height);

describe('at phone width (19.9)', () => {
  it('keeps the header under a quarter of the screen and shows every wide table scrolls, each column reachable', async () => {
    // Arrange: an account with an installation, a key and a reseller, seen by its customer and by support
    const accountId = await newAccount([perpetual('attendant-console', 10), perpetual('ivr', 4)]);
    const { agent } = await activatedAgent(accountId, { allocation: { 'attendant-console': 2 } });
    const beat = {
      id: randomUUID(),
      type: 'ucx.logging',
      collectedAt: new Date().toISOString(),
      data: { enabled: true, retentionDays: 30 },
    };
    await postBeats(agent, { beats: [beat] });
    // support's list across accounts shows it once its beat is indexed
    for (let i = 0; i < 60; i++) {
      const listed = await call('GET', `${api()}/v1/support/installations?limit=200`, {
        token: tokenFor({ groups: ['support'] }),
      });
      if (JSON.stringify(listed.json ?? {}).includes(agent.keyid)) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const pages: Record<string, { header: number; tables: TableBox[]; overflowPx: number }> = {};

    // Act
    for (const [name, token, hash, ready] of [
      [
        'account',
        tokenFor({ groups: ['customer'], accountId }),
        `#/accounts/${accountId}`,
        (p: Page) => p.getByRole('table', { name: 'Installations', exact: true }).waitFor(),
      ],
      [
        'support',
        tokenFor({ groups: ['support'] }),
        '#/support',
        (p: Page) => p.getByRole('table', { name: 'Installations across accounts' }).waitFor(),
      ],
      [
        'back office',
        opsToken(),
        `#/accounts/${accountId}`,
        (p: Page) => p.getByRole('table', { name: 'Installations', exact: true }).waitFor(),
      ],
    ] as const) {
      const page = await browser.page(token);
      await page.setViewportSize(phone375);
      await page.goto(portal(hash));
      await ready(page);
      // the tables that load on their own (audit log, keys) have had their turn
      await page.waitForLoadState('networkidle');
      // every collapsed part opened, as a person would, so its tables are judged too
      await page.evaluate(() => {
        for (const details of document.querySelectorAll('details')) details.open = true;
      });
      // a box is marked by a ResizeObserver, on the next frame after it is laid out: on a busy
      // machine that frame can come after networkidle (a box never marked still fails below)
      await page
        .waitForFunction(
          () =>
            Array.from(document.querySelectorAll<HTMLElement>('.table-wrap')).every(
              (box) => box.scrollWidth <= box.clientWidth + 1 || box.classList.contains('scrolls'),
            ),
          undefined,
          { timeout: 5_000 },
        )
        .catch(() => undefined);
      pages[name] = {
        header: await headerHeight(page),
        tables: await tableBoxes(page),
        // the page itself never scrolls sideways: only a table's own box does
        overflowPx: await page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth),
      };
      if (name === 'account') await screenshots(page, 'phone-width-account');
      await page.close();
    }

    // Assert
    for (const [name, { header, tables, overflowPx }] of Object.entries(pages)) {
      expect({ name, headerUnderAQuarter: header < phone375.height / 4, overflowPx }).toEqual({
        name,
        headerUnderAQuarter: true,
        overflowPx: 0,
      });
      for (const t of tables.filter((box) => box.overflows))
        expect({ page: name, ...t }).toEqual({
          page: name,
          name: expect.stringMatching(/\w/),
          overflows: true,
          marked: true,
          hint: expect.stringContaining('Scroll sideways'),
          focusable: true,
          unreachable: [],
        });
    }
    expect(pages['account']!.tables.some((t) => t.overflows)).toBe(true);
    // support's findings column, last but one of six, is there to scroll to
    expect(pages['support']!.tables.find((t) => t.name === 'Installations across accounts')).toMatchObject({
      overflows: true,
      unreachable: [],
    });
  });
});

/**
 * The e2e harness: the run's local cloud (`cloud()`; started here when jest's global setup did not,
 * i.e. when no test/integration file is selected) and Debian's headless Chromium driven by
 * playwright-core, with a fresh user-data-dir per run.
 */
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { findRepoRoot } from '#local/repo-root';
import { startCloudProcess, type CloudProcess } from '#test/support/local-cloud';

export const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const desktop = { width: 1280, height: 800 } as const;
export const phone = { width: 390, height: 844 } as const;
export const screenshotDir = join(findRepoRoot(), 'docs', 'screenshots');

let ownCloud: CloudProcess | undefined;

/** Makes `cloud()` answer: the global setup's cloud, else one of our own (stopped by stopE2eCloud). */
export async function ensureCloud(): Promise<void> {
  if (process.env['UCX_CLOUD_JSON']) return;
  const repoRoot = findRepoRoot();
  ownCloud = await startCloudProcess({
    dataDir: mkdtempSync(join(tmpdir(), 'ucx-e2e-')),
    fresh: true,
    seed: 'report',
    cdkOutDir: join(repoRoot, '.local', 'test-cdk.out'),
    extraArgs: ['--max-batching-window', '1', '--retry-delay-ms', '20', '--poll-ms', '100'],
    startTimeoutMs: 240_000,
  });
  process.env['UCX_CLOUD_JSON'] = ownCloud.cloudJson;
}

export async function stopE2eCloud(): Promise<void> {
  await ownCloud?.stop();
}

export interface Browser {
  readonly context: BrowserContext;
  /** a new tab; with a token, signed in as its owner (the portal keeps the session in sessionStorage) */
  page(token?: string, label?: string): Promise<Page>;
  close(): Promise<void>;
}

export async function startBrowser(): Promise<Browser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'ucx-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumFlags,
    viewport: desktop,
    acceptDownloads: true,
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    page: async (token, label) => {
      const page = await context.newPage();
      if (token)
        await page.addInitScript(
          ([t, l]) => sessionStorage.setItem('ucx.session', JSON.stringify({ token: t, label: l })),
          [token, label ?? 'e2e'] as const,
        );
      return page;
    },
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Saves `<name>-desktop.png` and `<name>-phone.png` of the page as it is now. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.setViewportSize(desktop);
  await page.screenshot({ path: join(screenshotDir, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(phone);
  await page.screenshot({ path: join(screenshotDir, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(desktop);
}

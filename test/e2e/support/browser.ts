/**
 * The e2e harness: the run's local cloud (`cloud()`; started here when jest's global setup did not,
 * i.e. when no test/integration file is selected) and a headless Chromium driven by playwright-core,
 * with a fresh user-data-dir per run. The Chromium is CHROMIUM_PATH, else the system's, else the one
 * @sparticuz/chromium ships in npm.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { z } from 'zod';
import { findRepoRoot } from '#local/repo-root';
import { api } from '#test/support/licensing-api';
import { currentTestFailed } from '#test/support/test-outcome';
import { cloudOutputTail, startCloudProcess, withOwnCloud, type CloudProcess } from '#test/support/local-cloud';

const systemChromiums = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
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

interface ChromiumBinary {
  readonly executablePath: string;
  /** environment the browser needs on top of this process's */
  readonly env: Readonly<Record<string, string>>;
}

/** CHROMIUM_PATH if set, else a system Chromium, else @sparticuz/chromium's (unpacked once into the temp dir). */
async function findChromium(): Promise<ChromiumBinary> {
  const configured = process.env['CHROMIUM_PATH'];
  if (configured) return { executablePath: configured, env: {} };
  const system = systemChromiums.find((path) => existsSync(path));
  if (system) return { executablePath: system, env: {} };
  return npmChromium();
}

async function npmChromium(): Promise<ChromiumBinary> {
  const repoRoot = findRepoRoot();
  const packageJson = join(repoRoot, 'node_modules', '@sparticuz', 'chromium', 'package.json');
  const { version } = z.object({ version: z.string() }).parse(JSON.parse(readFileSync(packageJson, 'utf8')));
  // Versioned, so an upgrade of the package never runs the previous unpack.
  const dir = join(tmpdir(), `ucx-sparticuz-chromium-${version}`);
  if (!existsSync(dir)) await unpackChromium(repoRoot, dir);
  return { executablePath: join(dir, 'chromium'), env: { FONTCONFIG_FILE: join(dir, 'fonts.conf') } };
}

/**
 * Unpacks into a private staging dir, then renames it into place: the rename is atomic, so a jest
 * worker never sees another's half-written binary, and when two race the loser drops its copy.
 * @sparticuz/chromium unpacks into os.tmpdir(), so a child with TMPDIR set to the staging dir runs it.
 */
async function unpackChromium(repoRoot: string, dir: string): Promise<void> {
  let staging: string | undefined;
  try {
    staging = mkdtempSync(`${dir}.unpacking-`);
    const unpack =
      "import chromium from '@sparticuz/chromium'; await chromium.executablePath().catch((e) => { console.error(e.message); process.exit(1); });";
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', unpack], {
      cwd: repoRoot,
      env: { ...process.env, TMPDIR: staging },
    });
    writeFileSync(join(staging, 'fonts.conf'), fontsConf(dir));
    renameSync(staging, dir);
  } catch (error) {
    if (staging) rmSync(staging, { recursive: true, force: true });
    if (existsSync(dir)) return; // another worker's rename won
    throw new Error(
      `No Chromium for the e2e tests: CHROMIUM_PATH is unset, there is no ${systemChromiums.join(' or ')}, and @sparticuz/chromium could not unpack into ${dir} (${firstErrorLine(error)}); free space in ${tmpdir()} or set CHROMIUM_PATH`,
    );
  }
}

/**
 * The system's fonts when there are any, so pages render as with a system Chromium; the Open Sans
 * the package ships as the fallback, so a machine without fonts still renders text, not blanks.
 */
const fontsConf = (dir: string) => `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>${join(dir, 'fonts', 'fonts')}</dir>
  <cachedir>${join(dir, 'fonts-cache')}</cachedir>
</fontconfig>
`;

/** The child's one-line reason (it prints only the error's message), else the spawn's own error. */
function firstErrorLine(error: unknown): string {
  const { message, stderr } = error as { message?: string; stderr?: string };
  const reason = (stderr ?? '').trim() || (message ?? String(error));
  return reason.split('\n')[0] ?? reason;
}

export const desktop = { width: 1280, height: 800 } as const;
export const phone = { width: 390, height: 844 } as const;
export const docsScreenshotDir = join(findRepoRoot(), 'docs', 'screenshots');
/** docs/screenshots with `npm run screenshots`; else a temporary folder, so `npm test` leaves the working tree as it was */
export const screenshotDir =
  process.env['UCX_SCREENSHOTS'] === 'docs' ? docsScreenshotDir : join(tmpdir(), 'ucx-screenshots');

let ownCloud: CloudProcess | undefined;

/** Makes `cloud()` answer: the global setup's cloud, else one of our own (stopped by stopE2eCloud). */
export async function ensureCloud(): Promise<void> {
  if (process.env['UCX_CLOUD_JSON']) return;
  const repoRoot = findRepoRoot();
  const dataDir = mkdtempSync(join(tmpdir(), 'ucx-e2e-'));
  const logFile = join(dataDir, 'cloud.log');
  ownCloud = await startCloudProcess({
    dataDir,
    logFile,
    fresh: true,
    seed: 'report',
    cdkOutDir: join(repoRoot, '.local', 'test-cdk.out'),
    extraArgs: ['--max-batching-window', '1', '--retry-delay-ms', '20', '--poll-ms', '100'],
    startTimeoutMs: 240_000,
  });
  process.env['UCX_CLOUD_JSON'] = ownCloud.cloudJson;
  process.env['UCX_CLOUD_LOG'] = logFile;
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
  const binary = await findChromium();
  const userDataDir = mkdtempSync(join(tmpdir(), 'ucx-chromium-'));
  const context = await chromium
    .launchPersistentContext(userDataDir, {
      executablePath: binary.executablePath,
      headless: true,
      args: chromiumFlags,
      env: { ...process.env, ...binary.env },
      viewport: desktop,
      acceptDownloads: true,
      // the Microsoft identity-platform stand-in is https with a certificate made at start
      ignoreHTTPSErrors: true,
    })
    .catch((error: Error) => {
      rmSync(userDataDir, { recursive: true, force: true });
      throw launchError(binary.executablePath, error);
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

/** The portal's page at `hash` (e.g. `#/accounts/…`) on the run's cloud. */
export const portal = (hash = '') => `${api()}/${hash}`;

/**
 * Which cloud an e2e file runs on. `shared`: the run's (jest's global setup's when integration files
 * are selected, else one the harness starts for the file). `own`: beside the run's shared cloud one
 * of the file's own (its clock moves, or it counts the whole fleet); alone, the harness's one serves
 * the file only. `none`: the browser only.
 */
export type E2eCloud = 'shared' | 'own' | 'none';

/**
 * The setup every e2e file shares: its cloud and a headless Chromium, started in beforeAll and
 * closed in afterAll. Call it at the file's top level; the browser it returns answers between them.
 */
export function useE2eBrowser(cloud: E2eCloud = 'shared'): Browser {
  const besideSharedCloud = cloud === 'own' && Boolean(process.env['UCX_CLOUD_JSON']);
  if (besideSharedCloud) withOwnCloud();
  const startsCloud = cloud !== 'none' && !besideSharedCloud;
  let started: Browser | undefined;
  beforeAll(async () => {
    if (startsCloud) await ensureCloud();
    started = await startBrowser();
  }, 300_000);
  // a failed test leaves its evidence: each open tab's screenshot and address, the cloud's last lines
  afterEach(async () => {
    if (started && currentTestFailed()) await keepFailureEvidence(started.context);
  });
  afterAll(async () => {
    await started?.close();
    if (startsCloud) await stopE2eCloud();
  });
  const current = () => {
    if (!started) throw new Error('useE2eBrowser: the browser runs only between beforeAll and afterAll');
    return started;
  };
  return {
    get context() {
      return current().context;
    },
    page: (token, label) => current().page(token, label),
    close: () => current().close(),
  };
}

/** A missing shared library as one line with what to install; anything else as playwright said it. */
function launchError(executablePath: string, error: Error): Error {
  const library = /error while loading shared libraries: ([^:\s]+)/.exec(error.message)?.[1];
  if (!library) return error;
  return new Error(
    `Chromium ${executablePath} cannot start: the shared library ${library} is missing (Debian: apt-get install libnss3 libexpat1; a Debian JRE brings them)`,
  );
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

/** Where a failed e2e test's screenshots go (the run's temp folder; named in the test's output). */
export const failureDir = join(tmpdir(), 'ucx-e2e-failures');

async function keepFailureEvidence(context: BrowserContext): Promise<void> {
  const test = expect.getState().currentTestName ?? 'unnamed test';
  const slug = test.replace(/[^\w-]+/g, '-').slice(0, 80);
  mkdirSync(failureDir, { recursive: true });
  const pages = await Promise.all(
    context.pages().map(async (page, i) => {
      const file = join(failureDir, `${slug}-${i}.png`);
      const shot = await page.screenshot({ path: file, fullPage: true, timeout: 5_000 }).then(
        () => file,
        (error: Error) => `no screenshot (${error.message.split('\n')[0]})`,
      );
      return `  ${page.url()} → ${shot}`;
    }),
  );
  process.stderr.write(
    `\n[e2e] "${test}" failed. Open tabs:\n${pages.join('\n') || '  none'}\n` +
      `[e2e] the local cloud's last lines:\n${cloudOutputTail() ?? '  (no output kept)'}\n`,
  );
}

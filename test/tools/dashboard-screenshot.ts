/**
 * docs/screenshots/dashboard-1280.png: a fresh local cloud on free ports, a few minutes of agent
 * and portal traffic (activations, licence polls, telemetry, some refused calls; ROUNDS=4 rounds a
 * minute apart), then the EU `/local/dashboard` at 1280×800 in headless Chromium. Prints the
 * page's size, so a page that outgrows one screen shows up. `npx tsx test/tools/dashboard-screenshot.ts`
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot } from '#local/repo-root';
import { startCloudProcess } from '#test/support/local-cloud';
import { activatedAgent, api, call, newAccount, opsToken, perpetual } from '#test/support/licensing-api';
import { postBeats } from '#test/support/telemetry-api';
import { validBeatOfEveryType } from '#test/support/telemetry-fixtures';
import type { TestAgent } from '#test/support/agent-client';
import { desktop, docsScreenshotDir as screenshotDir, startBrowser } from '#test/e2e/support/browser';

/** Rounds of polls and telemetry, one a minute: the sparklines then show a few minutes of traffic. */
const rounds = Number(process.env['ROUNDS'] ?? 4);
const roundGapMs = 60_000;

const repoRoot = findRepoRoot();
const dataDir = mkdtempSync(join(tmpdir(), 'ucx-dashboard-'));
const cloud = await startCloudProcess({
  dataDir,
  fresh: true,
  seed: 'report',
  cdkOutDir: join(repoRoot, '.local', 'test-cdk.out'),
  extraArgs: ['--max-batching-window', '1', '--retry-delay-ms', '20', '--poll-ms', '100'],
  startTimeoutMs: 240_000,
});
process.env['UCX_CLOUD_JSON'] = cloud.cloudJson;

try {
  // Three accounts with two agents each; the portal reads each account and asks for one key it refuses (400).
  const agents: TestAgent[] = [];
  for (let a = 0; a < 3; a++) {
    const accountId = await newAccount([perpetual('attendant-console', 10)]);
    for (let i = 0; i < 2; i++)
      agents.push((await activatedAgent(accountId, { allocation: { 'attendant-console': 2 } })).agent);
    await call('GET', `${api()}/v1/accounts/${accountId}`, { token: opsToken() });
    await call('GET', `${api()}/v1/accounts/${accountId}/installations/health`, { token: opsToken() });
    await call('POST', `${api()}/v1/accounts/${accountId}/activation-keys`, {
      token: opsToken(),
      body: { expiresAt: 'tomorrow' },
    });
  }
  // Refused: an unknown activation key and a call without a token (401).
  await call('POST', `${api()}/v1/activations`, { body: { activationKey: 'UCX-NOPE' } });
  await call('GET', `${api()}/v1/accounts/${randomUUID()}`);
  // Then a few rounds over some minutes, so the sparklines have a shape: every agent polls and sends a batch.
  for (let round = 0; round < rounds; round++) {
    if (round > 0) await new Promise((done) => setTimeout(done, roundGapMs));
    for (const agent of agents) {
      await agent.request(api(), 'GET', `/v1/installations/${agent.keyid}/license`);
      if ((round + agents.indexOf(agent)) % 2 === 0) {
        const beats = validBeatOfEveryType().map((beat) => ({ ...beat, id: randomUUID() }));
        await postBeats(agent, { beats }, { gzip: true });
      }
    }
  }

  // EMF lines reach the store a moment after the answers: wait for the last polls to show.
  for (let attempt = 0; attempt < 120; attempt++) {
    const data = (await (await fetch(`${api()}/local/dashboard.json`)).json()) as {
      dashboards: { sections: { widgets: { title: string; lines: { total: number | null }[] }[] }[] }[];
    };
    const total = (widget: string) =>
      data.dashboards[1]?.sections
        .flatMap((s) => s.widgets)
        .find((w) => w.title === widget)
        ?.lines.reduce((n, l) => n + (l.total ?? 0), 0) ?? 0;
    if (total('Licence polls by status') >= 6 * rounds && total('Beats archived and evaluated') > 0) break;
    await new Promise((done) => setTimeout(done, 250));
  }

  const browser = await startBrowser();
  try {
    const page = await browser.page();
    await page.setViewportSize(desktop);
    await page.goto(`${api()}/local/dashboard`);
    const size = await page.evaluate(() => ({
      width: document.documentElement.scrollWidth,
      height: document.documentElement.scrollHeight,
    }));
    mkdirSync(screenshotDir, { recursive: true });
    const file = join(screenshotDir, 'dashboard-1280.png');
    await page.screenshot({ path: file, fullPage: true });
    console.log(`${file}: page ${size.width}×${size.height} px at a ${desktop.width}×${desktop.height} viewport`);
  } finally {
    await browser.close();
  }
} finally {
  await cloud.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

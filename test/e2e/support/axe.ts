/**
 * axe-core's WCAG 2.1 A/AA violations on a page as it is now, one readable line per node, at 1280 px
 * and 375 px. The portal's CSP refuses an inline <script>, so the source is evaluated through the
 * DevTools protocol (page.evaluate) instead: the page keeps its real CSP while it is audited.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { findRepoRoot } from '#local/repo-root';
import { desktop } from './browser';

const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const axeSource = readFileSync(join(findRepoRoot(), 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
/** The narrowest phone the portal is laid out for (iPhone SE, mini). */
export const phone375 = { width: 375, height: 812 } as const;

interface AxeRun {
  run(
    context: Document,
    options: unknown,
  ): Promise<{
    violations: {
      id: string;
      impact: string | null;
      help: string;
      nodes: { target: unknown[]; failureSummary?: string }[];
    }[];
  }>;
}

export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: AxeRun }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.flatMap((v) =>
      v.nodes.map(
        (n) =>
          `${v.id} (${v.impact}): ${v.help} — ${n.target.join(' ')} — ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`,
      ),
    );
  }, wcagTags);
}

/** The violations at 1280 px and at 375 px; the viewport is left at 1280 px. */
export async function axeAtBothWidths(page: Page): Promise<{ desktop: string[]; phone: string[] }> {
  await page.setViewportSize(desktop);
  const atDesktop = await axeViolations(page);
  await page.setViewportSize(phone375);
  const atPhone = await axeViolations(page);
  await page.setViewportSize(desktop);
  return { desktop: atDesktop, phone: atPhone };
}

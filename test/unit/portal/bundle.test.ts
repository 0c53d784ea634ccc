/**
 * The portal's JavaScript budget, on a build of its own: what every page loads (app.js) and the
 * chunks loaded when needed (uPlot, on the first chart) stay within 200 KB gzipped together, and
 * uPlot stays out of app.js.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPortal } from '#portal/bundle';

jest.setTimeout(60_000);

const BUDGET_GZIP_BYTES = 200 * 1024;

describe('the portal build', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'ucx-portal-budget-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('keeps app.js and its chunks within the JavaScript budget, uPlot in a chunk of its own with its stylesheet', async () => {
    const build = await buildPortal(outDir);

    const chunks = Object.entries(build.chunkGzipBytes);
    const total = build.jsGzipBytes + chunks.reduce((sum, [, bytes]) => sum + bytes, 0);
    const app = readFileSync(join(outDir, 'app.js'), 'utf8');
    expect(total).toBeLessThan(BUDGET_GZIP_BYTES);
    expect(chunks.map(([file]) => file)).toEqual([expect.stringMatching(/^chunks\/uPlot\.esm-\w+\.js$/)]);
    // loaded on first use only: app.js names the chunk in a dynamic import, never in a static one
    expect(app).toContain(`import("./${chunks[0]![0]}")`);
    expect(app).not.toMatch(/from\s*"\.\/chunks\//);
    expect(readFileSync(join(outDir, 'uplot.css'), 'utf8')).toContain('.uplot');
  });
});

/**
 * Redocly's recommended rules (redocly.yaml) on the document as the cloud serves it: no error and
 * no warning. The CLI runs as a developer runs it, offline (no telemetry, no update check).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';
import { findRepoRoot } from '#local/repo-root';
import { configuredDocument } from '#scripts/openapi';

const lintReport = z.object({
  totals: z.object({ errors: z.number(), warnings: z.number() }),
  problems: z.array(z.object({ ruleId: z.string(), message: z.string() }).loose()),
});

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ucx-openapi-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('redocly lint', () => {
  it('finds no error and no warning in the OpenAPI document', () => {
    const repoRoot = findRepoRoot();
    // Laid out as in the repository, so the config and its ignore file (one exception, with its reason) apply as they do there.
    mkdirSync(join(dir, '.local'), { recursive: true });
    writeFileSync(join(dir, '.local', 'openapi.json'), JSON.stringify(configuredDocument(), null, 2));
    for (const name of ['redocly.yaml', '.redocly.lint-ignore.yaml'])
      copyFileSync(join(repoRoot, name), join(dir, name));

    const run = spawnSync(
      process.execPath,
      [
        join(repoRoot, 'node_modules/@redocly/cli/bin/cli.js'),
        'lint',
        '.local/openapi.json',
        '--format=json',
        `--config=${join(dir, 'redocly.yaml')}`,
      ],
      {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    );

    const report = lintReport.parse(JSON.parse(run.stdout));
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(run.status).toBe(0);
  }, 60_000);
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The README is written by scripts/readme-catalogue.ts (npm run docs) between these markers.
import { catalogueMarkdownTable } from '#lambdas/core/telemetry/catalogue';

describe('README', () => {
  const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');

  it('shows exactly the catalogue the service validates with (run `npm run docs` after changing it)', () => {
    const start = readme.indexOf('<!-- catalogue:start -->');
    const end = readme.indexOf('<!-- catalogue:end -->');

    const table = readme.slice(start + '<!-- catalogue:start -->'.length, end).trim();

    expect(start).toBeGreaterThan(0);
    expect(table).toBe(catalogueMarkdownTable().trim());
  });

  it('documents the quick start commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });
});

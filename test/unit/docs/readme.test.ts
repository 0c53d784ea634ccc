import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { catalogueMarkdownTable } from '#lambdas/core/telemetry/catalogue-documents';
import { operationsDocument, withOperationsTables } from '#scripts/operations-tables';

const root = join(__dirname, '../../..');

// docs/telemetry.md is written by scripts/readme-catalogue.ts (npm run docs) between these markers.
describe('docs/telemetry.md', () => {
  const telemetryDoc = readFileSync(join(root, 'docs/telemetry.md'), 'utf8');

  it('shows exactly the catalogue the service validates with (run `npm run docs` after changing it)', () => {
    const start = telemetryDoc.indexOf('<!-- catalogue:start -->');
    const end = telemetryDoc.indexOf('<!-- catalogue:end -->');

    const table = telemetryDoc.slice(start + '<!-- catalogue:start -->'.length, end).trim();

    expect(start).toBeGreaterThan(0);
    expect(table).toBe(catalogueMarkdownTable().trim());
  });
});

describe('README', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');

  it('documents the quick start commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });
});

// docs/operations.md's dashboard and alarm tables are written by scripts/operations-tables.ts (npm run docs).
describe('docs/operations.md', () => {
  const operationsDoc = readFileSync(join(root, operationsDocument), 'utf8');

  it('shows exactly the dashboards and alarms the CDK app builds (run `npm run docs` after changing them)', () => {
    expect(operationsDoc).toBe(withOperationsTables(operationsDoc));
    expect(operationsDoc).toContain('`api-5xx-rate`');
  });
});

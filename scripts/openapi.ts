/**
 * Writes the OpenAPI document (lambdas/shared/openapi.ts) with cdk.json's EU and US endpoints as
 * its servers, for `redocly lint` (redocly.yaml) and client generators:
 * `npx tsx scripts/openapi.ts [--out <file>]`, by default .local/openapi.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { parseAppConfig } from '../lib/app';
import { regionKeys, type RegionKey } from '../lib/config';
import { openApiDocument } from '../lambdas/shared/openapi';
import { findRepoRoot } from '../local/repo-root';

/** The document as the cloud serves it from the primary region, its servers the configured endpoints. */
export function configuredDocument(): Record<string, unknown> {
  const cdkJson = z
    .object({ context: z.object({ ucx: z.unknown() }) })
    .parse(JSON.parse(readFileSync(resolve(findRepoRoot(), 'cdk.json'), 'utf8')));
  const config = parseAppConfig(cdkJson.context.ucx);
  const endpoints = Object.fromEntries(regionKeys.map((key) => [key, config.regions[key].endpoint])) as Record<
    RegionKey,
    string
  >;
  return openApiDocument({ endpoints, first: config.primary });
}

if (process.argv[1]?.endsWith('openapi.ts')) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: '.local/openapi.json' } } });
  const out = resolve(process.cwd(), values.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(configuredDocument(), null, 2)}\n`);
  console.log(`${values.out}: OpenAPI document written`);
}

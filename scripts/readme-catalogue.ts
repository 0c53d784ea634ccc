/**
 * Writes the telemetry catalogue's "what is collected" table into the README between its markers,
 * from the same catalogue the service validates with (`npm run docs`). A unit test fails when the
 * README's table and the catalogue differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { catalogueMarkdownTable } from '../lambdas/core/telemetry/catalogue';

export const START = '<!-- catalogue:start -->';
export const END = '<!-- catalogue:end -->';

export function withCatalogueTable(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md needs the markers ${START} and ${END}`);
  return `${readme.slice(0, start + START.length)}\n${catalogueMarkdownTable().trim()}\n${readme.slice(end)}`;
}

if (process.argv[1]?.endsWith('readme-catalogue.ts')) {
  const path = new URL('../README.md', import.meta.url);
  writeFileSync(path, withCatalogueTable(readFileSync(path, 'utf8')));
  console.log('README.md: catalogue table written');
}

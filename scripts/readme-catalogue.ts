/**
 * Writes the telemetry catalogue's "what is collected" table into docs/telemetry.md between its
 * markers, from the same catalogue the service validates with (`npm run docs`). A unit test
 * (test/unit/docs/readme.test.ts) fails when the document's table and the catalogue differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { catalogueMarkdownTable } from '../lambdas/core/telemetry/catalogue-documents';

export const START = '<!-- catalogue:start -->';
export const END = '<!-- catalogue:end -->';

/** The document that carries the table, relative to the repository root. */
export const catalogueDocument = 'docs/telemetry.md';

export function withCatalogueTable(doc: string): string {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${catalogueDocument} needs the markers ${START} and ${END}`);
  return `${doc.slice(0, start + START.length)}\n${catalogueMarkdownTable().trim()}\n${doc.slice(end)}`;
}

if (process.argv[1]?.endsWith('readme-catalogue.ts')) {
  const path = new URL(`../${catalogueDocument}`, import.meta.url);
  writeFileSync(path, withCatalogueTable(readFileSync(path, 'utf8')));
  console.log(`${catalogueDocument}: catalogue table written`);
}

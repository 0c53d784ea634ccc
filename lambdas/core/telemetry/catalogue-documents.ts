/**
 * The catalogue in its published forms: the JSON Schema agent vendors code against and the
 * README's table, each field with the terms' published item it implements. Apart from the
 * catalogue so that functions which only validate beats do not bundle the published list.
 */
import * as z from 'zod/mini';
import { withMeta } from '../schema-meta';
import {
  type BeatType,
  beatDataSchemas,
  beatIdSchema,
  beatTypes,
  CATALOGUE_VERSION,
  catalogueFieldPaths,
  collectedAtSchema,
  fieldSources,
} from './catalogue';
import { publishedItems, publishedList, type PublishedRow } from './published-list';

const rowOf = (type: BeatType): PublishedRow => {
  const row = (publishedList as readonly PublishedRow[]).find((r) => r.id === type);
  if (!row) throw new Error(`beat type ${type} has no row in the published list`);
  return row;
};

const envelopeOf = (type: BeatType, data: z.ZodMiniType) =>
  withMeta(z.strictObject({ id: beatIdSchema, type: z.literal(type), collectedAt: collectedAtSchema, data }), {
    title: type,
    description: `${rowOf(type).beat} / ${rowOf(type).category} (terms' table "Information collected by Telemetry Service")`,
    'x-ucx-published-items': Object.fromEntries(
      Object.entries(fieldSources[type]).map(([path, itemId]) => [path, publishedItems.get(itemId)?.text]),
    ),
  });

/**
 * The catalogue as one JSON Schema (draft 2020-12) for agent vendors: a request body of beats,
 * each beat one of the 25 types. Unknown fields are dropped on arrival and reported, never stored.
 */
export function catalogueJsonSchema(): Record<string, unknown> {
  const beat = z.discriminatedUnion(
    'type',
    beatTypes.map((type) => envelopeOf(type, beatDataSchemas[type])) as unknown as [
      z.ZodMiniObject<{ type: z.ZodMiniLiteral<BeatType> }>,
      ...z.ZodMiniObject<{ type: z.ZodMiniLiteral<BeatType> }>[],
    ],
  );
  const body = z.strictObject({ beats: z.array(beat).check(z.minLength(1), z.maxLength(500)) });
  const document = z.toJSONSchema(body, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
  return {
    $schema: document.$schema,
    $id: `urn:ucx-cloud:telemetry:catalogue:${CATALOGUE_VERSION}`,
    title: `UCX telemetry catalogue ${CATALOGUE_VERSION}`,
    description:
      'Body of POST /v1/installations/{id}/telemetry. Dates are ISO 8601, sizes in bytes, counts ' +
      'non-negative integers. Fields not listed here are dropped and reported as redactions ' +
      '(reason unknown-field); free text that could name a person is redacted before storage.',
    'x-ucx-catalogue-version': CATALOGUE_VERSION,
    'x-ucx-beat-types': [...beatTypes],
    ...Object.fromEntries(Object.entries(document).filter(([key]) => key !== '$schema')),
  };
}

/** The README's "what is collected" table, from the same data as the schemas. */
export function catalogueMarkdownTable(): string {
  const header = ['| terms: beat / category | type | field | published item |', '| --- | --- | --- | --- |'];
  const lines = beatTypes.flatMap((type) => {
    const row = rowOf(type);
    return catalogueFieldPaths(type).map((path, i) => {
      const item = publishedItems.get(fieldSources[type][path] ?? '')?.text ?? '(none)';
      const first = i === 0;
      return `| ${first ? `${row.beat} / ${row.category}` : ''} | ${first ? `\`${type}\`` : ''} | \`${path}\` | ${item} |`;
    });
  });
  return `${[...header, ...lines].join('\n')}\n`;
}

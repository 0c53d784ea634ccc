/**
 * What the telemetry routes answer, as schemas: the contract's shape of the ingest result and of the
 * catalogue document, described in the OpenAPI document (a unit test holds each to its source).
 */
import * as z from 'zod/mini';
import { withMeta } from '../schema-meta';
import { fieldErrorSchema } from '../problem-schema';
import { beatTypeSchema } from './catalogue';

export const ingestResultSchema = withMeta(
  z.object({
    accepted: withMeta(z.int().check(z.gte(0)), { description: 'beats put on the stream' }),
    duplicates: withMeta(z.int().check(z.gte(0)), {
      description: 'beats recognised on arrival as sent before (may be 0: no write per beat is spent on it)',
    }),
    rejected: z.array(
      z.object({
        beatId: withMeta(z.nullable(z.string()), { description: "the beat's id; null when it has none" }),
        errors: z.array(fieldErrorSchema),
      }),
    ),
    redactions: z.array(
      z.object({
        beatId: z.string(),
        path: z.string(),
        reason: withMeta(z.string(), { description: 'e.g. unknown-field (dropped), or why a value was redacted' }),
      }),
    ),
    license: withMeta(
      z.object({
        etag: withMeta(z.nullable(z.string()), {
          description:
            'the ETag a licence poll would answer now; null when the licence must be rebuilt first. An agent polls when it differs from the one it holds',
        }),
      }),
      { description: "the installation's licence state: one request per cycle (docs/licensing.md)" },
    ),
  }),
  { id: 'TelemetryReceipt', description: 'Each beat judged alone.' },
);

export const catalogueDocumentSchema = withMeta(
  z.looseObject({
    $schema: z.string(),
    $id: z.string(),
    title: z.string(),
    description: z.string(),
    'x-ucx-catalogue-version': z.string(),
    'x-ucx-beat-types': z.array(beatTypeSchema),
  }),
  {
    id: 'TelemetryCatalogue',
    description: 'A JSON Schema (draft 2020-12) of the telemetry batch, each beat type with its `data`.',
  },
);

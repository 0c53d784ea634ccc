/**
 * What the telemetry routes answer, as schemas: the contract's shape of the ingest result and of the
 * catalogue document, described in the OpenAPI document (a unit test holds each to its source).
 */
import * as z from 'zod';
import { fieldErrorSchema } from '../problem-schema';
import { beatTypeSchema } from './catalogue';

export const ingestResultSchema = z
  .object({
    accepted: z.number().int().min(0).meta({ description: 'beats put on the stream' }),
    duplicates: z
      .number()
      .int()
      .min(0)
      .meta({ description: 'beats recognised on arrival as sent before (may be 0: no write per beat is spent on it)' }),
    rejected: z.array(
      z.object({
        beatId: z.string().nullable().meta({ description: "the beat's id; null when it has none" }),
        errors: z.array(fieldErrorSchema),
      }),
    ),
    redactions: z.array(
      z.object({
        beatId: z.string(),
        path: z.string(),
        reason: z.string().meta({ description: 'e.g. unknown-field (dropped), or why a value was redacted' }),
      }),
    ),
    license: z
      .object({
        etag: z.string().nullable().meta({
          description:
            'the ETag a licence poll would answer now; null when the licence must be rebuilt first. An agent polls when it differs from the one it holds',
        }),
      })
      .meta({ description: "the installation's licence state: one request per cycle (docs/licensing.md)" }),
  })
  .meta({ id: 'TelemetryReceipt', description: 'Each beat judged alone.' });

export const catalogueDocumentSchema = z
  .looseObject({
    $schema: z.string(),
    $id: z.string(),
    title: z.string(),
    description: z.string(),
    'x-ucx-catalogue-version': z.string(),
    'x-ucx-beat-types': z.array(beatTypeSchema),
  })
  .meta({
    id: 'TelemetryCatalogue',
    description: 'A JSON Schema (draft 2020-12) of the telemetry batch, each beat type with its `data`.',
  });

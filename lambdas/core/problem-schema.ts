/**
 * The error answers' shape as schemas: the RFC 9457 problem+json body lambdas/shared/problem.ts
 * writes for every DomainError (errors.ts), described in the OpenAPI document.
 */
import * as z from 'zod';
import { regionSchema } from './licensing/catalogue';

export const fieldErrorSchema = z
  .object({
    path: z
      .string()
      .meta({ description: 'JSON path of the failing value, e.g. `lines.0.quantity`; empty: the whole body' }),
    message: z.string(),
  })
  .meta({ id: 'FieldError', description: 'One failing field.' });

export const problemSchema = z
  .object({
    type: z.url().meta({ description: 'URI of the problem type, e.g. https://ucx-cloud.example/problems/validation' }),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string(),
    instance: z.string().optional().meta({ description: 'the request path' }),
    errors: z
      .array(fieldErrorSchema)
      .optional()
      .meta({ description: 'each failing field: with 400, and with a 409 about given fields (e.g. `allocation.ivr`)' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details.' });

/** 421: the account's licensing writes are served in its home region only; the client retries there. */
export const wrongRegionProblemSchema = problemSchema
  .extend({
    homeRegion: regionSchema.meta({ description: 'the home region of the account' }),
    homeEndpoint: z.url().meta({ description: "the home region's API base URL: send the request there" }),
    region: regionSchema.meta({ description: 'the home region again (`homeRegion`), as activation first named it' }),
    endpoint: z.url().meta({ description: 'the home endpoint again (`homeEndpoint`), as activation first named it' }),
  })
  .meta({ id: 'WrongRegionProblem', description: 'RFC 9457 problem details naming the home region.' });

/**
 * The error answers' shape as schemas: the RFC 9457 problem+json body lambdas/shared/problem.ts
 * writes for every DomainError (errors.ts), described in the OpenAPI document.
 */
import * as z from 'zod/mini';
import { withMeta } from './schema-meta';
import { regionSchema } from './licensing/catalogue';

export const fieldErrorSchema = withMeta(
  z.object({
    path: withMeta(z.string(), {
      description: 'JSON path of the failing value, e.g. `lines.0.quantity`; empty: the whole body',
    }),
    message: z.string(),
  }),
  { id: 'FieldError', description: 'One failing field.' },
);

export const problemSchema = withMeta(
  z.object({
    type: withMeta(z.url(), {
      description: 'URI of the problem type, e.g. https://ucx-cloud.example/problems/validation',
    }),
    title: z.string(),
    status: z.int().check(z.gte(400), z.lte(599)),
    detail: z.string(),
    instance: withMeta(z.optional(z.string()), { description: 'the request path' }),
    errors: withMeta(z.optional(z.array(fieldErrorSchema)), {
      description: 'each failing field: with 400, and with a 409 about given fields (e.g. `allocation.ivr`)',
    }),
  }),
  { id: 'Problem', description: 'RFC 9457 problem details.' },
);

/** 421: the account's licensing writes are served in its home region only; the client retries there. */
export const wrongRegionProblemSchema = withMeta(
  z.extend(problemSchema, {
    homeRegion: withMeta(regionSchema, { description: 'the home region of the account' }),
    homeEndpoint: withMeta(z.url(), { description: "the home region's API base URL: send the request there" }),
    region: withMeta(regionSchema, {
      description: 'the home region again (`homeRegion`), as activation first named it',
    }),
    endpoint: withMeta(z.url(), {
      description: 'the home endpoint again (`homeEndpoint`), as activation first named it',
    }),
  }),
  { id: 'WrongRegionProblem', description: 'RFC 9457 problem details naming the home region.' },
);

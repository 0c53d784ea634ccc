/** The terms routes' answers as schemas, for the OpenAPI document (lambdas/shared/openapi-terms.ts). */
import * as z from 'zod/mini';
import { withMeta } from '../schema-meta';
import { consentActorSchema, consentRecordSchema, consentStatusSchema, termsVersionSchema } from './terms-model';

export const termsVersionResponseSchema = withMeta(termsVersionSchema, { id: 'TermsVersion' });
export const consentRecordResponseSchema = withMeta(
  z.extend(consentRecordSchema, { by: z.optional(consentActorSchema) }),
  { id: 'TermsConsent' },
);

export const termsListSchema = withMeta(
  z.object({
    versions: z.array(termsVersionResponseSchema),
    current: withMeta(z.int(), { description: 'the version in force now (by effective date)' }),
    upcoming: z.array(z.int()),
  }),
  { id: 'TermsList' },
);

export const accountTermsSchema = withMeta(
  z.object({
    accountId: z.string(),
    applies: withMeta(z.nullable(z.int()), { description: 'the version that binds the account now' }),
    versions: z.array(
      z.object({
        version: z.int(),
        title: z.string(),
        effectiveAt: z.string(),
        status: z.union([consentStatusSchema, z.literal('implicit')]),
        at: z.optional(z.string()),
        reason: z.optional(z.string()),
      }),
    ),
    notice: withMeta(
      z.nullable(
        z.extend(termsVersionResponseSchema, {
          status: z.enum(['pending', 'objected']),
          reason: z.optional(z.string()),
        }),
      ),
      { description: 'the version to show until accepted, or null' },
    ),
  }),
  { id: 'AccountTerms' },
);

export const termsHistorySchema = withMeta(
  z.object({
    accountId: z.string(),
    at: z.string(),
    version: z.nullable(z.int()),
    title: z.nullable(z.string()),
    basis: z.nullable(z.union([consentStatusSchema, z.literal('implicit'), z.literal('in-force-at-creation')])),
    since: z.optional(z.string()),
  }),
  { id: 'TermsHistory' },
);

export const termsConsentsPageSchema = withMeta(
  z.object({
    version: termsVersionResponseSchema,
    noticesComplete: withMeta(z.boolean(), { description: 'every account homed here has been reached by the notice' }),
    consents: z.array(consentRecordResponseSchema),
    nextCursor: z.nullable(z.string()),
  }),
  { id: 'TermsConsentsPage' },
);

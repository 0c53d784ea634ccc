/** The terms routes' answers as schemas, for the OpenAPI document (lambdas/shared/openapi-terms.ts). */
import * as z from 'zod';
import { consentActorSchema, consentRecordSchema, consentStatusSchema, termsVersionSchema } from './terms-model';

export const termsVersionResponseSchema = termsVersionSchema.meta({ id: 'TermsVersion' });
export const consentRecordResponseSchema = consentRecordSchema
  .extend({ by: consentActorSchema.optional() })
  .meta({ id: 'TermsConsent' });

export const termsListSchema = z
  .object({
    versions: z.array(termsVersionResponseSchema),
    current: z.number().int().meta({ description: 'the version in force now (by effective date)' }),
    upcoming: z.array(z.number().int()),
  })
  .meta({ id: 'TermsList' });

export const accountTermsSchema = z
  .object({
    accountId: z.string(),
    applies: z.number().int().nullable().meta({ description: 'the version that binds the account now' }),
    versions: z.array(
      z.object({
        version: z.number().int(),
        title: z.string(),
        effectiveAt: z.string(),
        status: z.union([consentStatusSchema, z.literal('implicit')]),
        at: z.string().optional(),
        reason: z.string().optional(),
      }),
    ),
    notice: termsVersionResponseSchema
      .extend({ status: z.enum(['pending', 'objected']), reason: z.string().optional() })
      .nullable()
      .meta({ description: 'the version to show until accepted, or null' }),
  })
  .meta({ id: 'AccountTerms' });

export const termsHistorySchema = z
  .object({
    accountId: z.string(),
    at: z.string(),
    version: z.number().int().nullable(),
    title: z.string().nullable(),
    basis: z.union([consentStatusSchema, z.literal('implicit'), z.literal('in-force-at-creation')]).nullable(),
    since: z.string().optional(),
  })
  .meta({ id: 'TermsHistory' });

export const termsConsentsPageSchema = z
  .object({
    version: termsVersionResponseSchema,
    noticesComplete: z.boolean().meta({ description: 'every account homed here has been reached by the notice' }),
    consents: z.array(consentRecordResponseSchema),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'TermsConsentsPage' });

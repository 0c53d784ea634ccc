/**
 * Terms versions and the accounts' consents, as data: the schemas of what the back office publishes,
 * of a consent record, and the seed version 1 every account is bound by (docs/terms.md).
 */
import * as z from 'zod';

/** Terms text published inline: at most 100 000 characters (a DynamoDB item holds 400 KB). */
export const MAX_TERMS_TEXT_CHARS = 100_000;

export const termsVersionNumberSchema = z.coerce.number().int().min(1).max(1_000_000);

export const publishTermsBodySchema = z
  .object({
    title: z.string().trim().min(1, 'enter a title').max(200),
    /** where the full text is published (https), or… */
    url: z
      .url({ protocol: /^https$/, message: 'enter an https:// address' })
      .max(2000)
      .optional(),
    /** …the full text itself, markdown or plain */
    text: z.string().trim().min(1, 'enter the text').max(MAX_TERMS_TEXT_CHARS).optional(),
    summary: z.string().trim().min(1, 'summarise the changes').max(4000),
    effectiveAt: z.iso.datetime({ offset: true, message: 'enter a date and time like 2027-01-01T00:00:00Z' }),
  })
  .strict()
  .refine((b) => (b.url === undefined) !== (b.text === undefined), {
    message: 'give either url or text, not both',
    path: ['url'],
  });
export type PublishTermsBody = z.infer<typeof publishTermsBodySchema>;

export const termsVersionSchema = z.object({
  version: z.number().int().min(1),
  title: z.string(),
  url: z.string().optional(),
  text: z.string().optional(),
  summary: z.string(),
  effectiveAt: z.string(),
  publishedAt: z.string(),
  /** the back-office user's sub, or `seed` */
  publishedBy: z.string(),
  /** in force for every account without a consent record (version 1 only) */
  implicit: z.boolean().optional(),
});
export type TermsVersion = z.infer<typeof termsVersionSchema>;

/**
 * Version 1: the Cloud Services Terms of use of 14 May 2021, in force since the service's start for
 * every account. It is data: the store lists it first and nothing else names it.
 */
export const seedTermsVersions: readonly TermsVersion[] = [
  {
    version: 1,
    title: 'Cloud Services Terms of use',
    text: 'The Cloud Services Terms of use updated on 14 May 2021, in force since the service started.',
    summary: 'The terms every account accepted when it was created.',
    effectiveAt: '2021-05-14T00:00:00.000Z',
    publishedAt: '2021-05-14T00:00:00.000Z',
    publishedBy: 'seed',
    implicit: true,
  },
];

export const consentStatusSchema = z.enum(['pending', 'accepted', 'objected', 'silent']);
export type ConsentStatus = z.infer<typeof consentStatusSchema>;

/** Who consented or objected: a person of the account, or the silent-consent job. */
export const consentActorSchema = z.union([
  z.object({ sub: z.string(), email: z.string().optional() }),
  z.literal('silent-consent'),
]);

/** One account's standing on one version; `pending` is written by the notice pass (it enumerates the accounts). */
export const consentRecordSchema = z.object({
  accountId: z.string(),
  version: z.number().int(),
  status: consentStatusSchema,
  /** when it took effect: the acceptance, the objection, or the version's effectiveAt for silence */
  at: z.string().optional(),
  by: consentActorSchema.optional(),
  /** the objection's reason */
  reason: z.string().optional(),
  /** an objection withdrawn by a later acceptance */
  previousObjection: z.object({ at: z.string(), by: consentActorSchema, reason: z.string() }).optional(),
  /** when the notice was mailed to the account's administrators, and to how many */
  noticeSentAt: z.string().optional(),
  noticeRecipients: z.number().int().optional(),
});
export type ConsentRecord = z.infer<typeof consentRecordSchema>;

export const objectionBodySchema = z
  .object({ reason: z.string().trim().min(1, 'say why you object').max(2000) })
  .strict();
export type ObjectionBody = z.infer<typeof objectionBodySchema>;

export const termsHistoryQuerySchema = z
  .object({ at: z.union([z.iso.datetime({ offset: true }), z.iso.date()]).optional() })
  .strict();

export const termsConsentsQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).optional(),
    cursor: z.string().max(1024).optional(),
    status: consentStatusSchema.optional(),
    format: z.enum(['json', 'csv']).optional(),
  })
  .strict();

/**
 * Terms versions and the accounts' consents, as data: the schemas of what the back office publishes,
 * of a consent record, and the seed version 1 every account is bound by (docs/terms.md).
 */
import * as z from 'zod/mini';

/** Terms text published inline: at most 100 000 characters (a DynamoDB item holds 400 KB). */
export const MAX_TERMS_TEXT_CHARS = 100_000;

export const termsVersionNumberSchema = z.coerce.number().check(z.int(), z.gte(1), z.lte(1_000_000));

export const publishTermsBodySchema = z
  .strictObject(
    z.object({
      title: z.string().check(z.trim(), z.minLength(1, 'enter a title'), z.maxLength(200)),
      /** where the full text is published (https), or… */
      url: z.optional(z.url({ protocol: /^https$/, message: 'enter an https:// address' }).check(z.maxLength(2000))),
      /** …the full text itself, markdown or plain */
      text: z.optional(z.string().check(z.trim(), z.minLength(1, 'enter the text'), z.maxLength(MAX_TERMS_TEXT_CHARS))),
      summary: z.string().check(z.trim(), z.minLength(1, 'summarise the changes'), z.maxLength(4000)),
      effectiveAt: z.iso.datetime({ offset: true, message: 'enter a date and time like 2027-01-01T00:00:00Z' }),
    }).shape,
  )
  .check(
    z.refine((b) => (b.url === undefined) !== (b.text === undefined), {
      message: 'give either url or text, not both',
      path: ['url'],
    }),
  );
export type PublishTermsBody = z.infer<typeof publishTermsBodySchema>;

export const termsVersionSchema = z.object({
  version: z.int().check(z.gte(1)),
  title: z.string(),
  url: z.optional(z.string()),
  text: z.optional(z.string()),
  summary: z.string(),
  effectiveAt: z.string(),
  publishedAt: z.string(),
  /** the back-office user's sub, or `seed` */
  publishedBy: z.string(),
  /** in force for every account without a consent record (version 1 only) */
  implicit: z.optional(z.boolean()),
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
  z.object({ sub: z.string(), email: z.optional(z.string()) }),
  z.literal('silent-consent'),
]);

/** One account's standing on one version; `pending` is written by the notice pass (it enumerates the accounts). */
export const consentRecordSchema = z.object({
  accountId: z.string(),
  version: z.int(),
  status: consentStatusSchema,
  /** when it took effect: the acceptance, the objection, or the version's effectiveAt for silence */
  at: z.optional(z.string()),
  by: z.optional(consentActorSchema),
  /** the objection's reason */
  reason: z.optional(z.string()),
  /** an objection withdrawn by a later acceptance */
  previousObjection: z.optional(z.object({ at: z.string(), by: consentActorSchema, reason: z.string() })),
  /** when the notice was mailed to the account's administrators, and to how many */
  noticeSentAt: z.optional(z.string()),
  noticeRecipients: z.optional(z.int()),
});
export type ConsentRecord = z.infer<typeof consentRecordSchema>;

export const objectionBodySchema = z.strictObject(
  z.object({ reason: z.string().check(z.trim(), z.minLength(1, 'say why you object'), z.maxLength(2000)) }).shape,
);
export type ObjectionBody = z.infer<typeof objectionBodySchema>;

export const termsHistoryQuerySchema = z.strictObject(
  z.object({ at: z.optional(z.union([z.iso.datetime({ offset: true }), z.iso.date()])) }).shape,
);

export const termsConsentsQuerySchema = z.strictObject(
  z.object({
    limit: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000))),
    cursor: z.optional(z.string().check(z.maxLength(1024))),
    status: z.optional(consentStatusSchema),
    format: z.optional(z.enum(['json', 'csv'])),
  }).shape,
);

/** The OpenAPI operations of the terms routes (tag "Terms"), spread into openapi.ts's table. */
import * as z from 'zod/mini';
import { withMeta } from '../core/schema-meta';
import type { ZodOpenApiResponseObject } from 'zod-openapi';
import {
  accountTermsSchema,
  consentRecordResponseSchema,
  termsConsentsPageSchema,
  termsHistorySchema,
  termsListSchema,
  termsVersionResponseSchema,
} from '../core/accounts/terms-responses';
import {
  objectionBodySchema,
  publishTermsBodySchema,
  termsConsentsQuerySchema,
  termsHistoryQuerySchema,
} from '../core/accounts/terms-model';
import { accountParams, accountTermsParams, termsVersionParams } from './params';

const json = (schema: z.ZodMiniType, description: string): ZodOpenApiResponseObject => ({
  description,
  content: { 'application/json': { schema } },
});

export const termsTag = {
  name: 'Terms',
  description: 'Terms versions, their notices and each account’s consent (docs/terms.md).',
} as const;

export const termsOperations = {
  publishTerms: {
    tag: 'Terms',
    summary: 'Publish the next terms version (back office)',
    description:
      'Its effective date must be in the future. The hourly terms job then mails every account administrator and, at that date, records silent consent for the accounts that neither accepted nor objected.',
    body: withMeta(publishTermsBodySchema, { id: 'PublishTermsRequest' }),
    responses: { '201': json(termsVersionResponseSchema, 'Published') },
    errors: { 409: 'Another version was published meanwhile' },
  },
  listTerms: {
    tag: 'Terms',
    summary: 'The terms versions: the one in force and the upcoming ones',
    description: 'Any signed-in user.',
    responses: { '200': json(termsListSchema, 'Every version, oldest first') },
  },
  listTermsConsents: {
    tag: 'Terms',
    summary: 'Every account’s standing on a version (back office, support)',
    description: 'Paged by `cursor`; CSV with `format=csv`.',
    params: termsVersionParams,
    query: termsConsentsQuerySchema,
    responses: {
      '200': {
        description: 'A page of consents; as CSV, the next page’s cursor is in X-Next-Cursor',
        content: {
          'application/json': { schema: termsConsentsPageSchema },
          'text/csv': {
            schema: withMeta(z.string(), {
              description: 'header row `accountId,version,status,at,by,email,reason,noticeSentAt`, CRLF',
            }),
          },
        },
        headers: z.object({ 'x-next-cursor': z.optional(z.string()) }),
      },
    },
    errors: { 404: 'Unknown version' },
  },
  getAccountTerms: {
    tag: 'Terms',
    summary: 'The account’s standing on each terms version, and the notice to show',
    description: 'Customer, its reseller, support, back office.',
    params: accountParams,
    responses: { '200': json(accountTermsSchema, 'Its standing') },
    errors: { 404: 'Unknown account' },
  },
  getTermsHistory: {
    tag: 'Terms',
    summary: 'Which terms version applied to the account at a date',
    description: 'Without `at`: now. Customer, its reseller, support, back office.',
    params: accountParams,
    query: termsHistoryQuerySchema,
    responses: { '200': json(termsHistorySchema, 'The version that applied') },
    errors: { 404: 'Unknown account' },
  },
  acceptTerms: {
    tag: 'Terms',
    summary: 'Accept a terms version for the account',
    description:
      'Only the account’s own administrators (not its reseller nor the back office). Again: the same record. Withdraws an earlier objection.',
    params: accountTermsParams,
    responses: { '200': json(consentRecordResponseSchema, 'The acceptance') },
    errors: { 404: 'Unknown account or version', 409: 'Version 1 binds every account already' },
  },
  objectToTerms: {
    tag: 'Terms',
    summary: 'Object to a terms version for the account',
    description:
      'Only the account’s own administrators, before the effective date; the objection is shown to the back office and the previous version keeps applying.',
    params: accountTermsParams,
    body: withMeta(objectionBodySchema, { id: 'TermsObjectionRequest' }),
    responses: { '200': json(consentRecordResponseSchema, 'The objection') },
    errors: {
      404: 'Unknown account or version',
      409: 'The account accepted the version already, or it took effect with its silent consent',
    },
  },
} as const;

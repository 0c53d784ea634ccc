/**
 * What the sign-up and reseller routes answer, as schemas: the contract's shape of the use cases'
 * results, described in the OpenAPI document.
 */
import * as z from 'zod/mini';
import { withMeta } from '../schema-meta';
import { regionSchema } from '../licensing/catalogue';
import { accountUserSchema } from './responses';

const instant = z.iso.datetime({ offset: true });

export const createdAccountSchema = withMeta(
  z.object({
    accountId: z.string(),
    name: z.string(),
    region: withMeta(regionSchema, { description: 'home region: where its data lives' }),
    country: withMeta(z.string(), { description: 'ISO 3166-1 alpha-2' }),
    origin: z.literal('sign-up'),
    createdAt: instant,
    administrator: accountUserSchema,
    termsAccepted: withMeta(z.optional(z.array(z.int())), {
      description: 'the versions of the terms its creator accepted (in force and upcoming; version 1 binds implicitly)',
    }),
  }),
  { id: 'CreatedAccount', description: 'A Smart Account created by sign-up, with its first administrator.' },
);

export const resellerApplicationSchema = withMeta(
  z.object({
    resellerId: z.string(),
    companyName: z.string(),
    country: z.string(),
    status: z.enum(['pending', 'approved']),
    applicantSub: withMeta(z.string(), { description: "the applicant's directory subject id" }),
    createdAt: instant,
    approvedAt: z.optional(instant),
  }),
  { id: 'ResellerApplication' },
);

export const resellerApplicationsSchema = withMeta(
  z.object({ resellers: withMeta(z.array(resellerApplicationSchema), { description: 'oldest first' }) }),
  { id: 'ResellerApplications' },
);

export const accountResellerSchema = withMeta(
  z.object({ accountId: z.string(), resellerId: z.string(), companyName: z.string() }),
  { id: 'AccountReseller', description: 'The reseller that acts for the account.' },
);

/**
 * What the sign-up and reseller routes answer, as schemas: the contract's shape of the use cases'
 * results, described in the OpenAPI document.
 */
import * as z from 'zod';
import { regionSchema } from '../licensing/catalogue';
import { accountUserSchema } from './responses';

const instant = z.iso.datetime({ offset: true });

export const createdAccountSchema = z
  .object({
    accountId: z.string(),
    name: z.string(),
    region: regionSchema.meta({ description: 'home region: where its data lives' }),
    country: z.string().meta({ description: 'ISO 3166-1 alpha-2' }),
    origin: z.literal('sign-up'),
    createdAt: instant,
    administrator: accountUserSchema,
    termsAccepted: z.array(z.number().int()).optional().meta({
      description: 'the versions of the terms its creator accepted (in force and upcoming; version 1 binds implicitly)',
    }),
  })
  .meta({ id: 'CreatedAccount', description: 'A Smart Account created by sign-up, with its first administrator.' });

export const resellerApplicationSchema = z
  .object({
    resellerId: z.string(),
    companyName: z.string(),
    country: z.string(),
    status: z.enum(['pending', 'approved']),
    applicantSub: z.string().meta({ description: "the applicant's directory subject id" }),
    createdAt: instant,
    approvedAt: instant.optional(),
  })
  .meta({ id: 'ResellerApplication' });

export const resellerApplicationsSchema = z
  .object({ resellers: z.array(resellerApplicationSchema).meta({ description: 'oldest first' }) })
  .meta({ id: 'ResellerApplications' });

export const accountResellerSchema = z
  .object({ accountId: z.string(), resellerId: z.string(), companyName: z.string() })
  .meta({ id: 'AccountReseller', description: 'The reseller that acts for the account.' });

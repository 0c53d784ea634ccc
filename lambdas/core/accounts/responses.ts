/**
 * What the account-users routes answer, as schemas: the contract's shape of the use cases' results,
 * described in the OpenAPI document (a unit test holds each to its result type).
 */
import * as z from 'zod';

export const accountUserSchema = z
  .object({
    userId: z.string().meta({ description: "the directory's subject id (the `sub` of the user's tokens)" }),
    email: z.email(),
    status: z.enum(['invited', 'active']).meta({ description: 'invited: has not signed in and set a password yet' }),
    createdAt: z.iso.datetime({ offset: true }).optional(),
  })
  .meta({ id: 'AccountUser', description: 'A person who may sign in for the account (a customer administrator).' });

export const accountUsersSchema = z
  .object({ users: z.array(accountUserSchema).meta({ description: 'by e-mail' }) })
  .meta({ id: 'AccountUsers' });

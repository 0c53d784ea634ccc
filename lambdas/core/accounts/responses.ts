/**
 * What the account-users routes answer, as schemas: the contract's shape of the use cases' results,
 * described in the OpenAPI document (a unit test holds each to its result type).
 */
import * as z from 'zod/mini';
import { withMeta } from '../schema-meta';

export const accountUserSchema = withMeta(
  z.object({
    userId: withMeta(z.string(), { description: "the directory's subject id (the `sub` of the user's tokens)" }),
    email: z.email(),
    status: withMeta(z.enum(['invited', 'active']), {
      description: 'invited: has not signed in and set a password yet',
    }),
    createdAt: z.optional(z.iso.datetime({ offset: true })),
  }),
  { id: 'AccountUser', description: 'A person who may sign in for the account (a customer administrator).' },
);

export const accountUsersSchema = withMeta(
  z.object({ users: withMeta(z.array(accountUserSchema), { description: 'by e-mail' }) }),
  { id: 'AccountUsers' },
);

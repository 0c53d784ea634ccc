/** Identifier formats of the licensing records, shared by every route and order that names one. */
import * as z from 'zod/mini';

export const accountIdSchema = z.string().check(z.regex(/^acc_[a-z0-9]{8,32}$/, 'not an account id'));
export const resellerIdSchema = z
  .string()
  .check(z.regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and dashes'));

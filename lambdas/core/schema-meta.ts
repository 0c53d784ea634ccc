/** zod/mini has no `.meta()`: this is classic zod's, a copy of the schema with the metadata registered on it. */
import * as z from 'zod/mini';

export function withMeta<T extends z.core.$ZodType>(schema: T, meta: z.core.GlobalMeta): T {
  const copy = z.clone(schema);
  z.globalRegistry.add(copy, meta);
  return copy;
}

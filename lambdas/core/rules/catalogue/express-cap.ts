/** The SQL Server Express size cap, shared by db-express-cap and db-growth-forecast. */
import * as z from 'zod/mini';

const GIB = 1024 ** 3;
const EXPRESS = /express/i;

/** Cap in bytes by the first SQL Server major version it applies from (config, per-account overridable). */
export const expressCapsSchema = z._default(
  z.array(z.object({ fromMajor: z.int(), capBytes: z.number().check(z.positive()) })),
  [
    { fromMajor: 0, capBytes: 10 * GIB },
    { fromMajor: 17, capBytes: 50 * GIB }, // SQL Server 2025
  ],
);
export type ExpressCaps = z.infer<typeof expressCapsSchema>;

export const isExpressEdition = (edition: string) => EXPRESS.test(edition);

/** The cap for a SQL Server version such as `16.0.1000.6`; undefined when no entry applies. */
export function expressCapBytes(caps: ExpressCaps, version: string): number | undefined {
  const major = Number.parseInt(version, 10);
  let capBytes: number | undefined;
  let from = -Infinity;
  for (const c of caps)
    if (major >= c.fromMajor && c.fromMajor > from) {
      from = c.fromMajor;
      capBytes = c.capBytes;
    }
  return capBytes;
}

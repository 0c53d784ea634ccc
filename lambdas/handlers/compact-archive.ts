/**
 * The archive compaction (EventBridge Scheduler, hourly): rewrites each closed hour of this
 * region's raw archive into Parquet with Athena (compact-archive.ts). `{ "hours": ["YYYY-MM-DDTHH"] }`
 * compacts those hours instead (a backfill, or a forced re-run from the console).
 */
import * as z from 'zod/mini';
import { compactArchive } from '../core/telemetry/compact-archive';
import { env } from '../shared/env';
import { scheduledHandler } from '../shared/handler-stack';
import { logger } from '../shared/powertools';
import { compactionDeps, compactionSettings } from '../shared/telemetry-deps';

const inputSchema = z.object({
  hours: z.optional(
    z
      .array(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}$/, 'YYYY-MM-DDTHH')))
      // what one run has time for (compactionSettings): a longer backfill is several invocations
      .check(z.maxLength(6)),
  ),
});

export const handler = scheduledHandler(async (event) => {
  const input = inputSchema.parse(event ?? {});
  const region = env().REGION_KEY;
  const hours = input.hours?.map((h) => ({ region, dt: h.slice(0, 10), hour: h.slice(11, 13) }));
  const done = await compactArchive(compactionDeps(), compactionSettings(), hours);
  const summary = done.map((c) => ({ ...c.hour, runId: c.runId, rows: c.rowsWritten, outcome: c.outcome }));
  logger.info('archive compacted', { hours: summary });
  return { hours: summary };
});

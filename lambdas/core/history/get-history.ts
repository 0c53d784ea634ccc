/**
 * GET /v1/installations/{id}/history: one tier's points of an installation's series over a chart
 * range, read with one Query, with the licensed capacity beside usage series. Access exactly as the
 * installation's findings (support/access.ts).
 */
import * as z from 'zod/mini';
import { withMeta } from '../schema-meta';
import { capacityOf } from '../rules/catalogue/usage-over-licence';
import type { LicenceFactsSource } from '../rules/ports';
import type { Principal } from '../licensing/access';
import { readableInstallation } from '../support/access';
import type { SupportDeps } from '../support/ports';
import type { HistoryStore } from './ports';
import { capacityProducts, describeSeries, seriesKeySchema, type SeriesUnit } from './series';
import { blockSpanMs, historyRangeSchema, pointsWithin, tierForRange, unionBlocks, type HistoryRange } from './tiers';

export const historyQuerySchema = z.object({
  /** @default 24h */
  range: z._default(historyRangeSchema, '24h'),
  /** series keys; none: every series the installation has */
  series: z._default(z.array(seriesKeySchema).check(z.maxLength(64)), []),
});
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

/** The answer, as OpenAPI publishes it (lambdas/shared/openapi-history.ts). */
export const historySchema = withMeta(
  z.object({
    installationId: z.string(),
    range: historyRangeSchema,
    resolutionSeconds: z.int(),
    from: withMeta(z.string(), { description: 'ISO 8601: the range starts here' }),
    to: withMeta(z.string(), { description: 'ISO 8601: now' }),
    series: z.array(
      z.object({
        key: withMeta(z.string(), {
          description: 'e.g. `process:UCX.Server.exe:cpuPercent`, `database:UCX:sizeBytes`',
        }),
        label: z.string(),
        unit: z.enum(['percent', 'bytes', 'count']),
        points: withMeta(z.array(z.tuple([z.number(), z.number(), z.number(), z.number()])), {
          description: '[epoch ms, avg, min, max], oldest first',
        }),
        capacity: withMeta(z.optional(z.number()), { description: 'licensed capacity (usage series)' }),
      }),
    ),
  }),
  { id: 'InstallationHistory' },
);

export interface HistoryDeps extends SupportDeps {
  readonly history: Pick<HistoryStore, 'blocks'>;
  readonly licences: LicenceFactsSource;
}

export interface SeriesView {
  readonly key: string;
  readonly label: string;
  readonly unit: SeriesUnit;
  /** [epoch ms, avg, min, max], oldest first */
  readonly points: [number, number, number, number][];
  readonly capacity?: number;
}

export interface HistoryView {
  readonly installationId: string;
  readonly range: HistoryRange;
  readonly resolutionSeconds: number;
  readonly from: string;
  readonly to: string;
  readonly series: SeriesView[];
}

/** avg to 3 decimals: what a chart can show, and a smaller answer */
const round = (v: number) => Math.round(v * 1000) / 1000;

export async function getInstallationHistory(
  deps: HistoryDeps,
  principal: Principal,
  installationId: string,
  query: HistoryQuery,
): Promise<HistoryView> {
  await readableInstallation(deps, principal, installationId);
  const tier = tierForRange(query.range);
  const now = deps.clock.now().getTime();
  const from = now - tier.rangeMs;
  // a block starts at most its span before its first point in range
  const span = blockSpanMs(tier);
  const [blocks, licence] = await Promise.all([
    deps.history.blocks(installationId, tier, from - span, now + 1),
    deps.licences.factsFor(installationId),
  ]);
  const series = pointsWithin(unionBlocks(blocks.map((b) => b.series)), tier, from, now + 1, now);
  const wanted = query.series.length > 0 ? new Set(query.series) : undefined;
  const views: SeriesView[] = [];
  // a series asked for by key is answered even without points (a chart draws its empty axes)
  for (const key of wanted ? [...wanted].sort() : [...series.keys()].sort()) {
    const product = capacityProducts[key];
    const capacity = product && licence ? capacityOf(licence, product, now) : undefined;
    views.push({
      key,
      ...describeSeries(key),
      points: (series.get(key) ?? []).map((p) => [p.t, round(p.avg), p.min, p.max]),
      ...(capacity !== undefined && capacity > 0 ? { capacity } : {}),
    });
  }
  return {
    installationId,
    range: query.range,
    resolutionSeconds: tier.resolutionSeconds,
    from: new Date(from).toISOString(),
    to: new Date(now).toISOString(),
    series: views,
  };
}

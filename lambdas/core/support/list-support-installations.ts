/**
 * Support's view across accounts: installations filtered by open-finding severity and rule, Care level,
 * silence and staleness (licensing's: stale.ts). Walks the last-beat index bucket by bucket (oldest beat first within each, to 3 hours) and filters
 * the health it reads; `silentHours` narrows the index read itself, severity and Care are filters,
 * so a selective filter reads more than it returns. Each request reads a bounded number of index
 * pages and hands back a cursor to go on from.
 */
import * as z from 'zod/mini';
import { ValidationError } from '../errors';
import { assertRole, type Principal } from '../licensing/access';
import { DEFAULT_STALE_AFTER_DAYS, isStale } from '../licensing/stale';
import { CALLS_AT_ONCE, mapLimited } from '../settle-limited';
import { severityRank } from '../rules/rule';
import { suiteRelease } from './fleet-overview';
import { viewOf, type InstallationHealthView } from './list-account-installations';
import type { Region } from '../licensing/catalogue';
import type { InstallationHealth, OpenFindingSummary, SilencePosition, SupportDeps } from './ports';

export const supportInstallationsQuerySchema = z.strictObject({
  /** an open finding of this severity or a more severe one */
  severity: z.optional(z.enum(['info', 'warning', 'critical'])),
  care: z.optional(z.enum(['basic', 'gold', 'platinum', 'none'])),
  /** an open finding of this rule (and of `severity` or worse, when given) */
  rule: z.optional(z.string().check(z.regex(/^[a-z0-9-]{1,64}$/, 'not a rule id'))),
  /** a suite version of this release (`2025.4`: 2025.4.x), as the fleet overview counts them */
  suiteRelease: z.optional(
    z.string().check(z.regex(/^[0-9A-Za-z-]{1,16}(\.[0-9A-Za-z-]{1,16})?$/, 'not a suite release')),
  ),
  /** a SQL Server edition, as the installation's inventory names it */
  sqlEdition: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  /** no beat for at least this many hours */
  silentHours: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(24 * 366))),
  /**
   * only installations stale in licensing (active, no licence poll for staleAfterDays); the index
   * read is narrowed to those without a beat for as long, so one that never sent a beat is not listed
   */
  stale: z.optional(z.enum(['true'])),
  limit: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(200))),
  cursor: z.optional(z.string().check(z.maxLength(512))),
});
export type SupportInstallationsQuery = z.infer<typeof supportInstallationsQuerySchema>;

export const DEFAULT_SUPPORT_PAGE = 50;
/** Index pages (of up to 100 installations each) one request reads at most: its cost bound. */
export const MAX_INDEX_PAGES_PER_REQUEST = 10;

const positionSchema = z.strictObject({
  bucket: z.int().check(z.gte(0), z.lte(255)),
  after: z.optional(z.strictObject({ installationId: z.string().check(z.minLength(1)), lastBeatAt: z.iso.datetime() })),
});
type Position = z.infer<typeof positionSchema>;

const encodeCursor = (position: Position) => Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');

function decodeCursor(cursor: string, buckets: number): Position {
  const parsed = (() => {
    try {
      return positionSchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    } catch {
      return undefined;
    }
  })();
  if (!parsed?.success || parsed.data.bucket >= buckets) {
    throw new ValidationError([{ path: 'query.cursor', message: 'not a cursor of this list' }]);
  }
  return parsed.data;
}

export interface SupportInstallationView extends Omit<InstallationHealthView, 'openFindings'> {
  accountId: string;
  /** the customer's name; null when the account is not known here (closed and erased) */
  accountName: string | null;
  /** the account's home region (its installation's pages are served there); null when not known */
  accountRegion: Region | null;
  /** most severe first, each saying whether support acknowledged it */
  openFindings: (OpenFindingSummary & { acknowledged: boolean })[];
}

function matches(query: SupportInstallationsQuery) {
  return (health: InstallationHealth): boolean => {
    if (query.care && (health.careLevel ?? 'none') !== query.care) return false;
    const minimum = query.severity;
    const wanted = (f: OpenFindingSummary) =>
      (!minimum || severityRank[f.severity] >= severityRank[minimum]) && (!query.rule || f.ruleId === query.rule);
    if ((minimum || query.rule) && !health.openFindings.some(wanted)) return false;
    return true;
  };
}

/** The installations among `ids` of the asked suite release and SQL edition; undefined: not asked. */
async function withFacts(
  deps: SupportDeps,
  query: SupportInstallationsQuery,
  ids: readonly string[],
): Promise<Set<string> | undefined> {
  if (!query.suiteRelease && !query.sqlEdition) return undefined;
  if (!deps.fleetFacts || ids.length === 0) return new Set();
  const facts = await deps.fleetFacts.factsOf(ids);
  return new Set(
    ids.filter((id) => {
      const f = facts.get(id);
      if (query.suiteRelease && (!f?.suiteVersion || suiteRelease(f.suiteVersion) !== query.suiteRelease)) return false;
      return !query.sqlEdition || f?.sqlEdition === query.sqlEdition;
    }),
  );
}

/** The installations among `ids` that are stale in licensing at `now`. */
async function staleAmong(
  deps: SupportDeps,
  ids: readonly string[],
  now: number,
  staleAfterDays: number | undefined,
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const [polls, installations] = await Promise.all([
    deps.accounts.getLastPolls(ids),
    mapLimited(ids, CALLS_AT_ONCE, (id) => deps.accounts.getInstallation(id, { consistentRead: false })),
  ]);
  return new Set(
    installations
      .filter((i) => i && isStale({ ...i, lastPollAt: polls.get(i.installationId) ?? null }, now, staleAfterDays))
      .map((i) => i!.installationId),
  );
}

export async function listSupportInstallations(
  deps: SupportDeps,
  principal: Principal,
  query: SupportInstallationsQuery,
  options: { readonly staleAfterDays?: number } = {},
): Promise<{ installations: SupportInstallationView[]; nextCursor: string | null }> {
  assertRole(principal, 'support', 'backoffice');
  const buckets = deps.store.silenceBuckets;
  const limit = query.limit ?? DEFAULT_SUPPORT_PAGE;
  const now = deps.clock.now().getTime();
  const silentMs = Math.max(
    query.silentHours === undefined ? 0 : query.silentHours * 3_600_000,
    query.stale ? (options.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS) * 86_400_000 : 0,
  );
  const beatBefore = silentMs === 0 ? undefined : new Date(now - silentMs).toISOString();
  const wanted = matches(query);
  const found: (InstallationHealthView & { accountId: string })[] = [];
  let position: Position | undefined = query.cursor === undefined ? { bucket: 0 } : decodeCursor(query.cursor, buckets);

  for (let pages = 0; position && found.length < limit && pages < MAX_INDEX_PAGES_PER_REQUEST; pages++) {
    const { bucket, after }: Position = position;
    const page = await deps.store.healthBySilence(bucket, {
      limit: 100,
      ...(beatBefore ? { beatBefore } : {}),
      ...(after ? { after } : {}),
    });
    let stoppedAt: SilencePosition | undefined;
    const stale = query.stale
      ? await staleAmong(
          deps,
          page.installations.filter(wanted).map((h) => h.installationId),
          now,
          options.staleAfterDays,
        )
      : undefined;
    const ofFacts = await withFacts(
      deps,
      query,
      page.installations.filter(wanted).map((h) => h.installationId),
    );
    for (const [i, health] of page.installations.entries()) {
      if (!wanted(health) || (stale && !stale.has(health.installationId))) continue;
      if (ofFacts && !ofFacts.has(health.installationId)) continue;
      found.push({ accountId: health.accountId, ...viewOf(health) });
      if (found.length === limit) {
        stoppedAt = page.positions?.[i] ?? { installationId: health.installationId, lastBeatAt: health.lastBeatAt! };
        break;
      }
    }
    const isLastOfPage =
      stoppedAt !== undefined && page.installations.at(-1)?.installationId === stoppedAt.installationId;
    if (stoppedAt && !isLastOfPage) position = { bucket, after: stoppedAt };
    else if (page.next) position = { bucket, after: page.next };
    else position = bucket + 1 < buckets ? { bucket: bucket + 1 } : undefined;
  }
  return {
    installations: await withNamesAndAcknowledgements(deps, found),
    nextCursor: position ? encodeCursor(position) : null,
  };
}

/**
 * The page's rows with their customer's name and home region (one read per account of the page)
 * and, for installations with open findings, which are acknowledged (one Query each): at most a
 * page's worth of reads, bounded by `limit`.
 */
async function withNamesAndAcknowledgements(
  deps: SupportDeps,
  rows: readonly (InstallationHealthView & { accountId: string })[],
): Promise<SupportInstallationView[]> {
  const accountIds = [...new Set(rows.map((r) => r.accountId))];
  const [accounts, acknowledged] = await Promise.all([
    Promise.all(accountIds.map(async (id) => [id, (await deps.accounts.getAccountState(id))?.account] as const)),
    Promise.all(
      rows
        .filter((r) => r.openFindings.length > 0)
        .map(async (r) => (await deps.store.acknowledgements(r.installationId)).map((a) => a.findingId)),
    ),
  ]);
  const accountOf = new Map(accounts);
  const acked = new Set(acknowledged.flat());
  return rows.map((row) => {
    const account = accountOf.get(row.accountId);
    return {
      ...row,
      accountName: account?.name ?? null,
      accountRegion: account?.region ?? null,
      openFindings: row.openFindings.map((f) => ({ ...f, acknowledged: acked.has(f.findingId) })),
    };
  });
}

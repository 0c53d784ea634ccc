/**
 * An account's audit trail, newest first: filtered by time range and action, paged with an opaque
 * cursor, and rendered as CSV for download. Customer, its reseller, support and back office read it.
 */
import * as z from 'zod/mini';
import { NotFoundError, ValidationError } from '../errors';
import { assertAccountAccess, assertMayAddressAccount, type Principal } from './access';
import { actorNamer, type AccountPeople } from './actor-names';
import type { AuditEvent } from './model';
import type { LicensingRepository } from './repository';

/** The position after which the next page starts: the last returned event's sort key. */
const cursorSchema = z.strictObject(z.object({ sk: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T[^#]+#.+$/)) }).shape);

export function encodeAuditCursor(sk: string): string {
  return Buffer.from(JSON.stringify({ sk }), 'utf8').toString('base64url');
}

function decodeAuditCursor(cursor: string): string {
  const parsed = (() => {
    try {
      return cursorSchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    } catch {
      return undefined;
    }
  })();
  if (!parsed?.success) throw new ValidationError([{ path: 'query.cursor', message: 'not a cursor of this list' }]);
  return parsed.data.sk;
}

const dateOnly = /^\d{4}-\d{2}-\d{2}$/;
/** A full timestamp, or a date: `from` then means its first instant, `to` its last. */
const instantSchema = z.union([z.iso.datetime({ offset: true }), z.string().check(z.regex(dateOnly))]);

export const auditQuerySchema = z.strictObject(
  z.object({
    from: z.optional(instantSchema),
    to: z.optional(instantSchema),
    action: z.optional(
      z.string().check(z.regex(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/, 'not an action name'), z.maxLength(64)),
    ),
    limit: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000))),
    cursor: z.optional(z.string().check(z.maxLength(512))),
    format: z.optional(z.enum(['json', 'csv'])),
  }).shape,
);
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const DEFAULT_AUDIT_PAGE = 50;

export interface AuditRange {
  /** lowest `at` included (ISO, UTC) */
  readonly from?: string;
  /** highest `at` included (ISO, UTC) */
  readonly to?: string;
  readonly action?: string;
  readonly limit: number;
  /** sort key of the last event already returned */
  readonly after?: string;
}

/**
 * The most one request may read: an action filter is applied after the read, so a rare action
 * would otherwise cost a read of the whole partition; past the bound the page comes back short
 * (even empty) with a cursor that continues where the read stopped.
 */
export const AUDIT_READ_BOUNDS = { pages: 5, items: 2000 } as const;

export interface AuditEventsRead {
  events: AuditEvent[];
  more: boolean;
  /**
   * Set when the read stopped at its bound before the page filled: the sort key of the last item
   * read (which may not match the filter), after which the next page starts.
   */
  resumeAfter?: string;
}

/** The port: a Query of the `AUDIT#<account>` partition, newest first, within AUDIT_READ_BOUNDS. */
export interface AuditLogReader {
  auditEvents(accountId: string, range: AuditRange): Promise<AuditEventsRead>;
}

export interface AuditLogDeps {
  readonly repo: Pick<LicensingRepository, 'getAccountState'>;
  readonly auditLog: AuditLogReader;
  /** names each event's actor (`by`); without it events carry their actor's id alone */
  readonly people?: AccountPeople;
}

export interface AuditPage {
  events: (AuditEvent & { by?: string })[];
  nextCursor: string | null;
}

function toInstant(value: string | undefined, edge: 'start' | 'end'): string | undefined {
  if (value === undefined) return undefined;
  if (dateOnly.test(value)) return `${value}T${edge === 'start' ? '00:00:00.000' : '23:59:59.999'}Z`;
  return new Date(value).toISOString();
}

export const auditSortKey = (event: Pick<AuditEvent, 'at' | 'eventId'>) => `${event.at}#${event.eventId}`;

export async function listAuditEvents(
  deps: AuditLogDeps,
  principal: Principal,
  accountId: string,
  query: AuditQuery,
): Promise<AuditPage> {
  assertMayAddressAccount(principal, accountId);
  const state = await deps.repo.getAccountState(accountId);
  assertAccountAccess(principal, state?.account, 'read');
  if (!state) throw new NotFoundError(`Account ${accountId} does not exist.`);

  const from = toInstant(query.from, 'start');
  const to = toInstant(query.to, 'end');
  if (from && to && from > to) throw new ValidationError([{ path: 'query.from', message: 'is after `to`' }]);
  const after = query.cursor === undefined ? undefined : decodeAuditCursor(query.cursor);
  const limit = query.limit ?? (query.format === 'csv' ? 1000 : DEFAULT_AUDIT_PAGE);
  const { events, more, resumeAfter } = await deps.auditLog.auditEvents(accountId, {
    limit,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(query.action ? { action: query.action } : {}),
    ...(after ? { after } : {}),
  });
  const last = events.at(-1);
  const resume = resumeAfter ?? (last && auditSortKey(last));
  const nameOf = deps.people && events.length > 0 ? await actorNamer(deps.people, accountId) : undefined;
  return {
    events: nameOf ? events.map((e) => ({ ...e, by: nameOf(e.actor) })) : events,
    nextCursor: more && resume ? encodeAuditCursor(resume) : null,
  };
}

// `by` last: columns added later go at the end, so a reader of the older header keeps its positions
const csvColumns = ['at', 'action', 'actorKind', 'actorId', 'eventId', 'details', 'by'] as const;

/** One RFC 4180 field; a leading formula character is neutralised so spreadsheets show text. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The events as CSV: a header row, CRLF line ends, `details` as JSON, `by` the actor in words. */
export function auditCsv(events: AuditPage['events']): string {
  const rows = events.map((e) =>
    [e.at, e.action, e.actor.kind, e.actor.id, e.eventId, JSON.stringify(e.details), e.by ?? '']
      .map(csvField)
      .join(','),
  );
  return `${[csvColumns.join(','), ...rows].join('\r\n')}\r\n`;
}

/** CSV when asked by `?format=csv` or an Accept header preferring text/csv over JSON. */
export function wantsCsv(query: AuditQuery, accept: string | undefined): boolean {
  if (query.format) return query.format === 'csv';
  return accept !== undefined && /\btext\/csv\b/i.test(accept) && !/application\/json/i.test(accept);
}

/**
 * The back office's finding aids: accounts by name, administrator e-mail, reseller or installation
 * id, accounts created since a date (sign-ups and orders alike), orders deposited since a date.
 * Each is one query of an index (docs/back-office.md), never a scan of the table.
 */
import * as z from 'zod/mini';
import { ValidationError } from '../errors';
import type { Principal } from './access';
import { assertRole } from './access';
import type { Region } from './catalogue';
import { accountIdSchema, resellerIdSchema } from './ids';

/** An account as a list shows it. */
export interface AccountSummary {
  readonly accountId: string;
  readonly name: string;
  readonly region: Region;
  readonly resellerId?: string;
  readonly createdAt: string;
  /** present once the account is closed (docs/retention.md) */
  readonly closedAt?: string;
  readonly eraseAfter?: string;
}

export type AccountMatch = AccountSummary & {
  readonly status: 'open' | 'closed';
  /** the account's administrators' e-mails (present when the user index is given) */
  readonly admins?: string[];
  /** which search found it */
  readonly matchedBy: 'id' | 'name' | 'email' | 'reseller' | 'installation' | 'created';
};

export interface OrderSummary {
  readonly orderId: string;
  readonly accountId: string;
  readonly createdAt: string;
  readonly accountCreated: boolean;
  /** the order's lines, as deposited */
  readonly lines: readonly Record<string, unknown>[];
}

export interface Page {
  readonly limit: number;
  /** opaque: from the previous page's `nextCursor` */
  readonly cursor?: string;
}

/** The ports the searches read: index queries over the licensing table. */
export interface AccountSearchIndex {
  /**
   * Accounts whose normalised name (normaliseName) starts with `prefix`, or contains it when
   * `contains`; `truncated` when the bounded read stopped before the end.
   */
  accountsByName(
    needle: string,
    options: { readonly contains: boolean; readonly limit: number },
  ): Promise<{ accounts: AccountSummary[]; truncated: boolean }>;
  /** accounts created at or after `since`, newest first */
  accountsCreatedSince(since: string, page: Page): Promise<{ accounts: AccountSummary[]; nextCursor?: string }>;
  /** orders deposited at or after `since`, newest first */
  ordersSince(since: string, page: Page): Promise<{ orders: OrderSummary[]; nextCursor?: string }>;
  getAccounts(accountIds: readonly string[]): Promise<AccountSummary[]>;
  accountIdOfInstallation(installationId: string): Promise<string | null>;
  accountIdsOfReseller(resellerId: string): Promise<string[]>;
}

/** The user index as the search needs it (accounts/user-index.ts). */
export interface AdministratorLookup {
  findByEmail(email: string): Promise<readonly { accountId: string }[]>;
  listByAccount(accountId: string): Promise<readonly { email: string }[]>;
}

export interface BackOfficeSearchDeps {
  readonly index: AccountSearchIndex;
  readonly admins?: AdministratorLookup;
}

/** How names are compared: lower case, accents and punctuation folded, single spaces. */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const dateOrInstant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);
const limitSchema = z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)));
const installationIdSchema = z.string().check(z.regex(/^inst_[a-z0-9]{8,32}$/, 'not an installation id'));

export const accountSearchQuerySchema = z
  .strictObject(
    z.object({
      /** a name (prefix, then contains), an e-mail, an account, installation or reseller id */
      q: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))),
      email: z.optional(
        z.email('enter an e-mail address like name@example.com').check(z.trim(), z.toLowerCase(), z.maxLength(254)),
      ),
      resellerId: z.optional(resellerIdSchema),
      installationId: z.optional(installationIdSchema),
      createdSince: z.optional(dateOrInstant),
      limit: limitSchema,
      cursor: z.optional(z.string().check(z.maxLength(1024))),
    }).shape,
  )
  .check(
    z.refine(
      (query) =>
        [query.q, query.email, query.resellerId, query.installationId, query.createdSince].filter(
          (v) => v !== undefined,
        ).length === 1,
      { message: 'give exactly one of q, email, resellerId, installationId, createdSince', path: ['q'] },
    ),
  );
export type AccountSearchQuery = z.infer<typeof accountSearchQuerySchema>;

export const orderListQuerySchema = z.strictObject(
  z.object({ since: dateOrInstant, limit: limitSchema, cursor: z.optional(z.string().check(z.maxLength(1024))) }).shape,
);
export type OrderListQuery = z.infer<typeof orderListQuerySchema>;

export const DEFAULT_SEARCH_LIMIT = 25;
const instantOf = (value: string) => (value.length === 10 ? `${value}T00:00:00.000Z` : new Date(value).toISOString());

async function withAdmins(
  deps: BackOfficeSearchDeps,
  accounts: readonly AccountSummary[],
  matchedBy: AccountMatch['matchedBy'],
): Promise<AccountMatch[]> {
  return Promise.all(
    accounts.map(async (account) => ({
      ...account,
      status: account.closedAt ? ('closed' as const) : ('open' as const),
      matchedBy,
      ...(deps.admins && {
        admins: (await deps.admins.listByAccount(account.accountId)).map((u) => u.email).sort(),
      }),
    })),
  );
}

async function byName(deps: BackOfficeSearchDeps, q: string, limit: number) {
  const needle = normaliseName(q);
  if (needle === '') return { accounts: [], truncated: false };
  // Prefix first: one key-range query; only when it finds too few, the bounded contains read.
  const prefixed = await deps.index.accountsByName(needle, { contains: false, limit });
  if (prefixed.accounts.length >= limit) return prefixed;
  const contained = await deps.index.accountsByName(needle, { contains: true, limit });
  const seen = new Set(prefixed.accounts.map((a) => a.accountId));
  return {
    accounts: [...prefixed.accounts, ...contained.accounts.filter((a) => !seen.has(a.accountId))].slice(0, limit),
    truncated: contained.truncated,
  };
}

export async function searchAccounts(
  deps: BackOfficeSearchDeps,
  principal: Principal,
  query: AccountSearchQuery,
): Promise<{ accounts: AccountMatch[]; nextCursor?: string; truncated?: boolean }> {
  assertRole(principal, 'backoffice');
  const limit = query.limit ?? DEFAULT_SEARCH_LIMIT;
  if (query.createdSince !== undefined) {
    const page = await deps.index.accountsCreatedSince(instantOf(query.createdSince), {
      limit,
      ...(query.cursor !== undefined && { cursor: query.cursor }),
    });
    return {
      accounts: await withAdmins(deps, page.accounts, 'created'),
      ...(page.nextCursor && { nextCursor: page.nextCursor }),
    };
  }
  const ids = async (accountIds: readonly string[], matchedBy: AccountMatch['matchedBy']) =>
    withAdmins(
      deps,
      (await deps.index.getAccounts([...new Set(accountIds)].slice(0, limit))).sort(byNameThenId),
      matchedBy,
    );

  if (query.email !== undefined) return { accounts: await byEmail(deps, query.email, ids) };
  if (query.resellerId !== undefined)
    return { accounts: await ids(await deps.index.accountIdsOfReseller(query.resellerId), 'reseller') };
  if (query.installationId !== undefined) return { accounts: await byInstallation(deps, query.installationId, ids) };

  // `q` is read as what it looks like: an id or an e-mail is found exactly, anything else is a name.
  const q = query.q!;
  if (accountIdSchema.safeParse(q).success) return { accounts: await ids([q], 'id') };
  if (installationIdSchema.safeParse(q).success) return { accounts: await byInstallation(deps, q, ids) };
  if (q.includes('@')) return { accounts: await byEmail(deps, q.toLowerCase(), ids) };
  const found = await byName(deps, q, limit);
  const resellers = resellerIdSchema.safeParse(q).success ? await deps.index.accountIdsOfReseller(q) : [];
  const named = await withAdmins(deps, found.accounts, 'name');
  const sold = resellers.length > 0 ? await ids(resellers, 'reseller') : [];
  const seen = new Set(named.map((a) => a.accountId));
  return {
    accounts: [...named, ...sold.filter((a) => !seen.has(a.accountId))].slice(0, limit),
    ...(found.truncated && { truncated: true }),
  };
}

type ById = (accountIds: readonly string[], matchedBy: AccountMatch['matchedBy']) => Promise<AccountMatch[]>;

async function byEmail(deps: BackOfficeSearchDeps, email: string, ids: ById): Promise<AccountMatch[]> {
  if (!deps.admins)
    throw new ValidationError([{ path: 'query.email', message: 'search by e-mail is not available here' }]);
  return ids(
    (await deps.admins.findByEmail(email)).map((u) => u.accountId),
    'email',
  );
}

async function byInstallation(deps: BackOfficeSearchDeps, installationId: string, ids: ById): Promise<AccountMatch[]> {
  const accountId = await deps.index.accountIdOfInstallation(installationId);
  return accountId ? ids([accountId], 'installation') : [];
}

const byNameThenId = (a: AccountSummary, b: AccountSummary) =>
  a.name.localeCompare(b.name) || (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0);

export async function listRecentOrders(
  deps: Pick<BackOfficeSearchDeps, 'index'>,
  principal: Principal,
  query: OrderListQuery,
): Promise<{ orders: OrderSummary[]; nextCursor?: string }> {
  assertRole(principal, 'backoffice');
  const page = await deps.index.ordersSince(instantOf(query.since), {
    limit: query.limit ?? DEFAULT_SEARCH_LIMIT,
    ...(query.cursor !== undefined && { cursor: query.cursor }),
  });
  return { orders: page.orders, ...(page.nextCursor && { nextCursor: page.nextCursor }) };
}

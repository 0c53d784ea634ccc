/**
 * Terms versions and consent: the back office publishes a version with a future effective date,
 * every account's administrators are mailed a notice, each account accepts or objects, and at the
 * effective date silence counts as consent ("in case of silent consent of the Customer following
 * communication, the modifications will be considered implicitly accepted"). docs/terms.md.
 */
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { assertAccountAccess, assertMayAddressAccount, assertRole, type Principal } from '../licensing/access';
import type { Region } from '../licensing/catalogue';
import type { AuditEvent } from '../licensing/model';
import { csvField } from '../licensing/list-audit-events';
import type { LicensingRepository } from '../licensing/repository';
import type { Clock, IdGenerator, Logger } from '../ports';
import {
  type ConsentRecord,
  type ConsentStatus,
  type PublishTermsBody,
  seedTermsVersions,
  type TermsVersion,
} from './terms-model';
import type { UserDirectory } from './users';

/** Sends one e-mail: the local outbox locally, SES with a configuration set in the cloud. */
export interface Mailer {
  send(message: { readonly to: string; readonly subject: string; readonly text: string }): Promise<void>;
}

/** How far the scheduled job has gone through the accounts for one version. */
export interface NoticeProgress {
  /** where the next page of accounts starts; none: from the beginning */
  readonly cursor?: string;
  /** every account has its record and notice */
  readonly done: boolean;
  /** where the pass over accounts created since publication resumes (docs/terms.md) */
  readonly late?: string;
}

/** The terms and consents in the licensing table (lambdas/adapters/dynamodb-terms-store.ts). */
export interface TermsStore {
  /** published versions (the seed is not stored), oldest first */
  listVersions(): Promise<TermsVersion[]>;
  /** stores a new version; false when its number is already taken */
  putVersion(version: TermsVersion): Promise<boolean>;
  /** one account's records, every version (D's export reads these) */
  listConsents(accountId: string): Promise<ConsentRecord[]>;
  getConsent(accountId: string, version: number): Promise<ConsentRecord | null>;
  /**
   * Writes `record` (keeping the notice fields) with its audit event, if the stored status is one
   * of `from` (`none`: no record); false when it is not.
   */
  transition(record: ConsentRecord, from: readonly (ConsentStatus | 'none')[], audit: AuditEvent): Promise<boolean>;
  /** a page of the version's records, by account id */
  listVersionConsents(
    version: number,
    page: { readonly cursor?: string; readonly limit: number; readonly status?: ConsentStatus },
  ): Promise<{ records: ConsentRecord[]; cursor?: string }>;
  /** a page of every account's id and home region (a Scan of the account items) */
  listAccounts(cursor: string | undefined, limit: number): Promise<{ accounts: AccountRef[]; cursor?: string }>;
  /**
   * A page of the accounts created in [from, to), oldest first, after the position `after`; `last`
   * is the position after its last account (kept to resume), `more` whether any are left.
   */
  listAccountsCreated(
    from: string,
    to: string,
    after: string | undefined,
    limit: number,
  ): Promise<{ accounts: AccountRef[]; last?: string; more: boolean }>;
  getProgress(version: number): Promise<NoticeProgress>;
  saveProgress(version: number, progress: NoticeProgress): Promise<void>;
  /** writes a `pending` record unless the account has one */
  ensurePending(accountId: string, version: number): Promise<void>;
  /** takes the right to mail the notice: false when it was sent (or is being sent) already */
  claimNotice(accountId: string, version: number, at: string): Promise<boolean>;
  /** the notice went out (audited) or, `recipients` undefined, failed and may be retried */
  finishNotice(
    accountId: string,
    version: number,
    sent: { at: string; recipients: number; audit: AuditEvent } | null,
  ): Promise<void>;
}

export interface AccountRef {
  readonly accountId: string;
  readonly region: Region;
  /** closed (docs/retention.md): the job neither mails nor records silence for it; unknown: read it */
  readonly closed?: boolean;
}

export interface TermsDeps {
  readonly terms: TermsStore;
  readonly repo: Pick<LicensingRepository, 'getAccountState'>;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

export interface TermsJobDeps extends TermsDeps {
  readonly directory: Pick<UserDirectory, 'list'>;
  readonly mailer: Mailer;
  readonly log: Logger;
  /** this region: the job serves the accounts homed here (conditions hold within one region) */
  readonly here: Region;
  /** the portal's address, for the notice's link */
  readonly portalUrl?: string;
}

/** Every version, the seed first. */
async function allVersions(store: TermsStore): Promise<TermsVersion[]> {
  const stored = await store.listVersions();
  return [...seedTermsVersions, ...stored].sort((a, b) => a.version - b.version);
}

async function findVersion(store: TermsStore, version: number): Promise<TermsVersion> {
  const found = (await allVersions(store)).find((v) => v.version === version);
  if (!found) throw new NotFoundError(`Terms version ${version} does not exist.`);
  return found;
}

const audit = (
  deps: Pick<TermsDeps, 'ids'>,
  accountId: string,
  at: string,
  actor: AuditEvent['actor'],
  action: string,
  details: Record<string, unknown>,
): AuditEvent => ({ accountId, at, eventId: deps.ids.id('evt_'), actor, action, details });

/** POST /v1/ops/terms: the back office publishes the next version; it takes effect at a future date. */
export async function publishTerms(
  deps: TermsDeps,
  principal: Principal,
  body: PublishTermsBody,
): Promise<TermsVersion> {
  assertRole(principal, 'backoffice');
  const now = deps.clock.now();
  const effectiveAt = new Date(body.effectiveAt);
  if (effectiveAt.getTime() <= now.getTime())
    throw new ValidationError([{ path: 'effectiveAt', message: 'must be in the future' }]);
  const versions = await allVersions(deps.terms);
  const version: TermsVersion = {
    version: Math.max(...versions.map((v) => v.version)) + 1,
    title: body.title,
    ...(body.url !== undefined ? { url: body.url } : { text: body.text }),
    summary: body.summary,
    effectiveAt: effectiveAt.toISOString(),
    publishedAt: now.toISOString(),
    publishedBy: principal.sub,
  };
  if (!(await deps.terms.putVersion(version)))
    throw new ConflictError(`Terms version ${version.version} was published meanwhile; reload and retry.`);
  return version;
}

/** GET /v1/terms: every published version, which is in force now and which are upcoming. */
export async function listTerms(deps: Pick<TermsDeps, 'terms' | 'clock'>): Promise<{
  versions: TermsVersion[];
  current: number;
  upcoming: number[];
}> {
  const versions = await allVersions(deps.terms);
  const now = deps.clock.now().toISOString();
  const inForce = versions.filter((v) => v.effectiveAt <= now);
  return {
    versions,
    current: inForce.at(-1)?.version ?? 1,
    upcoming: versions.filter((v) => v.effectiveAt > now).map((v) => v.version),
  };
}

/**
 * Which version applied to an account at `at`: the newest in effect then that the account accepted
 * (from the later of its effective date and the acceptance) or consented to silently; an objected
 * version never applies, the one before it does. Pure.
 */
export function appliedVersion(
  versions: readonly TermsVersion[],
  records: readonly ConsentRecord[],
  at: string,
  createdAt?: string,
): TermsVersion | undefined {
  const byVersion = new Map(records.map((r) => [r.version, r]));
  const atCreation = createdAt === undefined ? undefined : inForceAt(versions, createdAt);
  const applies = (v: TermsVersion) => {
    if (v.effectiveAt > at) return false;
    if (v.implicit) return true;
    // An account created once this version was in force is under it from its creation.
    if (v.version === atCreation?.version && createdAt! <= at) return true;
    const record = byVersion.get(v.version);
    return (
      record !== undefined &&
      (record.status === 'accepted' || record.status === 'silent') &&
      record.at !== undefined &&
      record.at <= at
    );
  };
  return [...versions].sort((a, b) => b.version - a.version).find(applies);
}

/** The version in force at `at` by date alone (version 1 before any other took effect). */
export function inForceAt(versions: readonly TermsVersion[], at: string): TermsVersion | undefined {
  return [...versions].sort((a, b) => b.version - a.version).find((v) => v.effectiveAt <= at);
}

export interface AccountTermsStatus {
  readonly version: number;
  readonly title: string;
  readonly effectiveAt: string;
  readonly status: ConsentStatus | 'implicit';
  readonly at?: string;
  readonly reason?: string;
}

/** The account's creation time, once the principal may read it. */
async function readableAccount(deps: TermsDeps, principal: Principal, accountId: string): Promise<string> {
  assertMayAddressAccount(principal, accountId);
  const state = await deps.repo.getAccountState(accountId);
  assertAccountAccess(principal, state?.account, 'read');
  if (!state) throw new NotFoundError(`Account ${accountId} does not exist.`);
  return state.account.createdAt;
}

/** GET /v1/accounts/{accountId}/terms: the account's standing per version, what applies now and the notice to show. */
export async function accountTerms(deps: TermsDeps, principal: Principal, accountId: string) {
  const createdAt = await readableAccount(deps, principal, accountId);
  const [versions, records] = await Promise.all([allVersions(deps.terms), deps.terms.listConsents(accountId)]);
  const byVersion = new Map(records.map((r) => [r.version, r]));
  const now = deps.clock.now().toISOString();
  const atCreation = inForceAt(versions, createdAt)?.version ?? 1;
  const statuses: AccountTermsStatus[] = versions.map((v) => {
    const record = byVersion.get(v.version);
    // versions in force before the account existed bind it without a notice (docs/terms.md)
    const implicit = v.implicit || (!record && v.version <= atCreation);
    return {
      version: v.version,
      title: v.title,
      effectiveAt: v.effectiveAt,
      status: implicit ? 'implicit' : (record?.status ?? 'pending'),
      ...(record?.at && { at: record.at }),
      ...(record?.reason && { reason: record.reason }),
    };
  });
  // The notice: the newest version the account has not accepted (objected ones stay shown, so it
  // can change its mind); none once it accepted or silence took effect.
  const open = [...statuses].reverse().find((s) => s.status === 'pending' || s.status === 'objected');
  const newestBound = [...statuses].reverse().find((s) => s.status !== 'pending' && s.status !== 'objected');
  const noticeVersion =
    open && (!newestBound || open.version > newestBound.version)
      ? versions.find((v) => v.version === open.version)
      : undefined;
  return {
    accountId,
    applies: appliedVersion(versions, records, now, createdAt)?.version ?? null,
    versions: statuses,
    notice: noticeVersion
      ? { ...noticeVersion, status: open!.status, ...(open!.reason && { reason: open!.reason }) }
      : null,
  };
}

/** GET /v1/accounts/{accountId}/terms/history?at=: the version that applied at that instant. */
export async function termsHistory(deps: TermsDeps, principal: Principal, accountId: string, at: string) {
  const createdAt = await readableAccount(deps, principal, accountId);
  const [versions, records] = await Promise.all([allVersions(deps.terms), deps.terms.listConsents(accountId)]);
  const applied = appliedVersion(versions, records, at, createdAt);
  const found = applied && records.find((r) => r.version === applied.version);
  // a record that did not make it apply (none, pending) leaves the basis to the creation date
  const record =
    found && (found.status === 'accepted' || found.status === 'silent') && found.at! <= at ? found : undefined;
  const basis = applied?.implicit ? 'implicit' : record ? record.status : applied ? 'in-force-at-creation' : null;
  return {
    accountId,
    at,
    version: applied?.version ?? null,
    title: applied?.title ?? null,
    basis,
    ...(basis === 'in-force-at-creation' && { since: createdAt }),
    // in force from the later of its effective date and the acceptance
    ...(record?.at && applied && { since: [record.at, applied.effectiveAt].sort().at(-1) }),
  };
}

/**
 * The terms bind the Customer: only the account's own administrators (its `customer` users) accept
 * or object; neither its reseller nor the back office may do it for them.
 */
function assertAccountAdministrator(principal: Principal, accountId: string): void {
  assertRole(principal, 'customer');
  assertMayAddressAccount(principal, accountId);
}

export interface Consenter {
  readonly principal: Principal;
  /** the person's e-mail from their token, kept with the record for the back office */
  readonly email?: string;
}

const personOf = ({ principal, email }: Consenter) => ({ sub: principal.sub, ...(email && { email }) });

/** POST …/terms/{version}/acceptance: idempotent; withdraws an earlier objection. */
export async function acceptTerms(deps: TermsDeps, who: Consenter, accountId: string, version: number) {
  assertAccountAdministrator(who.principal, accountId);
  await readableAccount(deps, who.principal, accountId);
  const terms = await findVersion(deps.terms, version);
  if (terms.implicit) throw new ConflictError(`Terms version ${version} binds every account already.`);
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await deps.terms.getConsent(accountId, version);
    if (existing?.status === 'accepted' || existing?.status === 'silent') return existing;
    const now = deps.clock.now().toISOString();
    const record: ConsentRecord = {
      accountId,
      version,
      status: 'accepted',
      at: now,
      by: personOf(who),
      ...(existing?.status === 'objected' &&
        existing.at &&
        existing.by &&
        existing.reason && { previousObjection: { at: existing.at, by: existing.by, reason: existing.reason } }),
    };
    const event = audit(deps, accountId, now, { kind: 'customer', id: who.principal.sub }, 'terms.accepted', {
      version,
      ...(existing?.status === 'objected' && { withdrawsObjectionOf: existing.at }),
    });
    // Answered as stored (with its notice), so a repeated acceptance answers the same.
    if (await deps.terms.transition(record, ['none', 'pending', 'objected'], event))
      return (await deps.terms.getConsent(accountId, version)) ?? record;
  }
  throw new ConflictError('The consent changed meanwhile; reload and retry.');
}

/**
 * POST …/terms/{version}/objection: recorded and shown to the back office. Accepted terms bind,
 * and so does silence once the effective date has passed: objecting then is refused (409).
 */
export async function objectToTerms(
  deps: TermsDeps,
  who: Consenter,
  accountId: string,
  version: number,
  reason: string,
) {
  assertAccountAdministrator(who.principal, accountId);
  await readableAccount(deps, who.principal, accountId);
  const terms = await findVersion(deps.terms, version);
  if (terms.implicit) throw new ConflictError(`Terms version ${version} binds every account already.`);
  const existing = await deps.terms.getConsent(accountId, version);
  if (existing?.status === 'objected') return existing;
  if (existing?.status === 'accepted' || existing?.status === 'silent')
    throw new ConflictError(`The account consented to version ${version} on ${existing.at}; accepted terms bind.`);
  const now = deps.clock.now().toISOString();
  if (now >= terms.effectiveAt)
    throw new ConflictError(
      `Version ${version} took effect on ${terms.effectiveAt} with the account's silent consent.`,
    );
  const record: ConsentRecord = { accountId, version, status: 'objected', at: now, by: personOf(who), reason };
  const event = audit(deps, accountId, now, { kind: 'customer', id: who.principal.sub }, 'terms.objected', {
    version,
    reason,
  });
  if (await deps.terms.transition(record, ['none', 'pending'], event))
    return (await deps.terms.getConsent(accountId, version)) ?? record;
  throw new ConflictError('The consent changed meanwhile; reload and retry.');
}

/**
 * Sign-up: the person creating the account accepted the terms in force (`version`, checked before
 * the account was made) and every published upcoming version shown with them. Recorded as any
 * acceptance (`terms.accepted`); a retry finds them recorded. Version 1 binds implicitly.
 */
export async function acceptAtSignUp(
  deps: Pick<TermsDeps, 'terms' | 'clock' | 'ids'>,
  person: { readonly sub: string; readonly email?: string },
  accountId: string,
  version: number,
): Promise<number[]> {
  const { versions, upcoming } = await listTerms(deps);
  const accepted: number[] = [];
  for (const terms of versions.filter((v) => v.version === version || upcoming.includes(v.version))) {
    if (terms.implicit) continue;
    const now = deps.clock.now().toISOString();
    const record: ConsentRecord = {
      accountId,
      version: terms.version,
      status: 'accepted',
      at: now,
      by: { sub: person.sub, ...(person.email && { email: person.email }) },
    };
    const event = audit(deps, accountId, now, { kind: 'customer', id: person.sub }, 'terms.accepted', {
      version: terms.version,
      atSignUp: true,
    });
    await deps.terms.transition(record, ['none', 'pending'], event);
    accepted.push(terms.version);
  }
  return accepted;
}

/** The version a sign-up must accept: the one in force now (docs/terms.md). */
export async function assertAcceptsTermsInForce(
  deps: Pick<TermsDeps, 'terms' | 'clock'>,
  version: number,
): Promise<void> {
  const { current } = await listTerms(deps);
  if (version !== current)
    throw new ValidationError([
      { path: 'acceptTerms', message: `must be ${current}, the version of the terms in force; reload the page` },
    ]);
}

/** GET /v1/ops/terms/{version}/consents: every account the notice reached, with its standing. */
export async function versionConsents(
  deps: TermsDeps,
  principal: Principal,
  version: number,
  page: { cursor?: string; limit: number; status?: ConsentStatus },
) {
  assertRole(principal, 'backoffice', 'support');
  const terms = await findVersion(deps.terms, version);
  const [{ records, cursor }, progress] = await Promise.all([
    deps.terms.listVersionConsents(version, page),
    deps.terms.getProgress(version),
  ]);
  return { version: terms, noticesComplete: progress.done, consents: records, nextCursor: cursor ?? null };
}

/** Accounts handled per run and pass: the job is bounded and picks up where it stopped. */
export const TERMS_JOB_ACCOUNTS_PER_RUN = 500;

/**
 * The scheduled job, for each version not yet in force everywhere: (1) walks the accounts homed
 * here, writes each a `pending` record and mails its administrators once; (2) once the effective
 * date has passed and every account was reached, records silent consent for those still pending.
 * Idempotent, and at most `budget` accounts per pass and run.
 */
export async function runTermsJob(deps: TermsJobDeps, budget = TERMS_JOB_ACCOUNTS_PER_RUN) {
  const versions = (await allVersions(deps.terms)).filter((v) => !v.implicit);
  const result = { noticed: 0, mailed: 0, silent: 0 };
  for (const terms of versions) {
    let progress = await deps.terms.getProgress(terms.version);
    let left = budget;
    while (!progress.done && left > 0) {
      const page = await deps.terms.listAccounts(progress.cursor, Math.min(left, 100));
      for (const account of page.accounts) if (await reach(deps, terms, account, result)) result.noticed++;
      left -= Math.max(page.accounts.length, 1);
      progress = page.cursor ? { cursor: page.cursor, done: false } : { done: true };
      await deps.terms.saveProgress(terms.version, progress);
    }
    if (!progress.done) continue;
    // Accounts created since publication (the scan may have passed them): until the effective date.
    const now = deps.clock.now().toISOString();
    const to = [now, terms.effectiveAt].sort()[0]!;
    // Long in force, the pass is over: versions in force before it existed notice no one late.
    const settled = Date.parse(terms.effectiveAt) + LATE_PASS_DAYS * 86_400_000 < deps.clock.now().getTime();
    let lateDone = settled;
    while (!lateDone && left > 0) {
      const page = await deps.terms.listAccountsCreated(terms.publishedAt, to, progress.late, Math.min(left, 100));
      for (const account of page.accounts) if (await reach(deps, terms, account, result)) result.noticed++;
      left -= Math.max(page.accounts.length, 1);
      if (page.last) {
        progress = { ...progress, late: page.last };
        await deps.terms.saveProgress(terms.version, progress);
      }
      if (!page.more) {
        lateDone = true;
        break;
      }
    }
    if (!lateDone) continue;
    if (terms.effectiveAt <= now) result.silent += await recordSilence(deps, terms, budget);
    else result.mailed += await retryNotices(deps, terms, budget);
  }
  return result;
}

/** How long after the effective date the job still looks for accounts created before it. */
const LATE_PASS_DAYS = 7;

/**
 * One account for one version: a `pending` record and the notice, unless it is closed, homed
 * elsewhere or answered already (sign-up records the acceptance). True when a record was written.
 */
async function reach(
  deps: TermsJobDeps,
  terms: TermsVersion,
  account: AccountRef,
  result: { mailed: number },
): Promise<boolean> {
  if (account.region !== deps.here || account.closed) return false;
  const existing = await deps.terms.getConsent(account.accountId, terms.version);
  if (existing && existing.status !== 'pending') return false;
  if (!existing) {
    // the late pass reads a creation index that does not say whether the account closed since
    if (account.closed === undefined && !(await isOpen(deps, account.accountId))) return false;
    await deps.terms.ensurePending(account.accountId, terms.version);
  }
  if (await notify(deps, terms, account.accountId)) result.mailed++;
  return !existing;
}

async function isOpen(deps: Pick<TermsDeps, 'repo'>, accountId: string): Promise<boolean> {
  const state = await deps.repo.getAccountState(accountId);
  return state !== null && state.account.closure === undefined;
}

/** Notices that failed (released for a retry) are sent again, as long as the version is not in force. */
async function retryNotices(deps: TermsJobDeps, terms: TermsVersion, budget: number): Promise<number> {
  let mailed = 0;
  let read = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.terms.listVersionConsents(terms.version, {
      limit: 100,
      status: 'pending',
      ...(cursor && { cursor }),
    });
    for (const record of page.records.filter((r) => r.noticeSentAt === undefined))
      if ((await isOpen(deps, record.accountId)) && (await notify(deps, terms, record.accountId))) mailed++;
    read += 100;
    cursor = page.cursor;
  } while (cursor && read < budget);
  return mailed;
}

async function notify(deps: TermsJobDeps, terms: TermsVersion, accountId: string): Promise<boolean> {
  const now = deps.clock.now().toISOString();
  if (!(await deps.terms.claimNotice(accountId, terms.version, now))) return false;
  try {
    const admins = (await deps.directory.list(accountId)).map((u) => u.email);
    for (const to of admins) await deps.mailer.send(noticeMessage(terms, to, deps.portalUrl, accountId));
    const event = audit(deps, accountId, now, { kind: 'backoffice', id: terms.publishedBy }, 'terms.published', {
      version: terms.version,
      effectiveAt: terms.effectiveAt,
      noticeRecipients: admins.length,
    });
    await deps.terms.finishNotice(accountId, terms.version, { at: now, recipients: admins.length, audit: event });
    return true;
  } catch (error) {
    // Released so the next run mails again: a notice may then reach someone twice, never no one.
    deps.log.warn('terms notice failed; retried next run', { accountId, version: terms.version, error: String(error) });
    await deps.terms.finishNotice(accountId, terms.version, null);
    return false;
  }
}

/** The notice e-mail: what changes, from when, and where to accept or object. */
export function noticeMessage(terms: TermsVersion, to: string, portalUrl: string | undefined, accountId: string) {
  const where = portalUrl ? `${portalUrl.replace(/\/$/, '')}/#/accounts/${accountId}` : 'the UCX Cloud portal';
  const text = [
    `The UCX Cloud terms change: "${terms.title}" (version ${terms.version}) takes effect on ${terms.effectiveAt}.`,
    '',
    'What changes:',
    terms.summary,
    '',
    terms.url ? `Read the new terms at ${terms.url}` : 'The new terms are shown in the portal.',
    `Accept them or object in ${where}.`,
    'Without an objection before that date, the changes are considered accepted (silent consent).',
  ].join('\n');
  return { to, subject: `UCX Cloud terms change on ${terms.effectiveAt.slice(0, 10)}`, text };
}

async function recordSilence(deps: TermsJobDeps, terms: TermsVersion, budget: number): Promise<number> {
  let recorded = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.terms.listVersionConsents(terms.version, {
      limit: Math.min(100, budget - recorded),
      status: 'pending',
      ...(cursor && { cursor }),
    });
    for (const pending of page.records) {
      // a closed account is not silently bound (docs/retention.md): it stays pending
      if (!(await isOpen(deps, pending.accountId))) continue;
      const record: ConsentRecord = {
        accountId: pending.accountId,
        version: terms.version,
        status: 'silent',
        at: terms.effectiveAt,
        by: 'silent-consent',
      };
      const now = deps.clock.now().toISOString();
      const event = audit(
        deps,
        pending.accountId,
        now,
        { kind: 'system', id: 'silent-consent' },
        'terms.silent-consent',
        { version: terms.version, effectiveAt: terms.effectiveAt, noticeSentAt: pending.noticeSentAt ?? null },
      );
      if (await deps.terms.transition(record, ['pending'], event)) recorded++;
    }
    cursor = page.cursor;
  } while (cursor && recorded < budget);
  return recorded;
}

const consentColumns = ['accountId', 'version', 'status', 'at', 'by', 'email', 'reason', 'noticeSentAt'] as const;

/** The consents as CSV (RFC 4180, CRLF), objections with their reason; a formula-looking field is neutralised. */
export function consentsCsv(records: readonly ConsentRecord[]): string {
  const rows = records.map((r) =>
    [
      r.accountId,
      String(r.version),
      r.status,
      r.at ?? '',
      r.by === undefined ? '' : r.by === 'silent-consent' ? 'silent-consent' : r.by.sub,
      r.by !== undefined && r.by !== 'silent-consent' ? (r.by.email ?? '') : '',
      r.reason ?? '',
      r.noticeSentAt ?? '',
    ]
      .map(csvField)
      .join(','),
  );
  return `${[consentColumns.join(','), ...rows].join('\r\n')}\r\n`;
}

/**
 * Everything the cloud holds about a Smart Account, as one JSON document its administrator, its
 * reseller or the back office downloads (docs/retention.md "Export"). Secrets never leave: no
 * activation key (only what each was issued for), no Presence token, no installation key beyond its
 * public half. The audit trail is read page by page; the whole document is answered at once.
 */
import { NotFoundError } from '../errors';
import { assertAccountAccess, assertMayAddressAccount, assertRole, type Principal } from '../licensing/access';
import type { AuditLogReader } from '../licensing/list-audit-events';
import type { AuditEvent } from '../licensing/model';
import type { Clock, IdGenerator } from '../ports';
import { CALLS_AT_ONCE, mapLimited } from '../settle-limited';
import type { PresenceStore } from '../presence/store';
import type { SupportReadStore } from '../support/ports';
import type { LicensingRepository } from '../licensing/repository';
import { closureView } from './closure';
import type { UserDirectory } from './users';

/** The terms consents (the terms store's own port, structurally: the export reads it only). */
export interface ConsentReader {
  listConsents(accountId: string): Promise<readonly unknown[]>;
}

export interface ExportDeps {
  readonly repo: Pick<LicensingRepository, 'getAccountState' | 'getLastPolls'>;
  readonly auditLog: AuditLogReader;
  readonly support: Pick<
    SupportReadStore,
    'installationsOfAccount' | 'findingsOfAccount' | 'snapshot' | 'acknowledgements'
  >;
  readonly presence: Pick<PresenceStore, 'getAccount'>;
  readonly users: Pick<UserDirectory, 'list'>;
  readonly consents?: ConsentReader;
  readonly auditWriter: { append(event: AuditEvent): Promise<void> };
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

/** A page of the audit trail as the export reads it (1000: DynamoDB answers up to 1 MB a query). */
export const EXPORT_AUDIT_PAGE = 1000;

export const EXPORT_FORMAT = 'ucx-account-export/1';

export async function exportAccount(deps: ExportDeps, principal: Principal, accountId: string) {
  assertRole(principal, 'customer', 'reseller', 'backoffice');
  assertMayAddressAccount(principal, accountId);
  const state = await deps.repo.getAccountState(accountId);
  assertAccountAccess(principal, state?.account, 'manage');
  if (!state) throw new NotFoundError(`Account ${accountId} does not exist.`);
  const { account } = state;
  const installationIds = state.installations.map((i) => i.installationId);

  const [audit, health, findings, presence, users, consents, lastPolls] = await Promise.all([
    allAuditEvents(deps.auditLog, accountId),
    deps.support.installationsOfAccount(accountId),
    deps.support.findingsOfAccount(accountId),
    deps.presence.getAccount(accountId),
    deps.users.list(accountId),
    deps.consents?.listConsents(accountId),
    deps.repo.getLastPolls(installationIds),
  ]);
  // an account of any size: its installations' reads a few at a time
  const snapshots = await mapLimited(installationIds, CALLS_AT_ONCE, async (installationId) => ({
    installationId,
    // the summary: which beat types the support table holds, and from when; not their data
    latest: (await deps.support.snapshot(installationId)).map((s) => ({
      type: s.type,
      beatId: s.beatId,
      collectedAt: s.collectedAt,
    })),
  }));
  const acknowledgements = (
    await mapLimited(installationIds, CALLS_AT_ONCE, (id) => deps.support.acknowledgements(id))
  ).flat();
  const exportedAt = deps.clock.now().toISOString();
  // Who took a copy of the account's data is itself on the record (after the reads: a failed export is none).
  await deps.auditWriter.append({
    accountId,
    at: exportedAt,
    eventId: deps.ids.id('evt_'),
    actor: { kind: principal.role, id: principal.sub },
    action: 'account.exported',
    details: { auditEvents: audit.length, installations: installationIds.length, findings: findings.length },
  });

  return {
    format: EXPORT_FORMAT,
    exportedAt,
    account: {
      accountId: account.accountId,
      name: account.name,
      region: account.region,
      ...(account.resellerId && { resellerId: account.resellerId }),
      createdAt: account.createdAt,
      closure: closureView(account),
    },
    telemetry: { enabled: account.telemetryEnabled },
    entitlements: state.entitlements,
    productPools: state.pools,
    installations: state.installations.map((i) => {
      const support = health.find((h) => h.installationId === i.installationId);
      const lastPollAt = lastPolls.get(i.installationId);
      return {
        ...i,
        ...(lastPollAt && { lastPollAt }),
        ...(support?.lastBeatAt && { lastBeatAt: support.lastBeatAt }),
      };
    }),
    // the keys themselves are secrets never stored: what each was issued for, from its audit event
    activationKeys: audit
      .filter((e) => e.action === 'activation-key.created')
      .map((e) => ({ createdAt: e.at, createdBy: e.actor, ...e.details })),
    support: { findings, acknowledgements, snapshots },
    presence: presence
      ? {
          enabled: presence.enabled,
          ...(presence.tenant && {
            tenant: {
              tenantId: presence.tenant.tenantId,
              connectedBy: presence.tenant.connectedBy,
              connectedAt: presence.tenant.connectedAt,
            },
          }),
        }
      : { enabled: false },
    users,
    // absent only where the function has no terms store wired
    ...(consents && { termsConsents: consents }),
    audit,
  };
}

export type AccountExport = Awaited<ReturnType<typeof exportAccount>>;

/** Every event of the account, oldest first, read a page at a time. */
async function allAuditEvents(reader: AuditLogReader, accountId: string): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await reader.auditEvents(accountId, { limit: EXPORT_AUDIT_PAGE, ...(after ? { after } : {}) });
    events.push(...page.events);
    const last = page.events.at(-1);
    const resume = page.resumeAfter ?? (last && `${last.at}#${last.eventId}`);
    if (!page.more || !resume) break;
    after = resume;
  }
  return events.reverse();
}

import { EXPORT_AUDIT_PAGE, exportAccount, type ExportDeps } from '#lambdas/core/accounts/export';
import { ForbiddenError } from '#lambdas/core/errors';
import type { AuditLogReader, AuditRange } from '#lambdas/core/licensing/list-audit-events';
import type { AuditEvent } from '#lambdas/core/licensing/model';
import type { FindingRecord } from '#lambdas/core/rules/engine';
import { MemoryPresenceStore } from '#test/support/memory-presence-store';
import {
  activateNew,
  licensingWorld,
  newAccountOrder,
  perpetualLine,
  principals,
  RESELLER_ID,
  seedAccount,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';

/** The audit trail as the DynamoDB reader pages it: newest first, `limit` at a time after `after`. */
class PagedAudit implements AuditLogReader {
  readonly pages: AuditRange[] = [];
  constructor(private readonly events: () => AuditEvent[]) {}
  async auditEvents(_accountId: string, range: AuditRange) {
    this.pages.push(range);
    const newestFirst = [...this.events()].sort((a, b) => (a.at + a.eventId < b.at + b.eventId ? 1 : -1));
    const from = range.after ? newestFirst.findIndex((e) => `${e.at}#${e.eventId}` === range.after) + 1 : 0;
    const events = newestFirst.slice(from, from + range.limit);
    return { events, more: from + range.limit < newestFirst.length };
  }
}

let world: LicensingWorld;
let accountId: string;
let audit: PagedAudit;
let written: AuditEvent[];
let deps: ExportDeps;
let installationId: string;

beforeEach(async () => {
  world = await licensingWorld();
  accountId = await seedAccount(world, newAccountOrder([perpetualLine('ivr', 10)], { resellerId: RESELLER_ID }));
  ({ installationId } = await activateNew(world, accountId, { allocation: { ivr: 2 } }));
  const presence = new MemoryPresenceStore(world.clock);
  await presence.setEnabled(accountId, true);
  await presence.putTenant(accountId, {
    tenantId: 'tenant-1',
    connectedBy: 'admin@contoso.example',
    connectedAt: '2026-03-02T09:00:00.000Z',
    sealedRefreshToken: 'SEALED-SECRET',
  });
  audit = new PagedAudit(() => world.repo.auditOf(accountId));
  written = [];
  const finding = { findingId: 'f1', installationId, accountId, status: 'open' } as FindingRecord;
  deps = {
    repo: world.repo,
    auditLog: audit,
    support: {
      installationsOfAccount: async () => [
        { installationId, accountId, lastBeatAt: '2026-03-02T08:00:00.000Z', openFindings: [] },
      ],
      findingsOfAccount: async () => [finding],
      snapshot: async () => [
        {
          installationId,
          accountId,
          type: 'software.os',
          beatId: 'b1',
          collectedAt: '2026-03-02T08:00:00.000Z',
          data: { edition: 'x' },
        },
      ],
      acknowledgements: async () => [],
    },
    presence,
    users: { list: async () => [{ userId: 'u-1', email: 'a@fabrikam.example', status: 'active' }] },
    consents: { listConsents: async () => [{ version: 1, status: 'accepted' }] },
    auditWriter: { append: async (event) => void written.push(event) },
    clock: world.clock,
    ids: world.ids,
  };
});

describe('exportAccount', () => {
  it('holds every section, never a secret, and audits who took it', async () => {
    const exported = await exportAccount(deps, principals.customer(accountId), accountId);

    expect(exported).toMatchObject({
      format: 'ucx-account-export/1',
      account: { accountId, name: 'Fabrikam Hospital', region: 'eu', closure: { status: 'open' } },
      telemetry: { enabled: true },
      entitlements: [expect.objectContaining({ product: 'ivr', quantity: 10 })],
      productPools: [expect.objectContaining({ product: 'ivr', allocated: 2 })],
      installations: [expect.objectContaining({ installationId, status: 'active', lastBeatAt: expect.any(String) })],
      activationKeys: [expect.objectContaining({ allocation: { ivr: 2 } })],
      support: {
        findings: [expect.objectContaining({ findingId: 'f1' })],
        snapshots: [
          { installationId, latest: [{ type: 'software.os', beatId: 'b1', collectedAt: expect.any(String) }] },
        ],
      },
      presence: { enabled: true, tenant: { tenantId: 'tenant-1' } },
      users: [expect.objectContaining({ email: 'a@fabrikam.example' })],
      termsConsents: [{ version: 1, status: 'accepted' }],
    });
    expect(exported.audit.map((e) => e.action)).toEqual([
      'order.deposited',
      'activation-key.created',
      'installation.activated',
    ]);
    const text = JSON.stringify(exported);
    expect(text).not.toContain('SEALED-SECRET');
    expect(text).not.toContain('KEY-');
    expect(text).not.toContain('"edition"');
    expect(written).toEqual([
      expect.objectContaining({
        accountId,
        action: 'account.exported',
        actor: { kind: 'customer', id: `sub-${accountId}` },
      }),
    ]);
  });

  it('reads the whole audit trail a page at a time', async () => {
    for (let n = 0; n < EXPORT_AUDIT_PAGE + 5; n++)
      world.repo.appendAudit({
        accountId,
        at: new Date(Date.UTC(2026, 2, 3, 0, 0, n)).toISOString(),
        eventId: `evt_bulk${String(n).padStart(5, '0')}`,
        actor: { kind: 'system', id: 'test' },
        action: 'test.bulk',
        details: {},
      });

    const exported = await exportAccount(deps, principals.backoffice, accountId);

    expect(exported.audit).toHaveLength(EXPORT_AUDIT_PAGE + 5 + 3);
    expect(audit.pages).toHaveLength(2);
    expect(exported.audit.at(-1)?.eventId).toBe(`evt_bulk${String(EXPORT_AUDIT_PAGE + 4).padStart(5, '0')}`);
  });

  it('is the account’s administrators’, its reseller’s and the back office’s, not support’s or another customer’s', async () => {
    await expect(exportAccount(deps, principals.reseller(), accountId)).resolves.toBeDefined();
    await expect(exportAccount(deps, principals.support, accountId)).rejects.toThrow(ForbiddenError);
    await expect(exportAccount(deps, principals.customer('acc_99999999'), accountId)).rejects.toThrow(ForbiddenError);
    await expect(exportAccount(deps, principals.reseller('contoso-voice'), accountId)).rejects.toThrow(ForbiddenError);
  });
});

import { ForbiddenError, NotFoundError, ValidationError } from '#lambdas/core/errors';
import {
  auditCsv,
  auditQuerySchema,
  listAuditEvents,
  wantsCsv,
  type AuditLogDeps,
} from '#lambdas/core/licensing/list-audit-events';
import type { AuditEvent } from '#lambdas/core/licensing/model';
import {
  licensingWorld,
  newAccountOrder,
  OTHER_RESELLER_ID,
  perpetualLine,
  principals,
  RESELLER_ID,
  seedAccount,
  type LicensingWorld,
} from '#test/support/licensing-fixtures';
import { MemoryAuditLog } from '#test/support/memory-audit-log';

let world: LicensingWorld;
let accountId: string;
let extra: AuditEvent[];
let deps: AuditLogDeps;

const event = (at: string, action: string, details: Record<string, unknown> = {}): AuditEvent => ({
  accountId,
  at,
  eventId: `evt-${at}`,
  actor: { kind: 'customer', id: 'sub-1' },
  action,
  details,
});

beforeEach(async () => {
  world = await licensingWorld();
  accountId = await seedAccount(world, newAccountOrder([perpetualLine('ivr', 10)], { resellerId: RESELLER_ID }));
  extra = [];
  deps = { repo: world.repo, auditLog: new MemoryAuditLog(() => [...world.repo.auditOf(accountId), ...extra]) };
});

describe('listAuditEvents', () => {
  it('lists what the licensing changes wrote, newest first', async () => {
    extra.push(event('2030-01-01T00:00:00.000Z', 'telemetry.switched', { enabled: false }));

    const page = await listAuditEvents(deps, principals.customer(accountId), accountId, {});

    expect(page.events.map((e) => e.action)).toEqual(['telemetry.switched', 'order.deposited']);
    expect(page.nextCursor).toBeNull();
  });

  it('filters by action and by a date range whose `to` day is included whole', async () => {
    extra.push(
      event('2030-01-01T10:00:00.000Z', 'key.created'),
      event('2030-01-02T23:59:00.000Z', 'key.created'),
      event('2030-01-03T00:00:00.000Z', 'key.created'),
      event('2030-01-02T12:00:00.000Z', 'telemetry.switched'),
    );

    const page = await listAuditEvents(deps, principals.support, accountId, {
      from: '2030-01-01T12:00:00Z',
      to: '2030-01-02',
      action: 'key.created',
    });

    expect(page.events.map((e) => e.at)).toEqual(['2030-01-02T23:59:00.000Z']);
  });

  it('pages with an opaque cursor until the trail ends', async () => {
    for (let day = 1; day <= 5; day++) extra.push(event(`2030-01-0${day}T00:00:00.000Z`, 'key.created'));
    const seen: string[] = [];

    let cursor: string | undefined;
    do {
      const page = await listAuditEvents(deps, principals.backoffice, accountId, {
        action: 'key.created',
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.events.map((e) => e.at.slice(0, 10)));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);

    expect(seen).toEqual(['2030-01-05', '2030-01-04', '2030-01-03', '2030-01-02', '2030-01-01']);
  });

  it('refuses a cursor it did not issue and a range running backwards', async () => {
    await expect(
      listAuditEvents(deps, principals.backoffice, accountId, { cursor: 'bm90LWEtY3Vyc29y' }),
    ).rejects.toThrow(ValidationError);
    await expect(
      listAuditEvents(deps, principals.backoffice, accountId, { from: '2030-01-02', to: '2030-01-01' }),
    ).rejects.toThrow(ValidationError);
  });

  it('lets the account’s reseller read, not another reseller nor another customer', async () => {
    await expect(listAuditEvents(deps, principals.reseller(), accountId, {})).resolves.toBeDefined();
    await expect(listAuditEvents(deps, principals.reseller(OTHER_RESELLER_ID), accountId, {})).rejects.toThrow(
      ForbiddenError,
    );
    await expect(listAuditEvents(deps, principals.customer('acc-someone-else'), accountId, {})).rejects.toThrow(
      ForbiddenError,
    );
  });

  it('answers 404 for an unknown account', async () => {
    await expect(listAuditEvents(deps, principals.backoffice, 'acc-missing', {})).rejects.toThrow(NotFoundError);
  });
});

describe('listAuditEvents: a read stopped at its bound', () => {
  it('answers the short page with a cursor that continues where the read stopped, not after its last event', async () => {
    const resumeAfter = '2026-01-01T00:00:00.000Z#evt-last-read';
    const reads: (string | undefined)[] = [];
    const bounded: AuditLogDeps = {
      repo: world.repo,
      auditLog: {
        auditEvents: async (_account, range) => {
          reads.push(range.after);
          return range.after ? { events: [], more: false } : { events: [], more: true, resumeAfter };
        },
      },
    };

    const first = await listAuditEvents(bounded, principals.customer(accountId), accountId, { action: 'rare.action' });
    const second = await listAuditEvents(bounded, principals.customer(accountId), accountId, {
      action: 'rare.action',
      cursor: first.nextCursor!,
    });

    expect(first).toEqual({ events: [], nextCursor: expect.any(String) });
    expect(reads).toEqual([undefined, resumeAfter]);
    expect(second.nextCursor).toBeNull();
  });
});

describe('auditQuerySchema', () => {
  it('coerces the limit and refuses unknown parameters', () => {
    expect(auditQuerySchema.parse({ limit: '10' })).toEqual({ limit: 10 });
    expect(auditQuerySchema.safeParse({ limt: '10' }).success).toBe(false);
    expect(auditQuerySchema.safeParse({ from: 'yesterday' }).success).toBe(false);
  });
});

describe('auditCsv', () => {
  it('writes a header row and quotes commas, quotes, line breaks and formula starts', () => {
    const csv = auditCsv([
      {
        accountId: 'acc-1',
        at: '2030-01-01T00:00:00.000Z',
        eventId: 'evt-1',
        actor: { kind: 'customer', id: '=HYPERLINK("x")' },
        action: 'key.created',
        details: { note: 'a, "b"\nc' },
        by: '@ann, "admin"',
      },
      {
        accountId: 'acc-1',
        at: '2030-01-02T00:00:00.000Z',
        eventId: 'evt-2',
        actor: { kind: 'system', id: 'sweep' },
        action: 'installation.released',
        details: {},
      },
    ]);

    expect(csv.split('\r\n')).toEqual([
      'at,action,actorKind,actorId,eventId,details,by',
      `2030-01-01T00:00:00.000Z,key.created,customer,"'=HYPERLINK(""x"")",evt-1,"{""note"":""a, \\""b\\""\\nc""}","'@ann, ""admin"""`,
      '2030-01-02T00:00:00.000Z,installation.released,system,sweep,evt-2,{},',
      '',
    ]);
  });
});

describe('wantsCsv', () => {
  it('follows ?format first, then an Accept header that prefers CSV', () => {
    expect(wantsCsv({ format: 'csv' }, 'application/json')).toBe(true);
    expect(wantsCsv({ format: 'json' }, 'text/csv')).toBe(false);
    expect(wantsCsv({}, 'text/csv')).toBe(true);
    expect(wantsCsv({}, 'application/json, text/csv')).toBe(false);
    expect(wantsCsv({}, undefined)).toBe(false);
  });
});

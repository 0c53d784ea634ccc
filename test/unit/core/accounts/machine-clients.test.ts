/** Machine clients: created with their scopes and a record, listed without secrets, revoked once, judged per route. */
import { ForbiddenError } from '#lambdas/core/errors';
import {
  createMachineClient,
  listMachineClients,
  machineMayCall,
  revokeMachineClient,
  type MachineClientIssuer,
  type MachineClientRecord,
  type MachineClientStore,
  type MachineScope,
} from '#lambdas/core/accounts/machine-clients';
import type { AuditEvent } from '#lambdas/core/licensing/model';
import { FixedClock, principals, SequentialIds } from '#test/support/licensing-fixtures';

class MemoryIssuer implements MachineClientIssuer {
  readonly live = new Map<string, readonly MachineScope[]>();
  private n = 0;
  async create(_name: string, scopes: readonly MachineScope[]) {
    const clientId = `client${++this.n}`;
    this.live.set(clientId, scopes);
    return { clientId, clientSecret: `secret-${clientId}` };
  }
  async revoke(clientId: string) {
    this.live.delete(clientId);
  }
}

class MemoryStore implements MachineClientStore {
  readonly records = new Map<string, MachineClientRecord>();
  readonly audit: AuditEvent[] = [];
  failPut = false;
  async get(id: string) {
    return this.records.get(id);
  }
  async list() {
    return [...this.records.values()];
  }
  async put(record: MachineClientRecord, audit: AuditEvent) {
    if (this.failPut) throw new Error('table unavailable');
    this.records.set(record.clientId, record);
    this.audit.push(audit);
  }
  async revoke(id: string, at: string, audit: AuditEvent) {
    const record = this.records.get(id);
    if (!record || record.revokedAt) return false;
    this.records.set(id, { ...record, revokedAt: at });
    this.audit.push(audit);
    return true;
  }
}

let issuer: MemoryIssuer;
let clients: MemoryStore;
const clock = new FixedClock();
const deps = () => ({
  issuer,
  clients,
  clock,
  ids: new SequentialIds(),
  tokenUrl: 'https://auth.example/oauth2/token',
});

beforeEach(() => {
  issuer = new MemoryIssuer();
  clients = new MemoryStore();
});

describe('machine clients', () => {
  it('are created by the back office with a record and an audit event; the secret is answered once', async () => {
    const created = await createMachineClient(deps(), principals.backoffice, {
      name: 'ERP',
      scopes: ['accounts:read', 'orders:write'],
    });

    expect(created).toMatchObject({
      clientId: 'client1',
      clientSecret: 'secret-client1',
      scopes: ['orders:write', 'accounts:read'],
      tokenUrl: 'https://auth.example/oauth2/token',
    });
    expect(clients.records.get('client1')).toEqual({
      clientId: 'client1',
      name: 'ERP',
      scopes: ['orders:write', 'accounts:read'],
      createdBy: principals.backoffice.sub,
      createdAt: clock.now().toISOString(),
    });
    expect(clients.audit).toEqual([
      expect.objectContaining({
        action: 'client.created',
        actor: { kind: 'backoffice', id: principals.backoffice.sub },
        details: { clientId: 'client1', name: 'ERP', scopes: ['orders:write', 'accounts:read'] },
      }),
    ]);
    expect(JSON.stringify(await listMachineClients(deps(), principals.backoffice))).not.toContain('secret');
  });

  it('are refused to anyone but the back office', async () => {
    for (const principal of [principals.support, principals.customer('acc_1'), principals.reseller()]) {
      await expect(createMachineClient(deps(), principal, { name: 'x', scopes: ['orders:write'] })).rejects.toThrow(
        ForbiddenError,
      );
      await expect(revokeMachineClient(deps(), principal, 'client1')).rejects.toThrow(ForbiddenError);
      await expect(listMachineClients(deps(), principal)).rejects.toThrow(ForbiddenError);
    }
    expect(issuer.live.size).toBe(0);
  });

  it('leave no identity-provider client behind when the record cannot be written', async () => {
    clients.failPut = true;
    await expect(
      createMachineClient(deps(), principals.backoffice, { name: 'ERP', scopes: ['orders:write'] }),
    ).rejects.toThrow('table unavailable');
    expect(issuer.live.size).toBe(0);
  });

  it('are revoked once: the client is deleted, the record marked, a second revocation changes nothing', async () => {
    await createMachineClient(deps(), principals.backoffice, { name: 'ERP', scopes: ['orders:write'] });

    await revokeMachineClient(deps(), principals.backoffice, 'client1');
    await revokeMachineClient(deps(), principals.backoffice, 'client1');
    await revokeMachineClient(deps(), principals.backoffice, 'unknown');

    expect(issuer.live.has('client1')).toBe(false);
    expect(clients.records.get('client1')?.revokedAt).toBe(clock.now().toISOString());
    expect(clients.audit.map((e) => e.action)).toEqual(['client.created', 'client.revoked']);
  });

  it('may call a route only with its scope in both the record and the token, while not revoked', () => {
    const record: MachineClientRecord = {
      clientId: 'c',
      name: 'ERP',
      scopes: ['orders:write'],
      createdBy: 's',
      createdAt: 't',
    };
    expect(machineMayCall(record, ['ucx/orders:write'], 'orders:write')).toBe(true);
    expect(machineMayCall(record, ['ucx/orders:write'], 'accounts:read')).toBe(false);
    expect(machineMayCall(record, ['ucx/accounts:read'], 'orders:write')).toBe(false);
    expect(machineMayCall(record, ['orders:write'], 'orders:write')).toBe(false);
    expect(machineMayCall(record, ['ucx/orders:write'], undefined)).toBe(false);
    expect(machineMayCall({ ...record, revokedAt: 't2' }, ['ucx/orders:write'], 'orders:write')).toBe(false);
    expect(machineMayCall(undefined, ['ucx/orders:write'], 'orders:write')).toBe(false);
  });
});

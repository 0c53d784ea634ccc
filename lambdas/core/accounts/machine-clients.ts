/**
 * Machine-to-machine clients: the vendor's ERP calls the back-office API with a client-credentials
 * token of its own, never a person's password (docs/back-office.md). The back office creates them
 * (the secret is shown once) and revokes them; the authorizer admits a machine only on the routes
 * its scopes name, and only while its record is not revoked.
 */
import * as z from 'zod/mini';
import { withMeta } from '../schema-meta';
import type { Clock } from '../ports';
import { assertRole, type Principal } from '../licensing/access';
import type { AuditEvent } from '../licensing/model';
import type { IdGenerator } from '../ports';

export const machineScopes = ['orders:write', 'accounts:read'] as const;
export type MachineScope = (typeof machineScopes)[number];
/** The resource server's identifier: a token's scope reads `ucx/orders:write`. */
export const resourceServerId = 'ucx';
export const qualifiedScope = (scope: MachineScope) => `${resourceServerId}/${scope}`;
/** A client's access token lives 15 minutes: with the authorizer's 60 s cache, the revocation window. */
export const machineTokenMinutes = 15;
/** Audit events of the vendor's own clients are kept under this pseudo-account. */
export const opsAuditAccount = 'ops';

export const createMachineClientSchema = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  scopes: z.array(z.enum(machineScopes)).check(z.minLength(1), z.maxLength(machineScopes.length)),
});
export type CreateMachineClient = z.infer<typeof createMachineClientSchema>;

export const machineClientParamsSchema = z.strictObject({
  clientId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,128}$/)),
});

export const machineClientSchema = z.object({
  clientId: z.string(),
  name: z.string(),
  scopes: z.array(z.enum(machineScopes)),
  createdBy: z.string(),
  createdAt: z.string(),
  revokedAt: z.optional(z.string()),
});
export const machineClientsSchema = z.object({ clients: z.array(machineClientSchema) });
export const createdMachineClientSchema = z.object({
  clientId: z.string(),
  clientSecret: withMeta(z.string(), { description: 'shown in this answer only' }),
  name: z.string(),
  scopes: z.array(z.enum(machineScopes)),
  tokenUrl: withMeta(z.string(), {
    description: 'POST grant_type=client_credentials here, HTTP Basic client id and secret',
  }),
  createdAt: z.string(),
});

/** What the identity provider does: Cognito app clients in the cloud, a local file locally. */
export interface MachineClientIssuer {
  create(name: string, scopes: readonly MachineScope[]): Promise<{ clientId: string; clientSecret: string }>;
  /** idempotent: an unknown or already deleted client is no error */
  revoke(clientId: string): Promise<void>;
}

export interface MachineClientRecord {
  readonly clientId: string;
  readonly name: string;
  readonly scopes: readonly MachineScope[];
  readonly createdBy: string;
  readonly createdAt: string;
  readonly revokedAt?: string;
}

/** The `CLIENT#<id>` records of the licensing table; each write carries its audit event. */
export interface MachineClientStore {
  get(clientId: string): Promise<MachineClientRecord | undefined>;
  list(): Promise<MachineClientRecord[]>;
  put(record: MachineClientRecord, audit: AuditEvent): Promise<void>;
  /** false when the client is unknown or already revoked (nothing written) */
  revoke(clientId: string, at: string, audit: AuditEvent): Promise<boolean>;
}

export interface MachineClientDeps {
  readonly issuer: MachineClientIssuer;
  readonly clients: MachineClientStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** where a client asks for its tokens (Cognito's `/oauth2/token`, the local token endpoint locally) */
  readonly tokenUrl: string;
}

const auditEvent = (
  deps: MachineClientDeps,
  principal: Principal,
  at: string,
  action: string,
  details: Record<string, unknown>,
): AuditEvent => ({
  accountId: opsAuditAccount,
  at,
  eventId: deps.ids.id('evt_'),
  actor: { kind: principal.role, id: principal.sub } as AuditEvent['actor'],
  action,
  details,
});

export async function createMachineClient(deps: MachineClientDeps, principal: Principal, input: CreateMachineClient) {
  assertRole(principal, 'backoffice');
  const scopes = machineScopes.filter((s) => input.scopes.includes(s));
  const { clientId, clientSecret } = await deps.issuer.create(input.name, scopes);
  const at = deps.clock.now().toISOString();
  const record: MachineClientRecord = { clientId, name: input.name, scopes, createdBy: principal.sub, createdAt: at };
  try {
    await deps.clients.put(
      record,
      auditEvent(deps, principal, at, 'client.created', { clientId, name: input.name, scopes }),
    );
  } catch (error) {
    // Without its record the client could never pass the authorizer; do not leave it behind.
    await deps.issuer.revoke(clientId);
    throw error;
  }
  return { clientId, clientSecret, name: input.name, scopes, tokenUrl: deps.tokenUrl, createdAt: at };
}

export async function listMachineClients(deps: Pick<MachineClientDeps, 'clients'>, principal: Principal) {
  assertRole(principal, 'backoffice');
  const clients = await deps.clients.list();
  return { clients: [...clients].sort((a, b) => b.createdAt.localeCompare(a.createdAt)) };
}

/** Deletes the identity provider's client first (no new tokens), then marks the record (existing tokens fail). */
export async function revokeMachineClient(deps: MachineClientDeps, principal: Principal, clientId: string) {
  assertRole(principal, 'backoffice');
  await deps.issuer.revoke(clientId);
  const at = deps.clock.now().toISOString();
  await deps.clients.revoke(clientId, at, auditEvent(deps, principal, at, 'client.revoked', { clientId }));
}

/** A machine may use a route when its token carries the route's scope and its record is live. */
export function machineMayCall(
  record: MachineClientRecord | undefined,
  tokenScopes: readonly string[],
  routeScope: MachineScope | undefined,
): boolean {
  if (!record || record.revokedAt !== undefined || routeScope === undefined) return false;
  return record.scopes.includes(routeScope) && tokenScopes.includes(qualifiedScope(routeScope));
}

/**
 * Fixtures for the Presence use cases: small fakes of Graph, Microsoft's identity platform, the
 * token vault, the notification decryptor, the @connections channel, the fan-out queue, the
 * licensing facts and the audit writer; `presenceWorld()` wires them with the in-memory store,
 * a clock that only moves when told and predictable ids.
 */
import type { Region } from '#lambdas/core/licensing/catalogue';
import type { AuditEvent, Installation, SmartAccount } from '#lambdas/core/licensing/model';
import type {
  AuditWriter,
  LicensingFacts,
  PresenceDeps,
  PresenceMetricName,
  PresenceMetrics,
  PresenceUrls,
} from '#lambdas/core/presence/deps';
import type { DownFrame } from '#lambdas/core/presence/frames';
import type {
  AuthorizationRequest,
  DirectoryUser,
  GraphPresence,
  GraphSubscription,
  IdentityPlatform,
  NewSubscription,
  NotificationDecryptor,
  RichNotification,
  SessionChannel,
  TenantGrant,
  TenantGraph,
  TokenVault,
} from '#lambdas/core/presence/ports';
import type { FanOutMessage, FanOutQueue, SessionRecord } from '#lambdas/core/presence/store';
import { openSession } from '#lambdas/core/presence/session';
import { ENDPOINTS, FixedClock, RecordingLogger, SequentialIds } from '#test/support/licensing-fixtures';
import { MemoryPresenceStore } from '#test/support/memory-presence-store';

export const PORTAL = 'https://portal.ucx-cloud.test';
export const URLS: PresenceUrls = {
  notification: `${ENDPOINTS.eu}/v1/presence/notifications`,
  lifecycle: `${ENDPOINTS.eu}/v1/presence/lifecycle`,
  redirect: `${ENDPOINTS.eu}/v1/presence/callback`,
  portalOrigins: [PORTAL],
};
export const TENANT_ID = 'tenant-fabrikam';

/** A user of the fake tenant: `alice` → `id-alice`, `alice@fabrikam.example`. */
export const user = (name: string): DirectoryUser => ({ id: `id-${name}`, upn: `${name}@fabrikam.example` });

type GraphMethod = Exclude<keyof TenantGraph, 'rotatedRefreshToken'>;

/** One tenant's Graph: a directory, presences, the subscriptions it holds; failures injected per method. */
export class FakeTenantGraph implements TenantGraph {
  readonly directory = new Map<string, string>();
  readonly presences = new Map<string, { availability: string; activity: string }>();
  /** Graph's live subscriptions by Graph's id */
  readonly live = new Map<string, NewSubscription & { expiresAtIso: string }>();
  readonly calls: { method: GraphMethod; args: unknown[] }[] = [];
  /** thrown by every call of the method while set */
  readonly failures = new Map<GraphMethod, Error>();
  /** thrown by the method's next calls, one each */
  private readonly once = new Map<GraphMethod, Error[]>();
  rotated: string | undefined;
  private next = 1;

  /** adds users to the tenant's directory, each Available */
  withUsers(...users: DirectoryUser[]): this {
    for (const u of users) {
      this.directory.set(u.upn, u.id);
      this.presences.set(u.id, { availability: 'Available', activity: 'Available' });
    }
    return this;
  }

  called(method: GraphMethod) {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  failNext(method: GraphMethod, ...errors: Error[]): this {
    this.once.set(method, [...(this.once.get(method) ?? []), ...errors]);
    return this;
  }

  private enter(method: GraphMethod, ...args: unknown[]) {
    this.calls.push({ method, args });
    const failure = this.once.get(method)?.shift() ?? this.failures.get(method);
    if (failure) throw failure;
  }

  async resolveUsers(upns: readonly string[]) {
    this.enter('resolveUsers', [...upns]);
    return upns.flatMap((upn) => {
      const id = this.directory.get(upn);
      return id ? [{ id, upn }] : [];
    });
  }

  async getPresences(userIds: readonly string[]): Promise<GraphPresence[]> {
    this.enter('getPresences', [...userIds]);
    return userIds.flatMap((id) => {
      const p = this.presences.get(id);
      return p ? [{ id, ...p }] : [];
    });
  }

  async createSubscription(input: NewSubscription): Promise<GraphSubscription> {
    this.enter('createSubscription', input);
    // the adapter's own check (lambdas/adapters/graph-client.ts)
    if (input.userIds.length === 0 || input.userIds.length > 650)
      throw new RangeError('a presence subscription takes 1 to 650 user ids');
    const subscriptionId = `graph-${this.next++}`;
    const expiresAtIso = input.expiresAt.toISOString();
    this.live.set(subscriptionId, { ...input, expiresAtIso });
    return { subscriptionId, expiresAt: expiresAtIso };
  }

  async renewSubscription(subscriptionId: string, expiresAt: Date): Promise<GraphSubscription> {
    this.enter('renewSubscription', subscriptionId, expiresAt);
    return { subscriptionId, expiresAt: expiresAt.toISOString() };
  }

  async reauthorizeSubscription(subscriptionId: string) {
    this.enter('reauthorizeSubscription', subscriptionId);
  }

  async deleteSubscription(subscriptionId: string) {
    this.enter('deleteSubscription', subscriptionId);
    this.live.delete(subscriptionId);
  }

  rotatedRefreshToken() {
    return this.rotated;
  }
}

/** Seals as `sealed(<account>):<plaintext>`; opening under another account fails, as KMS's context would. */
export class FakeTokenVault implements TokenVault {
  async seal(plaintext: string, context: { accountId: string }) {
    return `sealed(${context.accountId}):${plaintext}`;
  }
  async open(sealed: string, context: { accountId: string }) {
    const prefix = `sealed(${context.accountId}):`;
    if (!sealed.startsWith(prefix)) throw new Error('InvalidCiphertextException');
    return sealed.slice(prefix.length);
  }
}

export class FakeIdentityPlatform implements IdentityPlatform {
  readonly requests: AuthorizationRequest[] = [];
  readonly redeemed: { code: string; codeVerifier: string; redirectUri: string }[] = [];
  grant: TenantGrant = { tenantId: TENANT_ID, consentedBy: 'admin@fabrikam.example', refreshToken: 'refresh-1' };
  /** while set, redeemCode throws it */
  failure: Error | undefined;

  async authorizeUrl(request: AuthorizationRequest) {
    this.requests.push(request);
    return `https://login.microsoftonline.test/common/oauth2/v2.0/authorize?state=${request.state}`;
  }

  async redeemCode(input: { code: string; codeVerifier: string; redirectUri: string }) {
    this.redeemed.push(input);
    if (this.failure) throw this.failure;
    return this.grant;
  }
}

/** Opens a notification whose `dataSignature` is `valid`: its `data` is the presence as JSON. */
export class FakeNotificationDecryptor implements NotificationDecryptor {
  async certificate() {
    return { id: 'cert-1', base64Der: 'AA==' };
  }
  async open(notification: RichNotification): Promise<GraphPresence | undefined> {
    const content = notification.encryptedContent;
    if (content?.dataSignature !== 'valid') return undefined;
    return JSON.parse(content.data) as GraphPresence;
  }
}

/** A notification as Graph posts it, its content readable by FakeNotificationDecryptor. */
export function richNotification(
  graphId: string,
  clientState: string | undefined,
  presence: GraphPresence,
  signature = 'valid',
): RichNotification {
  return {
    subscriptionId: graphId,
    ...(clientState !== undefined && { clientState }),
    changeType: 'updated',
    resource: `communications/presences('${presence.id}')`,
    tenantId: TENANT_ID,
    encryptedContent: {
      data: JSON.stringify(presence),
      dataKey: 'key',
      dataSignature: signature,
      encryptionCertificateId: 'cert-1',
      encryptionCertificateThumbprint: 'thumb',
    },
  };
}

/** The @connections API: frames kept per connection; a connection in `gone` answers 410. */
export class RecordingChannel implements SessionChannel {
  readonly sent: { connectionId: string; frame: DownFrame }[] = [];
  readonly closed: string[] = [];
  readonly gone = new Set<string>();

  async send(connectionId: string, frame: unknown) {
    if (this.gone.has(connectionId)) return false;
    this.sent.push({ connectionId, frame: frame as DownFrame });
    return true;
  }

  async close(connectionId: string) {
    this.closed.push(connectionId);
  }

  framesTo(connectionId: string): DownFrame[] {
    return this.sent.filter((s) => s.connectionId === connectionId).map((s) => s.frame);
  }
}

export class RecordingQueue implements FanOutQueue {
  readonly messages: FanOutMessage[] = [];
  async send(message: FanOutMessage) {
    this.messages.push(message);
  }
}

export class RecordingAudit implements AuditWriter {
  readonly events: AuditEvent[] = [];
  async append(event: AuditEvent) {
    this.events.push(event);
  }
}

export class RecordingMetrics implements PresenceMetrics {
  readonly counts: Partial<Record<PresenceMetricName, number>> = {};
  count(name: PresenceMetricName, value = 1) {
    this.counts[name] = (this.counts[name] ?? 0) + value;
  }
}

/** Accounts and installations as the licensing table holds them. */
export class FakeLicensing implements LicensingFacts {
  readonly accounts = new Map<string, SmartAccount>();
  readonly installations = new Map<string, Installation>();

  async getInstallation(installationId: string) {
    return this.installations.get(installationId) ?? null;
  }
  async getAccount(accountId: string) {
    return this.accounts.get(accountId) ?? null;
  }

  addAccount(accountId: string, options: { region?: Region; resellerId?: string } = {}): SmartAccount {
    const account: SmartAccount = {
      accountId,
      name: 'Fabrikam Hospital',
      region: options.region ?? 'eu',
      ...(options.resellerId && { resellerId: options.resellerId }),
      telemetryEnabled: true,
      termsRev: 1,
      installSeq: 0,
      createdAt: '2026-01-01T00:00:00.000Z',
    };
    this.accounts.set(accountId, account);
    return account;
  }

  addInstallation(installationId: string, accountId: string, status: Installation['status'] = 'active'): Installation {
    const installation: Installation = {
      installationId,
      accountId,
      region: this.accounts.get(accountId)?.region ?? 'eu',
      publicKey: { kty: 'OKP', crv: 'Ed25519', x: `x-${installationId}` },
      thumbprint: `thumb-${installationId}`,
      activationKeyHash: 'hash',
      nodes: ['ucx-node-a'],
      suiteVersion: '14.2.1',
      status,
      allocation: {},
      telemetryEnabled: true,
      rev: 0,
      license: { jws: 'jws', etag: 'etag', ver: 1, contentHash: 'hash', exp: 0, basedOnRev: 0 },
      activatedAt: '2026-01-01T00:00:00.000Z',
    };
    this.installations.set(installationId, installation);
    return installation;
  }
}

export interface PresenceWorld {
  clock: FixedClock;
  ids: SequentialIds;
  log: RecordingLogger;
  metrics: RecordingMetrics;
  store: MemoryPresenceStore;
  licensing: FakeLicensing;
  audit: RecordingAudit;
  vault: FakeTokenVault;
  identity: FakeIdentityPlatform;
  graph: FakeTenantGraph;
  /** the tenants Graph was opened for */
  graphOpenedFor: { tenantId: string; refreshToken: string }[];
  decryptor: FakeNotificationDecryptor;
  channel: RecordingChannel;
  queue: RecordingQueue;
  deps: PresenceDeps;
}

export function presenceWorld(options: { region?: Region } = {}): PresenceWorld {
  const clock = new FixedClock();
  const store = new MemoryPresenceStore(clock);
  const graph = new FakeTenantGraph();
  const graphOpenedFor: { tenantId: string; refreshToken: string }[] = [];
  const world = {
    clock,
    ids: new SequentialIds(),
    log: new RecordingLogger(),
    metrics: new RecordingMetrics(),
    store,
    licensing: new FakeLicensing(),
    audit: new RecordingAudit(),
    vault: new FakeTokenVault(),
    identity: new FakeIdentityPlatform(),
    graph,
    graphOpenedFor,
    decryptor: new FakeNotificationDecryptor(),
    channel: new RecordingChannel(),
    queue: new RecordingQueue(),
  };
  const deps: PresenceDeps = {
    store,
    clock,
    ids: world.ids,
    log: world.log,
    metrics: world.metrics,
    here: { region: options.region ?? 'eu', endpoints: ENDPOINTS },
    licensing: world.licensing,
    audit: world.audit,
    vault: world.vault,
    identity: world.identity,
    graphFor: (tenant) => {
      graphOpenedFor.push(tenant);
      return graph;
    },
    decryptor: world.decryptor,
    channel: world.channel,
    queue: world.queue,
    urls: URLS,
  };
  return { ...world, deps };
}

/** An account of the licensing table with Presence on and the tenant connected (refresh token `refresh-1`). */
export async function connectedAccount(
  world: PresenceWorld,
  accountId: string,
  options: { enabled?: boolean; connected?: boolean; region?: Region; resellerId?: string } = {},
): Promise<SmartAccount> {
  const account = world.licensing.addAccount(accountId, options);
  await world.store.setEnabled(accountId, options.enabled ?? true);
  if (options.connected ?? true)
    await world.store.putTenant(accountId, {
      tenantId: TENANT_ID,
      connectedBy: 'admin@fabrikam.example',
      connectedAt: world.clock.now().toISOString(),
      sealedRefreshToken: await world.vault.seal('refresh-1', { accountId }),
    });
  return account;
}

/** An active installation of the account with its session open as `connectionId`. */
export async function openedSession(
  world: PresenceWorld,
  accountId: string,
  installationId: string,
  connectionId = `conn-${installationId}`,
): Promise<SessionRecord> {
  world.licensing.addInstallation(installationId, accountId);
  return openSession(world.deps, { connectionId, installationId, verify: async () => {} });
}

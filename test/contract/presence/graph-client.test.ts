import { randomUUID } from 'node:crypto';
import {
  GraphSubscriptionGoneError,
  GraphThrottledError,
  type RichNotification,
  type TenantGrant,
  type TenantGraph,
} from '#lambdas/core/presence/ports';
import { tenantGraphFactory } from '#lambdas/adapters/ms-identity';
import { notificationDecryptorFromRef } from '#lambdas/adapters/presence-notification-decryptor';
import { users } from '#local/graph/standin';
import { startMicrosoftFixture, startNotificationReceiver, type MicrosoftFixture } from './microsoft-standin';

let ms: MicrosoftFixture;
let receiver: Awaited<ReturnType<typeof startNotificationReceiver>>;
let grant: TenantGrant;
const throttles: number[] = [];
const waits: number[] = [];

beforeAll(async () => {
  ms = await startMicrosoftFixture();
  receiver = await startNotificationReceiver();
  grant = await ms.connect();
});

afterAll(async () => {
  await receiver.stop();
  await ms.stop();
});

function openGraph(): TenantGraph {
  return tenantGraphFactory(ms.config, {
    certificates: notificationDecryptorFromRef(ms.certificateSecretRef),
    onThrottle: (seconds) => throttles.push(seconds),
    sleep: async (ms) => {
      waits.push(ms);
    },
  })(grant);
}

const callsTo = (path: string) => ms.graphCalls.filter((c) => c.path.startsWith(`/v1.0${path}`));

describe('the Graph adapter against the stand-in', () => {
  it('resolves UPNs case-insensitively and leaves unknown ones out', async () => {
    const graph = openGraph();

    const resolved = await graph.resolveUsers([
      'User3@Contoso.example',
      'nobody@contoso.example',
      'user4@contoso.example',
    ]);

    expect(resolved).toEqual([
      { id: 'a0000000-0000-4000-8000-000000000003', upn: 'user3@contoso.example' },
      { id: 'a0000000-0000-4000-8000-000000000004', upn: 'user4@contoso.example' },
    ]);
    expect(callsTo('/users/').map((c) => c.path)).toContain(
      '/v1.0/users/nobody@contoso.example?$select=id,userPrincipalName',
    );
  });

  it('reads presences in requests of at most 650 ids', async () => {
    const graph = openGraph();
    // the tenant has 51 users: 1,300 ids not in it make the read span three requests
    const ids = [...users.map((u) => u.id), ...Array.from({ length: 1300 }, () => randomUUID())];
    const before = callsTo('/communications/getPresencesByUserId').length;

    const presences = await graph.getPresences(ids);

    const requests = callsTo('/communications/getPresencesByUserId').slice(before);
    const sizes = requests.map((r) => (JSON.parse(r.body) as { ids: string[] }).ids.length).sort((a, b) => b - a);
    expect(sizes).toEqual([650, 650, 51]);
    expect(presences).toHaveLength(users.length);
    expect(presences[0]).toEqual({ id: users[0]?.id, availability: 'Offline', activity: 'Offline' });
  });

  it('creates a presence subscription Graph validates and notifies, then renews, reauthorizes and deletes it', async () => {
    const graph = openGraph();
    const decryptor = notificationDecryptorFromRef(ms.certificateSecretRef);
    const ids = ['a0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000002'];
    const expiresAt = new Date(Date.now() + 30 * 60_000);

    const created = await graph.createSubscription({
      userIds: ids,
      notificationUrl: `${receiver.url}/notifications`,
      lifecycleNotificationUrl: `${receiver.url}/lifecycle`,
      clientState: 'client-state-1',
      expiresAt,
    });
    await ms.standin.setPresence('user2@contoso.example', 'Busy', 'InACall');

    const sent = JSON.parse(callsTo('/subscriptions').at(-1)?.body ?? '{}') as Record<string, unknown>;
    expect(sent).toMatchObject({
      changeType: 'updated',
      resource: `/communications/presences?$filter=id in ('${ids[0]}','${ids[1]}')`,
      includeResourceData: true,
      encryptionCertificateId: 'cert-1',
      encryptionCertificate: (await decryptor.certificate()).base64Der,
      clientState: 'client-state-1',
      expirationDateTime: expiresAt.toISOString(),
    });
    expect(created).toEqual({ subscriptionId: expect.any(String), expiresAt: expiresAt.toISOString() });
    expect(receiver.validations()).toBe(2);
    const notification = receiver.received.at(-1) as { value: RichNotification[] };
    expect(notification.value[0]?.subscriptionId).toBe(created.subscriptionId);
    expect(await decryptor.open(notification.value[0] as RichNotification)).toEqual({
      id: ids[1],
      availability: 'Busy',
      activity: 'InACall',
    });

    const later = new Date(Date.now() + 55 * 60_000);
    const renewed = await graph.renewSubscription(created.subscriptionId, later);
    await graph.reauthorizeSubscription(created.subscriptionId);
    await graph.deleteSubscription(created.subscriptionId);
    await graph.deleteSubscription(created.subscriptionId);

    expect(renewed).toEqual({ subscriptionId: created.subscriptionId, expiresAt: later.toISOString() });
    expect(callsTo(`/subscriptions/${created.subscriptionId}`).map((c) => `${c.method} ${c.status}`)).toEqual([
      'PATCH 200',
      'POST 204',
      'DELETE 204',
      'DELETE 404',
    ]);
    await expect(graph.renewSubscription(created.subscriptionId, later)).rejects.toThrow(GraphSubscriptionGoneError);
    await expect(graph.reauthorizeSubscription(created.subscriptionId)).rejects.toThrow(GraphSubscriptionGoneError);
  });

  it('waits and retries once when throttled for 1 s, and throws GraphThrottledError when asked to wait 30 s', async () => {
    const graph = openGraph();
    throttles.length = 0;
    waits.length = 0;

    ms.standin.throttle(1, 1);
    const retried = await graph.resolveUsers(['user5@contoso.example']);
    ms.standin.throttle(1, 30);
    const refused = graph.getPresences(['a0000000-0000-4000-8000-000000000005']);

    expect(retried).toHaveLength(1);
    expect(waits).toEqual([1000]);
    await expect(refused).rejects.toThrow(GraphThrottledError);
    await expect(refused).rejects.toMatchObject({ retryAfterSeconds: 30 });
    expect(throttles).toEqual([1, 30]);
  });

  it('throws GraphThrottledError when the in-place retry is throttled again', async () => {
    const graph = openGraph();
    waits.length = 0;
    ms.standin.throttle(2, 1);

    const twice = graph.resolveUsers(['user6@contoso.example']);

    await expect(twice).rejects.toMatchObject({ name: 'GraphThrottledError', retryAfterSeconds: 1 });
    expect(waits).toEqual([1000]);
  });
});

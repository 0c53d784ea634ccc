/**
 * The Presence Service end to end: a customer connects the Microsoft 365 tenant in the portal
 * (headless Chromium through the identity-platform stand-in's consent), the reference agent
 * connects through an authenticating HTTP proxy and watches 3 users, changes on the Graph
 * stand-in reach it, forged notifications are dropped, a missed notification resyncs it, and
 * disconnecting in the portal closes the session and erases what Presence kept. (Renewal before
 * expiry moves the clock: test/integration/presence.)
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { encryptResourceData } from '#local/graph/rich-notification';
import { activatedAgent, api, newAccount, perpetual } from '#test/support/licensing-api';
import { cloud } from '#test/support/local-cloud';
import {
  customerToken,
  eventually,
  graphLifecycle,
  presenceTable,
  sessionFor,
  setGraphPresence,
} from '#test/support/presence-api';
import { startProxy } from '#test/unit/agent/sdk/presence-cloud';
import { screenshots, useE2eBrowser } from './support/browser';

jest.setTimeout(120_000);

const browser = useE2eBrowser();
let proxy: Awaited<ReturnType<typeof startProxy>>;

beforeAll(async () => {
  proxy = await startProxy();
});

afterAll(async () => {
  await proxy?.stop();
});

const upns = ['user11@contoso.example', 'user12@contoso.example', 'user13@contoso.example'];

/** A notification for a live subscription of the account, as Graph would post it, with what the test changes. */
async function forged(accountId: string, change: { clientState?: string; badSignature?: boolean }) {
  const table = presenceTable();
  const user = await table.get(`USER#${accountId}`, 'a0000000-0000-4000-8000-000000000012');
  const subscription = await table.get(`PSUB#${user?.subscriptionId as string}`, 'PSUB');
  const secretRef = Object.entries(cloud().regions.eu.resources).find(([k]) =>
    k.startsWith('PresenceNotificationCertificate'),
  )?.[1] as string;
  const secret = JSON.parse(readFileSync(secretRef.replace(/^file:/, ''), 'utf8')) as {
    id: string;
    certificate: string;
  };
  const id = 'a0000000-0000-4000-8000-000000000012';
  const content = encryptResourceData(
    { '@odata.type': '#Microsoft.Graph.presence', id, availability: 'Offline', activity: 'OffWork' },
    new X509Certificate(secret.certificate),
    secret.id,
  );
  const signature = Buffer.from(content.dataSignature, 'base64');
  signature[0] = (signature[0] ?? 0) ^ 0xff;
  const body = {
    value: [
      {
        subscriptionId: subscription?.graphId,
        clientState: change.clientState ?? subscription?.clientState,
        changeType: 'updated',
        resource: `communications/presences('${id}')`,
        tenantId: cloud().identity.tenantId,
        encryptedContent: change.badSignature ? { ...content, dataSignature: signature.toString('base64') } : content,
      },
    ],
  };
  const res = await fetch(`${api()}/v1/presence/notifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as { accepted: number; dropped: number } };
}

describe('the Presence Service, as a customer and the suite use it', () => {
  it('connects the tenant in the portal, relays changes to an agent behind a proxy, and erases everything on disconnect', async () => {
    // Arrange: a customer with an installation
    const accountId = await newAccount([perpetual('attendant-console', 5)]);
    const { agent } = await activatedAgent(accountId);
    const page = await browser.page(customerToken(accountId));
    await page.goto(`${api()}/#/accounts/${accountId}`);
    const section = page.getByRole('region', { name: 'Presence Service' });

    // Act 1: the customer turns Presence on and connects Microsoft 365 (the stand-in's administrator consents)
    await section.getByRole('switch', { name: 'Presence Service' }).click();
    await section.getByText('Presence Service turned on.').waitFor();
    await section.getByLabel('Microsoft 365 administrator e-mail (optional)').fill('admin@contoso.example');
    await section.getByRole('button', { name: 'Connect Microsoft 365' }).click();
    await page.getByText('Microsoft 365 tenant connected.').waitFor();
    await section.getByTestId('presence-connection').getByText(cloud().identity.tenantId).waitFor();
    const connection = await section.getByTestId('presence-connection').textContent();
    await screenshots(page, 'presence-connected');

    // Act 2: the suite's session through the proxy, watching 3 users
    const { session, seen } = sessionFor(agent, { proxy: proxy.url() });
    const states: string[] = [];
    session.on('state', (s: { state: string; status?: number }) => states.push(`${s.state} ${s.status ?? ''}`.trim()));
    session.connect();
    session.subscribe(upns);
    await eventually(() => seen.snapshot.length === 3, 'the snapshot');
    await setGraphPresence('user12@contoso.example', 'DoNotDisturb', 'Presenting');
    await eventually(() => seen.presence.length === 1, 'the change at the agent');

    // Act 3: forged notifications, then a missed one
    const wrongClientState = await forged(accountId, { clientState: 'not-the-secret' });
    const badSignature = await forged(accountId, { badSignature: true });
    const genuine = await forged(accountId, {});
    await eventually(() => seen.presence.length === 2, 'the genuine notification at the agent');
    await graphLifecycle('missed');
    await eventually(() => seen.resync.length >= 3, 'the resync');

    // Act 4: the customer disconnects in the portal
    await section.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('button', { name: 'Yes, disconnect' }).click();
    await section.getByRole('button', { name: 'Connect Microsoft 365' }).waitFor();
    await eventually(
      () => session.state === 'refused',
      () => `the session refused (${states.join(' → ')})`,
      30_000,
    );
    const left = await presenceTable().itemsOf(accountId);
    await session.close();

    // Assert
    expect(connection).toContain(cloud().identity.tenantId);
    expect(connection).toContain('admin@contoso.example');
    expect(seen.snapshot.map((p) => p.user).sort()).toEqual(upns);
    expect(seen.presence.map((p) => [p.user, p.availability, p.activity])).toEqual([
      ['user12@contoso.example', 'DoNotDisturb', 'Presenting'],
      ['user12@contoso.example', 'Offline', 'OffWork'],
    ]);
    expect([wrongClientState.json, badSignature.json, genuine.json]).toEqual([
      { accepted: 0, dropped: 1, updates: 0 },
      { accepted: 0, dropped: 1, updates: 0 },
      { accepted: 1, dropped: 0, updates: 1 },
    ]);
    expect(seen.resync.map((p) => p.user).sort()).toEqual(upns);
    expect(proxy.crossings.some((c) => c.method === 'CONNECT' && c.authorized)).toBe(true);
    expect(proxy.crossings.every((c) => c.authorized)).toBe(true);
    expect(states.at(-1)).toBe('refused 403');
    expect(left).toEqual([{ pk: `ACCOUNT#${accountId}`, sk: 'PRESENCE', enabled: true }]);
  });
});

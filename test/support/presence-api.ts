/**
 * Presence against the local cloud: an account with a connected tenant (the code flow run as a
 * browser would, against the identity-platform stand-in), a session of the reference agent, the
 * stand-in's control routes, and reads of the region's presence table.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { Agent, fetch as undiciFetch } from 'undici';
import { PresenceSession, type Presence } from '#agent/sdk/presence';
import type { TestAgent } from './agent-client';
import { api, call, type RegionKey } from './licensing-api';
import { cloud, cloudNow, tokenFor } from './local-cloud';

export const customerToken = (accountId: string) => tokenFor({ groups: ['customer'], accountId });

/** Follows redirects by hand (the identity platform is https with the stand-in's certificate). */
export async function follow(url: string, stopAt: (url: URL) => boolean, hops = 5): Promise<URL> {
  const dispatcher = new Agent({ connect: { ca: cloud().identity.ca } });
  let current = new URL(url);
  try {
    for (let i = 0; i < hops && !stopAt(current); i++) {
      const res = await undiciFetch(current, { redirect: 'manual', dispatcher });
      const location = res.headers.get('location');
      await res.body?.cancel();
      if (!location) throw new Error(`${current} answered ${res.status} without a Location`);
      current = new URL(location, current);
    }
    return current;
  } finally {
    await dispatcher.close();
  }
}

/** Presence on and the seeded tenant connected by its administrator; returns the portal URL it came back to. */
export async function connectTenant(accountId: string, region: RegionKey = 'eu'): Promise<URL> {
  const token = customerToken(accountId);
  const on = await call('PATCH', `${api(region)}/v1/accounts/${accountId}/presence`, {
    token,
    body: { enabled: true },
  });
  if (on.status !== 200) throw new Error(`presence on: ${on.status} ${on.text}`);
  const returnTo = `${api(region)}/#/accounts/${accountId}`;
  const started = await call('POST', `${api(region)}/v1/accounts/${accountId}/presence/connections`, {
    token,
    body: { returnTo, loginHint: 'admin@contoso.example' },
  });
  if (started.status !== 201) throw new Error(`connect: ${started.status} ${started.text}`);
  const back = await follow(
    started.json.authorizeUrl as string,
    (u) => u.origin === new URL(api(region)).origin && u.pathname === '/',
  );
  if (back.searchParams.get('presence') !== 'connected') throw new Error(`connect came back as ${back}`);
  return back;
}

/** The reference agent's session for an activated test agent, collecting what comes down. */
export function sessionFor(agent: TestAgent, options: { proxy?: string; region?: RegionKey } = {}) {
  const session = new PresenceSession({
    endpoint: cloud().regions[options.region ?? 'eu'].presence ?? 'no presence endpoint in cloud.json',
    installationId: agent.keyid,
    privateKey: agent.privateKey,
    proxy: options.proxy ?? null,
    api: api(options.region),
    // signs at the cloud's time, which a test may have moved
    now: () => cloudNow(),
  });
  const seen = {
    presence: [] as Presence[],
    snapshot: [] as Presence[],
    /** the cloud's resync frames (a reconnection's snapshots are in `reconnected`) */
    resync: [] as Presence[],
    reconnected: [] as Presence[],
    errors: [] as unknown[],
  };
  session.on('presence', (updates: Presence[]) => seen.presence.push(...updates));
  session.on('snapshot', (presences: Presence[]) => seen.snapshot.push(...presences));
  session.on('resync', (presences: Presence[], cause: string) =>
    (cause === 'reconnect' ? seen.reconnected : seen.resync).push(...presences),
  );
  session.on('error', (frame: unknown) => seen.errors.push(frame));
  return { session, seen };
}

/** Waits for `condition` without sleeping longer than needed (the cloud works at its own pace). */
export async function eventually<T>(
  read: () => T | undefined | false,
  what: string | (() => string),
  ms = 15_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function setGraphPresence(user: string, availability: string, activity: string) {
  const res = await fetch(`${cloud().graph}/local/presence`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, availability, activity }),
  });
  if (!res.ok) throw new Error(`stand-in presence: ${res.status} ${await res.text()}`);
  return (await res.json()) as { notified: string[] };
}

export async function graphLifecycle(event: 'missed' | 'reauthorizationRequired' | 'subscriptionRemoved') {
  const res = await fetch(`${cloud().graph}/local/lifecycle`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ event }),
  });
  if (!res.ok) throw new Error(`stand-in lifecycle: ${res.status} ${await res.text()}`);
  return (await res.json()) as { notified: string[] };
}

/** The region's presence table, read directly (what the service keeps). */
export function presenceTable(region: RegionKey = 'eu') {
  const info = cloud().regions[region];
  const name = Object.entries(info.resources).find(([logical]) => logical.startsWith('PresenceTable'))?.[1];
  if (!name) throw new Error('no PresenceTable in cloud.json');
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: info.endpoints.dynamodb,
      region: info.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  return {
    name,
    get: (pk: string, sk: string) =>
      client.send(new GetCommand({ TableName: name, Key: { pk, sk } })).then((r) => r.Item),
    /** every item that names the account in its keys */
    async itemsOf(accountId: string) {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(new ScanCommand({ TableName: name, ExclusiveStartKey: start }));
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items.filter((i) => JSON.stringify([i.pk, i.gsi1pk, i.accountId]).includes(accountId));
    },
  };
}

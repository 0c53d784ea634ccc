/**
 * Presence end to end on the bench's local cloud: N installations (reference-agent sessions) each
 * watching its own block of users and the next installation's, so every user is watched twice and
 * the tenant's watched users number N × block. Each change is set on the Graph stand-in and timed
 * until both watching sessions have it; Graph's own request counts (`GET <graph>/local/requests`)
 * before and after the changes give the Graph calls per change.
 */
import { Agent, fetch as undiciFetch } from 'undici';
import { PresenceSession } from '../agent/sdk/presence';
import type { LocalCloud } from '../local/cloud';
import { TestAgent } from '../test/support/agent-client';
import { tokenFor } from '../test/support/local-cloud';
import { percentile, type Row } from './stats';

export interface PresenceMeasures {
  ran: boolean;
  reason?: string;
  installations: number;
  watchedUsers: number;
  changes: number;
  /** ms from the change on the Graph stand-in to the frame at every watching session */
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  lost: number;
  /** Graph calls during the changes, by route, and per change (notifications are Graph's, not counted) */
  graphCalls: Record<string, number>;
  graphCallsPerChange: number | null;
  setupSeconds: number;
}

const usersOf = (installation: number, block: number, installations: number) =>
  [installation, (installation + 1) % installations].flatMap((b) =>
    Array.from({ length: block }, (_, i) => `user${b * block + i + 1}@contoso.example`),
  );

async function graphRequests(graph: string): Promise<Record<string, number>> {
  return (await (await fetch(`${graph}/local/requests`)).json()) as Record<string, number>;
}

export async function measurePresence(opts: {
  cloud: LocalCloud;
  installations: number;
  block: number;
  changes: number;
  log: (line: string) => void;
}): Promise<PresenceMeasures> {
  const { info } = opts.cloud;
  const eu = info.regions.eu;
  const started = Date.now();
  const base: PresenceMeasures = {
    ran: false,
    installations: opts.installations,
    watchedUsers: opts.installations * opts.block,
    changes: opts.changes,
    p50Ms: null,
    p99Ms: null,
    maxMs: null,
    lost: 0,
    graphCalls: {},
    graphCallsPerChange: null,
    setupSeconds: 0,
  };
  if (!eu.presence) return { ...base, reason: 'the local cloud serves no presence endpoint' };
  const ops = tokenFor({ groups: ['backoffice'] }, info);
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${eu.api}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };

  // An account with a licence per installation, Presence on and the tenant connected.
  const order = await call('PUT', `/v1/ops/orders/bench-presence-${Date.now()}`, ops, {
    account: { create: { name: 'Presence bench', region: 'eu' } },
    lines: [{ product: 'attendant-console', quantity: opts.installations, kind: 'perpetual' }],
  });
  const accountId = order.accountId as string;
  const customer = tokenFor({ groups: ['customer'], accountId }, info);
  await call('PATCH', `/v1/accounts/${accountId}/presence`, customer, { enabled: true });
  const { authorizeUrl } = await call('POST', `/v1/accounts/${accountId}/presence/connections`, customer, {
    returnTo: `${eu.api}/`,
    loginHint: 'admin@contoso.example',
  });
  const dispatcher = new Agent({ connect: { ca: info.identity.ca } });
  let next = new URL(authorizeUrl as string);
  const home = new URL(eu.api).origin;
  for (let hop = 0; hop < 4 && !(next.origin === home && next.searchParams.has('presence')); hop++) {
    const res = await undiciFetch(next, { redirect: 'manual', dispatcher });
    await res.body?.cancel();
    next = new URL(res.headers.get('location') ?? '', next);
  }
  await dispatcher.close();
  if (next.searchParams.get('presence') !== 'connected') return { ...base, reason: `tenant not connected: ${next}` };

  // Installations, each with a session watching 2 blocks.
  const sessions: PresenceSession[] = [];
  const arrivals = new Map<string, number[]>();
  let snapshots = 0;
  try {
    for (let i = 0; i < opts.installations; i++) {
      const agent = await TestAgent.create();
      const { activationKey } = await call('POST', `/v1/accounts/${accountId}/activation-keys`, customer, {
        allocation: { 'attendant-console': 1 },
      });
      const activated = await agent.request(eu.api, 'POST', '/v1/activations', {
        activationKey,
        publicKey: agent.publicJwk,
        installation: { suiteVersion: '2025.2.1', nodes: [`bench-${i}`] },
      });
      if (activated.status !== 201) throw new Error(`activation ${i}: ${activated.status} ${activated.text}`);
      const session = new PresenceSession({
        endpoint: eu.presence,
        installationId: activated.json.installationId as string,
        privateKey: agent.privateKey,
        proxy: null,
      });
      session.on('snapshot', () => {
        snapshots += 1;
      });
      session.on('presence', (updates: { user: string }[]) => {
        const now = performance.now();
        for (const u of updates) arrivals.set(u.user, [...(arrivals.get(u.user) ?? []), now]);
      });
      session.connect();
      session.subscribe(usersOf(i, opts.block, opts.installations));
      sessions.push(session);
      // One installation at a time: the laptop cloud runs every function in one worker, where 100
      // subscribes at once (20,000 UPN lookups) would all hit the 29 s timeout together.
      const until = Date.now() + 60_000;
      while (snapshots < i + 1) {
        if (Date.now() > until) throw new Error(`installation ${i}: no snapshot in 60 s`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const setupSeconds = (Date.now() - started) / 1000;
    opts.log(
      `presence: ${opts.installations} sessions watching ${base.watchedUsers} users in ${setupSeconds.toFixed(0)} s`,
    );

    // Changes, one at a time, each awaited at both sessions (or 5 s).
    const before = await graphRequests(info.graph);
    const latencies: number[] = [];
    let lost = 0;
    for (let c = 0; c < opts.changes; c++) {
      const user = `user${1 + ((c * 7919) % base.watchedUsers)}@contoso.example`;
      arrivals.delete(user);
      const sent = performance.now();
      const res = await fetch(`${info.graph}/local/presence`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          user,
          availability: c % 2 ? 'Busy' : 'Available',
          activity: c % 2 ? 'InACall' : 'Available',
        }),
      });
      await res.arrayBuffer();
      const deadline = sent + 5_000;
      while ((arrivals.get(user)?.length ?? 0) < 2 && performance.now() < deadline)
        await new Promise((r) => setTimeout(r, 1));
      const got = arrivals.get(user) ?? [];
      if (got.length < 2) lost += 1;
      else latencies.push(Math.max(...got) - sent);
    }
    const after = await graphRequests(info.graph);
    const graphCalls = Object.fromEntries(
      Object.entries(after)
        .map(([route, n]) => [route, n - (before[route] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    );
    const calls = Object.values(graphCalls).reduce((a, n) => a + n, 0);
    const round = (n: number) => Math.round(n * 10) / 10;
    return {
      ...base,
      ran: true,
      p50Ms: latencies.length ? round(percentile(latencies, 50)) : null,
      p99Ms: latencies.length ? round(percentile(latencies, 99)) : null,
      maxMs: latencies.length ? round(Math.max(...latencies)) : null,
      lost,
      graphCalls,
      graphCallsPerChange: calls / opts.changes,
      setupSeconds: Math.round(setupSeconds),
    };
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
  }
}

export function presenceRows(m: PresenceMeasures): Row[] {
  const why = m.ran ? '' : `not run: ${m.reason}`;
  return [
    {
      name: `presence: ${m.installations} installations watching ${m.watchedUsers.toLocaleString('en-US')} users, notification → agent p99`,
      value: m.ran ? m.p99Ms : null,
      unit: ' ms',
      goal: { op: '<=', value: 250, unit: ' ms' },
      detail:
        why ||
        `${m.changes} changes, each to 2 sessions: p50 ${m.p50Ms} ms, max ${m.maxMs} ms, ${m.lost} not delivered within 5 s; setup ${m.setupSeconds} s`,
    },
    {
      name: 'presence: Graph calls per change',
      value: m.ran ? m.graphCallsPerChange : null,
      unit: '',
      goal: { op: '<=', value: 0, unit: '' },
      detail: why || `during the changes: ${JSON.stringify(m.graphCalls)} (Graph's notifications to us are not calls)`,
    },
  ];
}

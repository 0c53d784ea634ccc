/**
 * Fleet simulator: activates N simulated installations against a local (or any) cloud through the
 * agent SDK, then runs their cycles at the agent's cadence (telemetry/cadence.ts: counters every
 * minute, one request per cycle, a poll only when the 202 says the licence changed) with time
 * compressed: `--cycle-seconds` of real time stand for one default cycle (15 minutes), and every
 * wait of the agent shrinks by the same factor. Varied data (some carrying faults the rules
 * catch); progress and a summary: requests, errors by status, latency percentiles per route,
 * beats accepted, the posts after each installation's first apart, and the simulator's own
 * event-loop delay (it is in every latency measured here). Exits non-zero on any 5xx.
 *
 *   npm run fleet -- --installations 1000 --duration 300 [--cloud .local/cloud.json] [--concurrency 24]
 *     [--cycle-seconds 20] [--us-share 0.3] [--seed 1] [--keep] [--installation-ids <file>]
 *   --installation-ids: the activated installations' ids written there as JSON (the bench counts their beats in the archive)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Agent } from 'undici';
import { simulatedInstallation, seededRandom, type SimulatedFault } from '../agent/collectors/simulated';
import { UcxAgent } from '../agent/sdk/agent';
import { generateIdentityKeys } from '../agent/sdk/signing';
import { identityOf } from '../agent/sdk/identity';
import { MemorySpool } from '../agent/sdk/spool';
import { MemoryStateStore } from '../agent/sdk/state';
import { CloudError, isRetryable, UnreachableError } from '../agent/sdk/errors';
import { defaultCycleSeconds } from '../lambdas/core/telemetry/cadence';

const { values } = parseArgs({
  options: {
    installations: { type: 'string', default: '100' },
    duration: { type: 'string', default: '60' },
    cloud: { type: 'string', default: '.local/cloud.json' },
    concurrency: { type: 'string', default: '24' },
    'cycle-seconds': { type: 'string', default: '20' },
    'us-share': { type: 'string', default: '0.3' },
    seed: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
    'installation-ids': { type: 'string' },
  },
});
const N = Number(values.installations);
const durationMs = Number(values.duration) * 1000;
const concurrency = Number(values.concurrency);
const cycleSeconds = Number(values['cycle-seconds']);
/** how much faster than real time the fleet runs: one default cycle in `cycleSeconds` */
const timeFactor = defaultCycleSeconds / cycleSeconds;
const random = seededRandom(Number(values.seed));

const cloud = JSON.parse(readFileSync(values.cloud!, 'utf8')) as {
  regions: Record<'eu' | 'us', { api: string }>;
  tokens: { ops: string };
};

// ---- measurements -------------------------------------------------------------------------------

const latencies = new Map<string, number[]>();
const statuses = new Map<string, Map<string, number>>();
let requests = 0;
let beatsAccepted = 0;
let beatsSent = 0;
let cycles = 0;
let polls = 0;
let activated = 0;
const faultCount = new Map<SimulatedFault, number>();

function record(route: string, status: number | string, latencyMs?: number) {
  requests++;
  if (latencyMs !== undefined) (latencies.get(route) ?? latencies.set(route, []).get(route)!).push(latencyMs);
  const byStatus = statuses.get(route) ?? statuses.set(route, new Map()).get(route)!;
  byStatus.set(String(status), (byStatus.get(String(status)) ?? 0) + 1);
}
const POST_ROUTE = 'POST /v1/installations/{id}/telemetry';
/**
 * An installation's posts after its first: the first after activation also stamps the contact and
 * writes the first snapshots and state, and 1,000 activated at once make a burst no steady fleet has.
 */
const steadyPosts: number[] = [];
function observerOf() {
  let posted = false;
  return {
    onResponse(route: string, status: number, ms: number) {
      record(route, status, ms);
      if (route !== POST_ROUTE) return;
      if (posted) steadyPosts.push(ms);
      posted = true;
    },
  };
}

const pool = new Agent({ connections: concurrency * 2, keepAliveTimeout: 30_000 });

/** At most `limit` pieces of work at once, FIFO. */
function limiter(limit: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((go) => waiting.push(go));
    active++;
    try {
      return await work();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
const gate = limiter(concurrency);

/**
 * The fleet's setup is an operator's and installers' work: they run a call again after a 5xx, a
 * 429 or no answer, up to 5 tries (each answer still counts in the summary). Every call retried
 * here is idempotent or harmless twice (an order by its id, an activation, one more key).
 */
async function retried<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= 5 || !isRetryable(error)) throw error;
      const seconds = error instanceof CloudError ? (error.retryAfterSeconds ?? 1) : 1;
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000 * (0.5 + Math.random())));
    }
  }
}

async function backOffice(method: string, region: 'eu' | 'us', path: string, body: unknown, route: string) {
  const url = cloud.regions[region].api + path;
  return retried(async () => {
    const started = performance.now();
    const res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${cloud.tokens.ops}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).catch((error: unknown) => {
      record('(unreachable)', 'network');
      throw new UnreachableError(url, error);
    });
    const json = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    record(route, res.status, performance.now() - started);
    if (res.status >= 300) throw new CloudError(res.status, json as never);
    return json!;
  });
}

// ---- the fleet ----------------------------------------------------------------------------------

const PRODUCTS = ['attendant-console', 'call-recording', 'ivr', 'acd', 'digital-fax', 'phone-lock', 'contact-manager'];
const inOneYear = () => new Date(Date.now() + 365 * 86_400_000).toISOString();

interface Simulated {
  agent: UcxAgent;
  region: 'eu' | 'us';
  installationId: string;
}

async function createCustomer(index: number, installations: number): Promise<Simulated[]> {
  const region: 'eu' | 'us' = random() < Number(values['us-share']) ? 'us' : 'eu';
  const products = PRODUCTS.filter((_, i) => i === 0 || random() < 0.45);
  const care = (['basic', 'gold', 'platinum'] as const)[Math.floor(random() * 3)]!;
  // each installation gets its share of what the customer ordered: 5–54 of each product, drawn
  // as the order is placed (where a seed always drew it: the fleet of a seed keeps its Care mix)
  let share: Record<string, number> = {};
  const order = await gate(() => {
    share = Object.fromEntries(products.map((product) => [product, 5 + Math.floor(random() * 50)]));
    return backOffice(
      'PUT',
      region,
      `/v1/ops/orders/fleet-${randomUUID()}`,
      {
        account: { create: { name: `Fleet customer ${index}`, region } },
        lines: products.map((product) => ({
          product,
          quantity: installations * share[product]!,
          kind: 'perpetual',
          care: { level: care, endsAt: inOneYear() },
        })),
      },
      'PUT /v1/ops/orders/{orderId}',
    );
  });
  const accountId = order['accountId'] as string;
  const out: Simulated[] = [];
  for (let i = 0; i < installations; i++) {
    const { activationKey } = (await gate(() =>
      backOffice(
        'POST',
        region,
        `/v1/accounts/${accountId}/activation-keys`,
        { allocation: share },
        'POST /v1/accounts/{accountId}/activation-keys',
      ),
    )) as { activationKey: string };
    const faults: SimulatedFault[] = [];
    const roll = random();
    if (roll < 0.05) faults.push('express-db-near-cap');
    else if (roll < 0.1) faults.push('handle-leak');
    else if (roll < 0.14) faults.push('firewall-off');
    else if (roll < 0.18) faults.push('licence-near-full');
    for (const f of faults) faultCount.set(f, (faultCount.get(f) ?? 0) + 1);
    const { privateKey } = await generateIdentityKeys();
    const agent = new UcxAgent({
      identity: await identityOf(privateKey),
      state: new MemoryStateStore(),
      spool: new MemorySpool(4 * 1024 * 1024),
      collectors: [simulatedInstallation({ seed: Math.floor(random() * 2 ** 31), products, faults, licensed: share })],
      endpoint: cloud.regions[region].api,
      transport: { dispatcher: pool, proxy: null },
      observer: observerOf(),
    });
    const facts = { suiteVersion: '2025.2.1', nodes: [`ucx-${accountId}-${i + 1}`] };
    const claims = await retried(() => gate(() => agent.activate(activationKey, facts)));
    activated++;
    out.push({ agent, region, installationId: claims.sub });
  }
  return out;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(elapsedS: number): { table: string; fiveXx: number } {
  const rows = [['route', 'requests', 'statuses', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms']];
  let fiveXx = 0;
  for (const [route, byStatus] of [...statuses].sort()) {
    const sorted = [...(latencies.get(route) ?? [])].sort((a, b) => a - b);
    const total = [...byStatus.values()].reduce((a, b) => a + b, 0);
    for (const [status, n] of byStatus) if (/^5/.test(status)) fiveXx += n;
    rows.push([
      route,
      String(total),
      [...byStatus]
        .sort()
        .map(([s, n]) => `${s}×${n}`)
        .join(' '),
      percentile(sorted, 50).toFixed(0),
      percentile(sorted, 90).toFixed(0),
      percentile(sorted, 99).toFixed(0),
      (sorted.at(-1) ?? 0).toFixed(0),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const table = [
    line(rows[0]!),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...rows.slice(1).map(line),
  ].join('\n');
  const faults = [...faultCount].map(([f, n]) => `${f} ${n}`).join(', ') || 'none';
  return {
    table:
      `${N} installations (${activated} activated), ${elapsedS.toFixed(0)} s, ${cycles} cycles (${polls} with a poll), concurrency ${concurrency}, a default cycle (${defaultCycleSeconds / 60} min) every ~${cycleSeconds} s, time ×${timeFactor.toFixed(0)}\n` +
      `requests ${requests} (${(requests / elapsedS).toFixed(1)}/s), 5xx ${fiveXx}, beats sent ${beatsSent}, accepted ${beatsAccepted}; faults simulated: ${faults}\n\n${table}`,
    fiveXx,
  };
}

async function main() {
  const started = Date.now();
  const progress = setInterval(() => {
    const fiveXx = [...statuses.values()]
      .flatMap((m) => [...m])
      .filter(([s]) => s.startsWith('5'))
      .reduce((a, [, n]) => a + n, 0);
    process.stdout.write(
      `[${((Date.now() - started) / 1000).toFixed(0)} s] activated ${activated}/${N}, cycles ${cycles}, requests ${requests}, 5xx ${fiveXx}, beats accepted ${beatsAccepted}\n`,
    );
  }, 5000);
  progress.unref();

  // Customers of 1–4 installations each, until N.
  const sizes: number[] = [];
  for (let left = N; left > 0; ) {
    const size = Math.min(left, 1 + Math.floor(random() * random() * 4));
    sizes.push(size);
    left -= size;
  }
  const fleet = (await Promise.all(sizes.map((size, i) => createCustomer(i, size)))).flat();
  const activatedAt = Date.now();
  if (values['installation-ids'])
    writeFileSync(values['installation-ids'], JSON.stringify(fleet.map((s) => s.installationId)));
  // The cycles' requests and this process's CPU, for the bench's CPU per request (bench/fleet-row.ts).
  // The simulator's own delay in answering its timers and sockets: part of every latency it measures.
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const requestsAtActivation = requests;
  const cpuAtActivation = process.cpuUsage();
  process.stdout.write(
    `activated ${fleet.length} installations in ${((activatedAt - started) / 1000).toFixed(1)} s; running cycles for ${durationMs / 1000} s\n`,
  );

  const controller = new AbortController();
  setMaxListeners(0, controller.signal); // every installation's wait listens to it
  const stop = setTimeout(() => controller.abort(), durationMs);
  // A fleet in its steady state: each installation starts at a random point of its cycle, not all
  // 1,000 in the same second (a start no real fleet makes, and a burst that would dominate the p99).
  const phaseMs = (agent: UcxAgent) =>
    (random() * 1000 * (agent.state().intervalSeconds ?? defaultCycleSeconds)) / timeFactor;
  await Promise.all(
    fleet.map(async ({ agent }) => {
      await sleep(phaseMs(agent), undefined, { signal: controller.signal }).catch(() => undefined);
      return agent.run(controller.signal, {
        timeScale: 1 / timeFactor,
        gate,
        onCycle: ({ poll, telemetry, error }) => {
          cycles++;
          if (poll) polls++;
          if (telemetry) {
            beatsSent += telemetry.sent;
            beatsAccepted += telemetry.accepted;
          }
          if (error instanceof UnreachableError) record('(unreachable)', 'network');
        },
      });
    }),
  );
  clearTimeout(stop);
  lag.disable();
  const cpu = process.cpuUsage(cpuAtActivation);
  const cyclesS = (Date.now() - activatedAt) / 1000;
  // What the fleet asked for (each licence's cycle, time compressed) against what it got: a cloud
  // that cannot keep up serves fewer, and its requests queue (the p99 then measures the queue).
  const offered = fleet.reduce(
    (sum, { agent }) => sum + timeFactor / (agent.state().intervalSeconds ?? defaultCycleSeconds),
    0,
  );
  process.stdout.write(
    `cycles ended after ${cyclesS.toFixed(1)} s: ${requests - requestsAtActivation} requests, client CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, cycles offered ${offered.toFixed(1)}/s, served ${(cycles / cyclesS).toFixed(1)}/s\n`,
  );
  const steady = [...steadyPosts].sort((a, b) => a - b);
  const ms = (ns: number) => (ns / 1e6).toFixed(0);
  process.stdout.write(
    `posts after each installation's first: ${steady.length}, p50 ${percentile(steady, 50).toFixed(0)} / p99 ${percentile(steady, 99).toFixed(0)} ms; the simulator's event-loop delay p50 ${ms(lag.percentile(50))} / p99 ${ms(lag.percentile(99))} ms\n`,
  );
  if (!values.keep) await Promise.all(fleet.map(({ agent }) => gate(() => agent.deactivate().catch(() => undefined))));
  clearInterval(progress);
  await Promise.all(fleet.map(({ agent }) => agent.close()));
  await pool.close();
  const { table, fiveXx } = summary((Date.now() - started) / 1000);
  process.stdout.write(`\n${table}\n`);
  process.exitCode = fiveXx > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`fleet: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 2;
});

/**
 * Crash consistency, shown (issue 17, finding 16): a fleet of SDK agents runs against a local cloud
 * of the test's own; the whole cloud (node, DynamoDB Local's guard and JVM) is SIGKILLed while
 * activations, telemetry and the stream consumers are in flight, and started again on the same data
 * dir and ports; the fleet finishes. Every beat answered 2xx is read back once from the archive
 * view, no account holds more than its capacity or allocates other than its installations hold, the
 * open findings equal one uninterrupted pass of the archived beats through the same engine and
 * rules, and no request was answered 5xx. The figures: docs/local-cloud.md#crash-consistency.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { seededRandom, simulatedInstallation, type SimulatedFault } from '#agent/collectors/simulated';
import { UcxAgent } from '#agent/sdk/agent';
import { identityOf } from '#agent/sdk/identity';
import { generateIdentityKeys } from '#agent/sdk/signing';
import { MemorySpool } from '#agent/sdk/spool';
import { MemoryStateStore } from '#agent/sdk/state';
import { defaultCycleSeconds } from '#lambdas/core/telemetry/cadence';
import { readArchive, type ArchiveRow } from '#local/archive-reader';
import { allRules } from '#lambdas/core/rules/catalogue/index';
import { evaluateInstallation } from '#lambdas/core/rules/engine';
import type { Beat } from '#lambdas/core/telemetry/catalogue';
import type { Product } from '#lambdas/core/licensing/catalogue';
import { dynamoDbPidFile, freePort } from '#local/emulators';
import { runCloud, startCloudProcess, type CloudInfo, type CloudProcess } from '#test/support/local-cloud';

const INSTALLATIONS = 20;
/** one default telemetry cycle lasts this many real seconds */
const CYCLE_SECONDS = 4;
const CRASH_AT_MS = 9_000;
const DOWN_MS = 3_000;
const RUN_AFTER_RESTART_MS = 12_000;
const PRODUCTS = ['attendant-console', 'call-recording', 'ivr'];

/** Remembers the beats the cloud answered 2xx for (the agent removes a batch from its spool then). */
class RecordingSpool extends MemorySpool {
  readonly answered = new Set<string>();
  override remove(ids: readonly string[]): void {
    for (const id of ids) this.answered.add(id);
    super.remove(ids);
  }
}

interface Member {
  readonly node: string;
  readonly agent: UcxAgent;
  readonly spool: RecordingSpool;
  readonly accountId: string;
  readonly region: 'eu' | 'us';
}

describe('a crash of the whole local cloud mid-run', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ucx-crash-'));
  const pool = new Agent({ connections: 16 });
  const statuses = new Map<string, number>();
  let cloud: CloudProcess | undefined;
  let args: string[] = [];

  const start = async (fresh: boolean) => {
    cloud = await startCloudProcess({ dataDir, fresh, assemblyDir: runCloud().assemblyDir, extraArgs: args });
    return cloud.info;
  };

  /** SIGKILL to every process of the cloud at once: node (kinesalite, s3rver, the functions), the guard, java. */
  const crash = (running: CloudProcess) => {
    const java = Number(readFileSync(dynamoDbPidFile(dataDir), 'utf8'));
    const guard = Number(spawnSync('ps', ['-o', 'ppid=', '-p', String(java)], { encoding: 'utf8' }).stdout.trim());
    for (const pid of [running.pid, guard, java]) process.kill(pid, 'SIGKILL');
  };

  beforeAll(async () => {
    const [eu, us, dynamodb, kinesis, s3, euWs, usWs] = await Promise.all(Array.from({ length: 7 }, () => freePort()));
    // Fixed ports: the agents keep their endpoints across the restart, as real ones do.
    args = [
      ...['--eu-port', `${eu}`, '--us-port', `${us}`, '--dynamodb-port', `${dynamodb}`],
      ...['--kinesis-port', `${kinesis}`, '--s3-port', `${s3}`, '--eu-ws-port', `${euWs}`, '--us-ws-port', `${usWs}`],
      ...['--max-batching-window', '1', '--retry-delay-ms', '20', '--poll-ms', '100'],
    ];
    await start(true);
  }, 180_000);

  afterAll(async () => {
    await cloud?.stop();
    await pool.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('loses no accepted beat, over-allocates nothing, finds what an uninterrupted pass finds, and answers no 5xx', async () => {
    const info = cloud!.info;
    const random = seededRandom(17);
    const observer = {
      onResponse: (route: string, status: number) =>
        statuses.set(`${route} ${status}`, (statuses.get(`${route} ${status}`) ?? 0) + 1),
    };
    const ops = async (region: 'eu' | 'us', method: string, path: string, body: unknown) => {
      const res = await fetch(info.regions[region].api + path, {
        method,
        headers: { authorization: `Bearer ${info.tokens.ops}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, unknown>;
    };
    // Five accounts of four installations, one in three in the US; a few faults the rules catch.
    const members: Member[] = [];
    const faults: SimulatedFault[] = ['express-db-near-cap', 'firewall-off', 'handle-leak'];
    for (let a = 0; a < INSTALLATIONS / 4; a++) {
      const region = a % 3 === 2 ? 'us' : 'eu';
      const order = await ops(region, 'PUT', `/v1/ops/orders/crash-${randomUUID()}`, {
        account: { create: { name: `Crash customer ${a}`, region } },
        lines: PRODUCTS.map((product) => ({ product, quantity: 40, kind: 'perpetual' })),
      });
      for (let i = 0; i < 4; i++) {
        const spool = new RecordingSpool(4 * 1024 * 1024);
        const { privateKey } = await generateIdentityKeys();
        const n = a * 4 + i;
        members.push({
          node: `crash-${randomUUID()}`,
          accountId: order['accountId'] as string,
          region,
          spool,
          agent: new UcxAgent({
            identity: await identityOf(privateKey),
            state: new MemoryStateStore(),
            spool,
            collectors: [
              simulatedInstallation({
                seed: Math.floor(random() * 2 ** 31),
                products: PRODUCTS,
                faults: n % 5 === 0 ? [faults[(n / 5) % 3]!] : [],
              }),
            ],
            endpoint: info.regions[region].api,
            transport: { dispatcher: pool, proxy: null },
            observer,
          }),
        });
      }
    }

    // Activations, then cycles; the crash comes while the last activations and the first cycles run.
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    const activate = async (m: Member) => {
      const { activationKey } = (await retrying(() =>
        ops(m.region, 'POST', `/v1/accounts/${m.accountId}/activation-keys`, {
          allocation: Object.fromEntries(PRODUCTS.map((p) => [p, 5])),
        }),
      )) as { activationKey: string };
      await retrying(() => m.agent.activate(activationKey, { suiteVersion: '2025.2.1', nodes: [m.node] }));
    };
    // Two activations at a time, as an administrator's rollout would go; each installation runs once active.
    const runs: Promise<void>[] = [];
    const rollout = [0, 1].map(async (lane) => {
      for (const m of members.filter((_, i) => i % 2 === lane)) {
        await activate(m);
        runs.push(m.agent.run(controller.signal, { timeScale: CYCLE_SECONDS / defaultCycleSeconds }));
      }
    });
    await new Promise((r) => setTimeout(r, CRASH_AT_MS));
    crash(cloud!);
    await new Promise((r) => setTimeout(r, DOWN_MS));
    await start(false);
    await Promise.all(rollout);
    await new Promise((r) => setTimeout(r, RUN_AFTER_RESTART_MS));
    controller.abort();
    await Promise.all(runs);
    // What the last cycles spooled, sent before judging.
    for (const m of members) if (m.agent.state().installationId) await m.agent.flush().catch(() => undefined);

    // Every answered beat once in the view (the consumers catch up within seconds at test pace).
    const answered = new Set(members.flatMap((m) => [...m.spool.answered]));
    const installations = new Set(members.map((m) => m.agent.state().installationId!));
    let viewIds: string[] = [];
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      const rows = await readArchive(cloud!.info);
      viewIds = rows.filter((r) => installations.has(r.installation_id)).map((r) => r.beat_id);
      if ([...answered].every((id) => viewIds.includes(id))) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    const fiveXx = [...statuses].filter(([key]) => / 5\d\d$/.test(key));
    // The findings the consumers left after the crash and replay, and those of one uninterrupted pass
    // of the archived beats through the same engine and rules.
    const rows = await readArchive(cloud!.info);
    const findings = await Promise.all(
      members.map(async (m) => ({
        cloud: await openFindings(cloud!.info, m),
        replay: await replayedFindings(m, rows),
      })),
    );
    const accounts = await accountsOf(cloud!.info, [...new Set(members.map((m) => m.accountId))], members);

    expect(members.every((m) => m.agent.state().installationId)).toBe(true);
    expect(answered.size).toBeGreaterThan(100);
    expect([...answered].filter((id) => !viewIds.includes(id))).toEqual([]);
    expect(viewIds.length).toBe(new Set(viewIds).size);
    expect(viewIds.filter((id) => !answered.has(id))).toEqual([]);
    expect(accounts.filter((a) => a.allocated > a.capacity || a.allocated !== a.expected)).toEqual([]);
    expect(fiveXx).toEqual([]);
    expect(findings.map((f) => f.cloud)).toEqual(findings.map((f) => f.replay));
    expect(findings.flatMap((f) => f.cloud).length).toBeGreaterThan(0);
    process.stdout.write(
      `crash run: ${members.length} installations, ${answered.size} beats answered 2xx, ${viewIds.length} in the view; ${[...statuses].map(([k, n]) => `${k}×${n}`).join(', ')}; open findings ${findings.flatMap((f) => f.cloud).length} (${[...new Set(findings.flatMap((f) => f.cloud).map((f) => f.split(' ')[0]))].join(', ')})\n`,
    );
  }, 240_000); // ~165 s on the shared 2-core machine at load 30
});

async function openFindings(info: CloudInfo, m: Member): Promise<string[]> {
  const res = await fetch(`${info.regions[m.region].api}/v1/installations/${m.agent.state().installationId}/findings`, {
    headers: { authorization: `Bearer ${info.tokens.ops}` },
  });
  const body = (await res.json()) as { findings: { ruleId: string; subject: string }[] };
  return body.findings.map((f) => `${f.ruleId} ${f.subject}`).sort();
}

/** One pass of the installation's archived beats, oldest first, through the rules engine. */
async function replayedFindings(m: Member, rows: readonly ArchiveRow[]): Promise<string[]> {
  const installationId = m.agent.state().installationId!;
  const claims = await m.agent.currentLicense();
  const beats = rows
    .filter((r) => r.installation_id === installationId)
    .sort((a, b) => a.collected_at.localeCompare(b.collected_at))
    .map((r, i) => ({
      beat: { id: r.beat_id, type: r.type, collectedAt: r.collected_at, data: JSON.parse(r.data) } as Beat,
      shardId: 'shardId-000000000000',
      sequenceNumber: String(i + 1),
    }));
  const out = evaluateInstallation({
    state: undefined,
    rules: allRules,
    licence: {
      installationId,
      accountId: m.accountId,
      careLevel: 'none',
      products: claims.products.map((p) => ({ product: p.product as Product, capacity: p.capacity, kind: p.kind })),
      activatedNodes: [m.node],
      telemetryEnabled: true,
    },
    beats,
    now: Date.now(),
  });
  return out.findings
    .filter((f) => f.status === 'open')
    .map((f) => `${f.ruleId} ${f.subject}`)
    .sort();
}

/** Retries a call while the cloud is down (network errors), two minutes at most. */
async function retrying<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (
        attempt >= 240 ||
        !/fetch failed|ECONNREFUSED|ECONNRESET|socket|unreachable/i.test(
          String((error as Error).message) + String((error as Error).cause ?? ''),
        )
      )
        throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function accountsOf(info: CloudInfo, accountIds: string[], members: Member[]) {
  const out: { accountId: string; product: string; capacity: number; allocated: number; expected: number }[] = [];
  for (const accountId of accountIds) {
    const region = members.find((m) => m.accountId === accountId)!.region;
    const res = await fetch(`${info.regions[region].api}/v1/accounts/${accountId}`, {
      headers: { authorization: `Bearer ${info.tokens.ops}` },
    });
    const body = (await res.json()) as { products: { product: string; capacity: number; allocated: number }[] };
    const active = members.filter((m) => m.accountId === accountId && m.agent.state().installationId).length;
    for (const p of body.products)
      out.push({ accountId, product: p.product, capacity: p.capacity, allocated: p.allocated, expected: active * 5 });
  }
  return out;
}

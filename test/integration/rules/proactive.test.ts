import { randomUUID } from 'node:crypto';
import type { TestAgent } from '../../support/agent-client';
import { tokenFor } from '../../support/local-cloud';
import { activatedAgent, api, call, newAccount, perpetual } from '../../support/licensing-api';
import { postBeats } from '../../support/telemetry-api';

jest.setTimeout(120_000);

const GIB = 1024 ** 3;
const support = () => tokenFor({ groups: ['support'] });

/** Beats one second apart from now on, so each is the newest of its type when it arrives. */
let clock = Date.now() - 60_000;
const beat = (type: string, data: Record<string, unknown>) => ({ id: randomUUID(), type, collectedAt: new Date((clock += 1000)).toISOString(), data });
const server = () => beat('ucx.database_server', { edition: 'Express Edition (64-bit)', version: '16.0.1000.6', instanceName: 'SQLEXPRESS' });
const database = (gib: number) =>
  beat('ucx.database', {
    name: 'UCX',
    sizeBytes: Math.round(gib * GIB),
    filePaths: ['C:\\Program Files\\Microsoft SQL Server\\UCX.mdf'],
    authType: 'windows',
    fullTextCatalogStatus: 'Idle',
    lastMaintenanceAt: new Date().toISOString(),
  });

async function findings(installationId: string) {
  const res = await call('GET', `${api()}/v1/installations/${installationId}/findings?status=all`, { token: support() });
  return res.status === 200 ? (res.json.findings as { ruleId: string; severity: string; status: string; history: { event: string }[] }[]) : [];
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const expressFinding = (installationId: string, predicate: (f: { severity: string; status: string }) => boolean) =>
  until(`db-express-cap finding of ${installationId}`, async () => (await findings(installationId)).find((f) => f.ruleId === 'db-express-cap' && predicate(f)));

async function busEvents(installationId: string) {
  const res = await call('GET', `${api()}/local/events`);
  const events = (res.json?.events ?? []) as { detail: { finding: { installationId: string }; kind: string } }[];
  return events.filter((e) => e.detail?.finding?.installationId === installationId).map((e) => e.detail.kind);
}

describe('proactive support on the local cloud (ingest → Kinesis → rules)', () => {
  let gold: TestAgent;
  let basic: TestAgent;

  beforeAll(async () => {
    ({ agent: gold } = await activatedAgent(await newAccount([perpetual('attendant-console', 5, 'gold')])));
    ({ agent: basic } = await activatedAgent(await newAccount([perpetual('attendant-console', 5, 'basic')])));
  });

  it('opens a warning at 85 % of the Express cap, escalates at 92 %, resolves after two beats back under, and tells the bus for Gold only', async () => {
    await postBeats(gold, { beats: [server(), database(8.5)] });
    await postBeats(basic, { beats: [server(), database(8.5)] });
    const warning = await expressFinding(gold.keyid, (f) => f.status === 'open');
    await expressFinding(basic.keyid, (f) => f.status === 'open');

    await postBeats(gold, { beats: [database(9.2)] });
    const critical = await expressFinding(gold.keyid, (f) => f.severity === 'critical');
    await postBeats(gold, { beats: [database(5)] });
    await new Promise((r) => setTimeout(r, 3000));
    const afterOneClear = await findings(gold.keyid);
    await postBeats(gold, { beats: [database(5)] });
    const resolved = await expressFinding(gold.keyid, (f) => f.status === 'resolved');

    expect(warning.severity).toBe('warning');
    expect(critical.status).toBe('open');
    expect(afterOneClear.find((f) => f.ruleId === 'db-express-cap')?.status).toBe('open');
    expect(resolved.history.map((h) => h.event)).toEqual(['opened', 'escalated', 'resolved']);
    expect((await findings(gold.keyid)).filter((f) => f.ruleId === 'db-express-cap')).toHaveLength(1);
    expect(await busEvents(gold.keyid)).toEqual(['opened', 'escalated', 'resolved']);
    expect(await busEvents(basic.keyid)).toEqual([]);
  });
});

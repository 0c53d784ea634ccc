import { randomUUID } from 'node:crypto';
import type { TestAgent } from '#test/support/agent-client';
import { tokenFor } from '#test/support/local-cloud';
import { activatedAgent, api, call, newAccount, perpetual } from '#test/support/licensing-api';
import { postBeats } from '#test/support/telemetry-api';

jest.setTimeout(120_000);

const GIB = 1024 ** 3;
const support = () => tokenFor({ groups: ['support'] });

/** Beats one second apart from now on, so each is the newest of its type when it arrives. */
let clock = Date.now() - 60_000;
const beat = (type: string, data: Record<string, unknown>) => {
  clock += 1000;
  return { id: randomUUID(), type, collectedAt: new Date(clock).toISOString(), data };
};
const server = () =>
  beat('ucx.database_server', {
    edition: 'Express Edition (64-bit)',
    version: '16.0.1000.6',
    instanceName: 'SQLEXPRESS',
  });
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
  const res = await call('GET', `${api()}/v1/installations/${installationId}/findings?status=all`, {
    token: support(),
  });
  return res.status === 200
    ? (res.json.findings as {
        ruleId: string;
        severity: string;
        status: string;
        history: { event: string }[];
        title: string;
        message: string;
      }[])
    : [];
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
  until(`db-express-cap finding of ${installationId}`, async () =>
    (await findings(installationId)).find((f) => f.ruleId === 'db-express-cap' && predicate(f)),
  );

async function busEvents(installationId: string) {
  const res = await call('GET', `${api()}/local/events`);
  const events = (res.json?.events ?? []) as {
    detail: { finding: { installationId: string; title?: string; message?: string }; kind: string };
  }[];
  return events.filter((e) => e.detail?.finding?.installationId === installationId).map((e) => e.detail.kind);
}

/** the words each bus event of the installation carries */
async function busWords(installationId: string) {
  const res = await call('GET', `${api()}/local/events`);
  const events = (res.json?.events ?? []) as { detail: { finding: { installationId: string; title?: string } } }[];
  return events.filter((e) => e.detail?.finding?.installationId === installationId).map((e) => e.detail.finding.title);
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
    expect(warning.title).toBe('Database UCX near the SQL Server Express cap');
    expect(warning.message).toBe('SQL Server Express database UCX is at 8.5 GB of its 10 GB cap (85 %).');
    expect(critical.status).toBe('open');
    expect(afterOneClear.find((f) => f.ruleId === 'db-express-cap')?.status).toBe('open');
    expect(resolved.history.map((h) => h.event)).toEqual(['opened', 'escalated', 'resolved']);
    expect((await findings(gold.keyid)).filter((f) => f.ruleId === 'db-express-cap')).toHaveLength(1);
    expect(await busEvents(gold.keyid)).toEqual(['opened', 'escalated', 'resolved']);
    expect(await busEvents(basic.keyid)).toEqual([]);
    expect(await busWords(gold.keyid)).toEqual(Array(3).fill('Database UCX near the SQL Server Express cap'));
  });
});

describe('the support API on the local cloud', () => {
  it('shows support the snapshot and findings, takes an acknowledgement, and keeps the note from the customer', async () => {
    const accountId = await newAccount([perpetual('ivr', 2, 'platinum')]);
    const { agent } = await activatedAgent(accountId);
    await postBeats(agent, { beats: [server(), database(9.5)] });
    const finding = await until('a finding', async () =>
      (await findings(agent.keyid)).find((f) => f.ruleId === 'db-express-cap'),
    );
    const findingId = (finding as unknown as { findingId: string }).findingId;

    const snapshot = await call('GET', `${api()}/v1/installations/${agent.keyid}/snapshot`, { token: support() });
    const ack = await call('POST', `${api()}/v1/installations/${agent.keyid}/findings/${findingId}/acknowledgements`, {
      token: support(),
      body: { note: 'Called the customer: moving to SQL Standard next week.' },
    });
    const emptyNote = await call(
      'POST',
      `${api()}/v1/installations/${agent.keyid}/findings/${findingId}/acknowledgements`,
      {
        token: support(),
        body: { note: '' },
      },
    );
    const forSupport = await call('GET', `${api()}/v1/installations/${agent.keyid}/findings`, { token: support() });
    const forCustomer = await call('GET', `${api()}/v1/accounts/${accountId}/findings`, {
      token: tokenFor({ groups: ['customer'], accountId }),
    });
    const health = await call('GET', `${api()}/v1/accounts/${accountId}/installations/health`, { token: support() });
    const customerAck = await call(
      'POST',
      `${api()}/v1/installations/${agent.keyid}/findings/${findingId}/acknowledgements`,
      {
        token: tokenFor({ groups: ['customer'], accountId }),
        body: { note: 'hello' },
      },
    );

    expect(snapshot.status).toBe(200);
    expect(Object.keys(snapshot.json.beats).sort()).toEqual(['ucx.database', 'ucx.database_server']);
    expect(ack.status).toBe(201);
    expect(emptyNote.status).toBe(400);
    expect(emptyNote.json.errors.map((e: { path: string }) => e.path)).toContain('note');
    expect(forSupport.json.findings[0].acknowledgements).toEqual([
      expect.objectContaining({ note: expect.stringContaining('SQL Standard') }),
    ]);
    expect(forCustomer.status).toBe(200);
    expect(forCustomer.json.findings[0]).toMatchObject({ findingId, severity: 'critical' });
    expect(JSON.stringify(forCustomer.json)).not.toContain('SQL Standard');
    expect(health.json.installations[0]).toMatchObject({
      installationId: agent.keyid,
      openFindings: [expect.objectContaining({ findingId })],
    });
    expect(customerAck.status).toBe(403);
  });
});

/** Support across accounts on the local cloud: the last-beat index walked with its filters and cursor. */
import { randomUUID } from 'node:crypto';
import { tokenFor } from '#test/support/local-cloud';
import { activatedAgent, api, call, expectProblem, newAccount, perpetual } from '#test/support/licensing-api';
import { postBeats } from '#test/support/telemetry-api';

jest.setTimeout(120_000);

const GIB = 1024 ** 3;
const support = () => tokenFor({ groups: ['support'] });
let clock = Date.now() - 60_000;
const beat = (type: string, data: Record<string, unknown>) => {
  clock += 1000;
  return { id: randomUUID(), type, collectedAt: new Date(clock).toISOString(), data };
};

interface Row {
  installationId: string;
  accountId: string;
  careLevel: string | null;
  openFindings: { severity: string }[];
}

/** Every installation the filter selects, following the cursor to the end. */
async function all(query: string): Promise<Row[]> {
  const rows: Row[] = [];
  let cursor: string | null = null;
  do {
    const res = await call(
      'GET',
      `${api()}/v1/support/installations?limit=200&${query}${cursor ? `&cursor=${cursor}` : ''}`,
      { token: support() },
    );
    if (res.status !== 200) throw new Error(`listing refused: ${res.text}`);
    rows.push(...(res.json.installations as Row[]));
    cursor = res.json.nextCursor;
  } while (cursor);
  return rows;
}

let platinum: string;
let basic: string;

beforeAll(async () => {
  const [platinumAccount, basicAccount] = await Promise.all([
    newAccount([perpetual('ivr', 2, 'platinum')]),
    newAccount([perpetual('ivr', 2, 'basic')]),
  ]);
  const [a, b] = await Promise.all([activatedAgent(platinumAccount), activatedAgent(basicAccount)]);
  platinum = a.agent.keyid;
  basic = b.agent.keyid;
  const server = () =>
    beat('ucx.database_server', {
      edition: 'Express Edition (64-bit)',
      version: '16.0.1000.6',
      instanceName: 'SQLEXPRESS',
    });
  const database = () =>
    beat('ucx.database', {
      name: 'UCX',
      sizeBytes: Math.round(9.5 * GIB),
      filePaths: [],
      authType: 'windows',
      fullTextCatalogStatus: 'Idle',
      lastMaintenanceAt: new Date().toISOString(),
    });
  await postBeats(a.agent, { beats: [server(), database()] });
  await postBeats(b.agent, { beats: [beat('ucx.logging', { enabled: true, retentionDays: 30 })] });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rows = await all('');
    const open = rows.find((r) => r.installationId === platinum)?.openFindings.length ?? 0;
    if (open > 0 && rows.some((r) => r.installationId === basic)) return;
    if (Date.now() > deadline) throw new Error('the rules Lambda did not evaluate both installations');
    await new Promise((r) => setTimeout(r, 500));
  }
});

describe('GET /v1/support/installations', () => {
  it('finds installations of every account by open-finding severity and Care', async () => {
    const warned = await all('severity=warning');
    const basicCare = await all('care=basic');

    expect(warned.map((r) => r.installationId)).toContain(platinum);
    expect(warned.map((r) => r.installationId)).not.toContain(basic);
    expect(basicCare.map((r) => r.installationId)).toContain(basic);
    expect(basicCare.every((r) => r.careLevel === 'basic')).toBe(true);
  });

  it('leaves out installations that sent a beat within the silent hours', async () => {
    const silent = await all('silentHours=1');

    expect(silent.map((r) => r.installationId)).not.toContain(platinum);
    expect(silent.map((r) => r.installationId)).not.toContain(basic);
  });

  it('pages with a cursor and refuses a forged one', async () => {
    const first = await call('GET', `${api()}/v1/support/installations?limit=1`, { token: support() });
    const forged = await call('GET', `${api()}/v1/support/installations?cursor=Zm9v`, { token: support() });

    expect(first.json.installations).toHaveLength(1);
    expect(typeof first.json.nextCursor).toBe('string');
    expectProblem(forged, 400, 'query.cursor');
  });
});

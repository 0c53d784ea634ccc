import { randomUUID } from 'node:crypto';
import { readArchive } from '#local/archive-reader';
import { catalogueFieldPaths, type Beat } from '#lambdas/core/telemetry/catalogue';
import type { ArchiveRow } from '#lambdas/core/telemetry/archive-row';
import type { TestAgent } from '#test/support/agent-client';
import { cloud, cloudNow } from '#test/support/local-cloud';
import { activatedAgent, newAccount, perpetual } from '#test/support/licensing-api';
import { postBeats } from '#test/support/telemetry-api';
import { beatsCarryingPersonalData, personalDataNeedles, validBeatOfEveryType } from '#test/support/telemetry-fixtures';

jest.setTimeout(90_000);

/** ingest refuses beats dated far from their arrival: the fixtures' are sent as collected now */
const now = () => cloudNow().toISOString();

/** Waits until the archive holds `count` rows of the installation (the archiver batches for ~1 s in tests). */
async function archivedRows(installationId: string, count: number, timeoutMs = 60_000): Promise<ArchiveRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await readArchive(cloud(), { region: 'eu', installation: installationId });
    if (rows.length >= count || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Every key path of a JSON value, arrays as `[]`, e.g. `processes[].pid`. */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => leafPaths(v, `${prefix}[]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
  }
  return [prefix];
}

describe('the telemetry archive', () => {
  let agent: TestAgent;

  beforeAll(async () => {
    const accountId = await newAccount([perpetual('ivr', 1)]);
    ({ agent } = await activatedAgent(accountId));
  });

  it('holds every beat type of a batch, read back once each even when the batch was sent twice, with catalogue fields only', async () => {
    const beats = validBeatOfEveryType().map((b) => ({ ...b, id: randomUUID(), collectedAt: now() }) as Beat);

    const first = await postBeats(agent, { beats }, { gzip: true });
    const second = await postBeats(agent, { beats }, { gzip: true });
    const rows = (await archivedRows(agent.keyid, 25)).filter((r) => beats.some((b) => b.id === r.beat_id));

    expect([first.status, second.status]).toEqual([202, 202]);
    expect(rows).toHaveLength(25);
    expect(new Set(rows.map((r) => r.beat_id)).size).toBe(25);
    for (const row of rows) {
      const allowed = new Set(catalogueFieldPaths(row.type as Beat['type']));
      const outside = leafPaths(JSON.parse(row.data)).filter((path) => !allowed.has(path));
      expect({ type: row.type, outside }).toEqual({ type: row.type, outside: [] });
    }
  });

  it('holds no trace of personal data placed in every free-text field', async () => {
    const carried = beatsCarryingPersonalData().map((c) => ({ ...c.beat, collectedAt: now() }));
    for (let i = 0; i < carried.length; i += 400) {
      const res = await postBeats(agent, { beats: carried.slice(i, i + 400) }, { gzip: true });
      expect(res.status).toBe(202);
      expect(res.json.redactions.length).toBeGreaterThan(0);
    }

    const rows = (await archivedRows(agent.keyid, 25 + carried.length)).filter((r) =>
      carried.some((b) => b.id === r.beat_id),
    );
    const archived = JSON.stringify(rows).toLowerCase();

    expect(rows).toHaveLength(carried.length);
    for (const needle of personalDataNeedles)
      expect({ needle, found: archived.includes(needle.toLowerCase()) }).toEqual({ needle, found: false });
  });
});

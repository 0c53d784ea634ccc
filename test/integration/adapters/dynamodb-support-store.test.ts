/**
 * The rules' state in the support table, against the local cloud's real DynamoDB Local on a table
 * of its own: the STATE item and the STATE#APART item beside it, what each batch writes, items
 * of the shape written before the state was compacted, and how the sweep finds the silent among
 * them (DynamoDbSilentInstallations).
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoItemBytes } from '#lambdas/adapters/dynamodb-item-size';
import { DynamoDbSupportReads } from '#lambdas/adapters/dynamodb-support-reads';
import { DynamoDbSilentInstallations } from '#lambdas/adapters/dynamodb-silent-installations';
import { DynamoDbSupportStore, SILENT_BAND_SETTLES_MS } from '#lambdas/adapters/dynamodb-support-store';
import { SILENT_SUPPORT_DATA_DAYS } from '#lambdas/core/accounts/retention';
import { rule as expressCap } from '#lambdas/core/rules/catalogue/db-express-cap';
import { evaluateInstallation, type BatchBeat } from '#lambdas/core/rules/engine';
import { StateConflict } from '#lambdas/core/rules/ports';
import { emptyState, type InstallationState } from '#lambdas/core/rules/state';
import { createSupportTable, type SupportTable } from '#test/support/support-table';
import { beatAt, HOUR, licenceFacts, T0 } from '#test/support/rules-harness';

jest.setTimeout(30_000);

const tableName = `support-store-test-${process.pid}-${Date.now()}`;
const GIB = 1024 ** 3;
const MINUTE = 60_000;
/** the rules run after the beats they evaluate were collected (beats dated past now are skipped) */
const EVALUATED_AT = T0 + 24 * HOUR;
let table: SupportTable;
let documents: DynamoDBDocumentClient;
let store: DynamoDbSupportStore;
let sweep: DynamoDbSilentInstallations;
let reads: DynamoDbSupportReads;

beforeAll(async () => {
  table = await createSupportTable(tableName);
  documents = table.documents;
  reads = new DynamoDbSupportReads(documents, tableName);
  store = new DynamoDbSupportStore(documents, tableName);
  sweep = new DynamoDbSilentInstallations(documents, tableName);
});

afterAll(async () => {
  await table?.drop();
});

/** Commits `state` over `previous` as the rules do, with no finding or snapshot. */
const commitOver = (on: DynamoDbSupportStore, state: InstallationState, previous: InstallationState | undefined) =>
  on.commit({
    state,
    expectedVersion: previous?.version ?? 0,
    ...(previous ? { previous } : {}),
    findings: [],
    snapshots: [],
    careLevel: 'gold',
  });

/** the state as a sandbox that never wrote it reads it: from the table */
const fromTable = (installationId: string) =>
  new DynamoDbSupportStore(documents, tableName, 0).getState(installationId);

const item = async (installationId: string, sk: string) =>
  (await documents.send(new GetCommand({ TableName: tableName, Key: { pk: `INST#${installationId}`, sk } }))).Item;

/** One batch as the rules Lambda runs it: read, evaluate, commit over what was read. */
async function batch(installationId: string, beats: readonly { beat: BatchBeat['beat'] }[], sequence: number) {
  const licence = licenceFacts({ installationId, accountId: 'acc_storetest000001' });
  const state = await store.getState(installationId);
  const out = evaluateInstallation({
    state,
    rules: [expressCap],
    licence,
    beats: beats.map((b, i) => ({ ...b, shardId: 'shardId-000000000000', sequenceNumber: String(sequence + i) })),
    now: EVALUATED_AT,
  });
  await store.commit({
    state: out.state,
    expectedVersion: state?.version ?? 0,
    ...(state ? { previous: state } : {}),
    findings: out.findings,
    snapshots: [],
    careLevel: licence.careLevel,
  });
  return out;
}

const server = (at: number) => beatAt('ucx.database_server', at, { edition: 'Express Edition', version: '16.0.1' });
const db = (at: number, gib: number) => beatAt('ucx.database', at, { name: 'UCX', sizeBytes: gib * GIB });

describe('DynamoDbSupportStore', () => {
  it('moves what a batch left unchanged to STATE#APART when STATE would pass a kilobyte, and leaves it there while it does not change', async () => {
    // Arrange: an installation whose rule memory holds a large, slow fact (a baseline, say)
    const id = 'inst_storetest000001';
    const licence = licenceFacts({ installationId: id, accountId: 'acc_storetest000001' });
    let x = 7;
    const baseline = Array.from({ length: 400 }, () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x % 100_000;
    });
    const commit = async (change: (state: InstallationState) => InstallationState) => {
      const previous = await store.getState(id);
      const state = change(previous ?? { ...emptyState(id, licence.accountId), lastBeatAt: T0 });
      await commitOver(store, state, previous);
      return state;
    };
    const tick = (state: InstallationState): InstallationState => ({
      ...state,
      lastBeatAt: state.lastBeatAt! + 300_000,
      memory: { ...state.memory, counter: { series: {}, facts: { at: state.lastBeatAt! + 300_000 } } },
    });
    await commit((s) => tick({ ...s, memory: { baseline: { series: {}, facts: { week: baseline } } } }));
    const inlineAtFirst = await item(id, 'STATE#APART');

    // Act
    await commit(tick);
    const apart = await item(id, 'STATE#APART');
    const last = await commit(tick);
    const apartAfter = await item(id, 'STATE#APART');
    const back = await fromTable(id);

    // Assert
    expect(inlineAtFirst).toBeUndefined();
    expect(apart?.['state']).toBeInstanceOf(Uint8Array);
    expect(apartAfter?.['state']).toEqual(apart?.['state']);
    expect(dynamoItemBytes((await item(id, 'STATE'))!)).toBeLessThanOrEqual(1024);
    expect(back).toEqual({ ...last, version: 3 });
  });

  it('reads back exactly the state it wrote, from an item of about a hundred bytes plus the state', async () => {
    const id = 'inst_storetest000002';
    await batch(id, [server(T0)], 1);
    const out = await batch(id, [db(T0 + HOUR, 9.5)], 2);

    const back = await fromTable(id);
    const stored = (await item(id, 'STATE'))!;

    expect(back).toEqual({ ...out.state, version: 2 });
    expect(stored).not.toHaveProperty('memory');
    expect(stored).not.toHaveProperty('installationId');
    expect(dynamoItemBytes(stored)).toBeLessThan(1024);
    expect(await reads.installationHealth(id)).toMatchObject({
      installationId: id,
      accountId: 'acc_storetest000001',
      openFindings: [
        expect.objectContaining({ ruleId: 'db-express-cap', subject: 'UCX', findingId: out.findings[0]!.findingId }),
      ],
    });
  });

  describe('the state it last wrote, kept for the next batch', () => {
    /** another writer's commit: the same STATE item one version on */
    const writtenElsewhere = async (id: string) => {
      const stored = (await item(id, 'STATE'))!;
      await documents.send(
        new PutCommand({ TableName: tableName, Item: { ...stored, version: Number(stored['version']) + 1 } }),
      );
      return Number(stored['version']) + 1;
    };
    const commitAgain = async (s: DynamoDbSupportStore, id: string) => {
      const previous = (await s.getState(id))!;
      await commitOver(s, { ...previous, lastBeatAt: previous.lastBeatAt! + MINUTE }, previous);
    };

    it('gives the next batch what the table holds, as STATE#APART is written and then left alone', async () => {
      // Arrange: a large, slow fact (a baseline) beside a counter that moves every batch
      const id = 'inst_storetest000010';
      let x = 11;
      const week = Array.from({ length: 400 }, () => {
        x = (x * 1103515245 + 12345) % 2 ** 31;
        return x % 100_000;
      });
      let previous: InstallationState | undefined;
      const apartStates: unknown[] = [];
      for (let i = 0; i < 6; i++) {
        const base = previous ?? { ...emptyState(id, 'acc_storetest000001'), lastBeatAt: T0 };
        const at = base.lastBeatAt! + 300_000;
        const state = {
          ...base,
          lastBeatAt: at,
          memory: {
            ...base.memory,
            ...(i === 0 ? { baseline: { series: {}, facts: { week } } } : {}),
            counter: { series: {}, facts: { at } },
          },
        };
        // Act
        await commitOver(store, state, previous);
        previous = await store.getState(id);
        apartStates.push((await item(id, 'STATE#APART'))?.['state']);
        // Assert
        expect(previous).toEqual(await fromTable(id));
      }
      expect(apartStates[0]).toBeUndefined();
      expect(apartStates.at(-1)).toBeInstanceOf(Uint8Array);
      expect(apartStates.at(-1)).toEqual(apartStates.at(-2));
    });

    it('is not read again: another writer is found by the version guard, and the next batch reads the table', async () => {
      // Arrange
      const id = 'inst_storetest000011';
      await batch(id, [server(T0)], 1);
      const version = await writtenElsewhere(id);
      // Act
      const kept = await store.getState(id);
      const conflict = commitAgain(store, id);
      // Assert
      expect(kept?.version).toBe(version - 1);
      await expect(conflict).rejects.toBeInstanceOf(StateConflict);
      expect((await store.getState(id))?.version).toBe(version);
      await commitAgain(store, id);
      expect((await item(id, 'STATE'))?.['version']).toBe(version + 1);
    });

    it('never writes back a state whose item was deleted meanwhile (a closed account erased)', async () => {
      // Arrange
      const id = 'inst_storetest000012';
      await batch(id, [server(T0)], 1);
      await documents.send(new DeleteCommand({ TableName: tableName, Key: { pk: `INST#${id}`, sk: 'STATE' } }));
      // Act
      const conflict = commitAgain(store, id);
      // Assert
      await expect(conflict).rejects.toBeInstanceOf(StateConflict);
      expect(await item(id, 'STATE')).toBeUndefined();
      expect(await store.getState(id)).toBeUndefined();
    });

    it('keeps at most the installations it is told, the least recently used leaving first; 0 keeps none', async () => {
      // Arrange
      const one = new DynamoDbSupportStore(documents, tableName, 1);
      const none = new DynamoDbSupportStore(documents, tableName, 0);
      const [a, b, c] = ['inst_storetest000013', 'inst_storetest000014', 'inst_storetest000015'];
      for (const id of [a, b, c]) await batch(id, [server(T0)], 1);
      await commitAgain(one, a);
      await commitAgain(one, b);
      await commitAgain(none, c);
      // Act
      const [versionA, versionB, versionC] = [
        await writtenElsewhere(a),
        await writtenElsewhere(b),
        await writtenElsewhere(c),
      ];
      // Assert: a left when b came; b is kept (one version behind the table); c was never kept
      expect((await one.getState(a))?.version).toBe(versionA);
      expect((await one.getState(b))?.version).toBe(versionB - 1);
      expect((await none.getState(c))?.version).toBe(versionC);
    });
  });

  it('reads an item of the old shape, skips the beats it remembered, and rewrites it compact', async () => {
    // Arrange: the state as the store wrote it before the watermark and the compact form
    const id = 'inst_storetest000003';
    const remembered = db(T0 + HOUR, 9.5);
    const old = evaluateInstallation({
      state: undefined,
      rules: [expressCap],
      licence: licenceFacts({ installationId: id, accountId: 'acc_storetest000001' }),
      beats: [server(T0), remembered].map((b, i) => ({
        ...b,
        shardId: 'shardId-000000000000',
        sequenceNumber: String(i + 1),
      })),
      now: EVALUATED_AT,
    }).state;
    const { atNewest: _atNewest, ...oldState } = old as InstallationState;
    const open = Object.entries(old.trackers).map(([key, t]) => ({
      findingId: t.open!.findingId,
      ruleId: key.split('|')[0],
      subject: key.slice(key.indexOf('|') + 1),
      severity: t.open!.severity,
      openedAt: t.open!.openedAt,
    }));
    await documents.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: `INST#${id}`,
          sk: 'STATE',
          type: 'state',
          ...oldState,
          version: 4,
          recentBeatIds: [remembered.beat.id.slice(0, 16)],
          careLevel: 'gold',
          openFindings: open,
          gsi2pk: 'ACC#acc_storetest000001',
          gsi2sk: `INST#${id}`,
        },
      }),
    );
    const healthBefore = await reads.installationHealth(id);

    // Act
    const resent = await batch(id, [remembered], 100);
    const rewritten = (await item(id, 'STATE'))!;
    const back = await store.getState(id);

    // Assert
    expect(healthBefore?.openFindings).toEqual(open);
    expect(resent).toMatchObject({ evaluated: 0, skipped: 1 });
    expect(rewritten).toMatchObject({ version: 5, state: expect.any(Uint8Array) });
    expect(rewritten).not.toHaveProperty('recentBeatIds');
    expect(back?.trackers).toEqual(old.trackers);
    expect(back?.memory).toEqual(old.memory);
    expect(await reads.installationHealth(id)).toMatchObject({ openFindings: open });
  });

  it('writes the TTL attribute the table declares: the rules state expires 90 days after its newest beat', async () => {
    const id = 'inst_storettl0000001';
    const out = await batch(id, [server(T0)], 1);

    const stored = (await item(id, 'STATE'))!;

    expect(stored['ttl']).toBe(Math.floor((out.state.lastBeatAt! + SILENT_SUPPORT_DATA_DAYS * 86_400_000) / 1000));
  });

  /** each installation's first state, its last beat at the time given */
  async function firstStates(beats: Readonly<Record<string, number>>) {
    for (const [id, lastBeatAt] of Object.entries(beats))
      await store.commit({
        state: { ...emptyState(id, 'acc_storetest000001'), lastBeatAt },
        expectedVersion: 0,
        findings: [],
        snapshots: [],
        careLevel: 'gold',
      });
  }

  it('finds the installations silent since a time exactly, though the index keys on the last beat down to 3 hours', async () => {
    // Arrange: a step of the index (days after the other tests' beats), installations beating in
    // it before and after the cut, one silent since the step before, one keyed on the next step
    const step = T0 + 30 * 24 * HOUR;
    const cut = step + 40 * MINUTE;
    const beats = {
      inst_storecut00000001: step - 5 * HOUR,
      inst_storecut00000002: step + 5 * MINUTE,
      inst_storecut00000003: cut,
      inst_storecut00000004: step + 2 * HOUR + 50 * MINUTE,
      inst_storecut00000005: step + 3 * HOUR + 5 * MINUTE,
    };
    await firstStates(beats);

    // Act
    const silent = await sweep.silentSince(cut, 1000);

    // Assert: those keyed on the step are judged by their exact beat
    const keys = await Promise.all(Object.keys(beats).map(async (id) => (await item(id, 'STATE'))!['gsi1sk']));
    expect(new Set(keys.slice(1, 4))).toEqual(new Set([new Date(step).toISOString()]));
    expect(silent.filter((id) => id in beats).sort()).toEqual(['inst_storecut00000001', 'inst_storecut00000002']);
  });

  it("judges a step's key only once two cycles of the step have passed: just after it, the living hold it too", async () => {
    // Arrange: a cut 10 minutes into a step, when most living installations have not beaten in it yet
    const step = T0 + 40 * 24 * HOUR;
    const cut = step + 10 * MINUTE;
    const beats = { inst_storeband00000001: step - 5 * HOUR, inst_storeband00000002: step + 5 * MINUTE };
    await firstStates(beats);

    // Act
    const early = await sweep.silentSince(cut, 1000);
    const settled = await sweep.silentSince(step + SILENT_BAND_SETTLES_MS, 1000);

    // Assert: the surely silent at once, the one in the step's key when the step has settled
    expect(early.filter((id) => id in beats)).toEqual(['inst_storeband00000001']);
    expect(settled.filter((id) => id in beats).sort()).toEqual(Object.keys(beats));
  });

  it('gives the most recently silent first, so long-silent installations beyond the limit do not hide one that just fell silent', async () => {
    // Arrange: days after the other tests' beats, twelve installations silent for ten days (in
    // several buckets) and one silent for four hours
    const cut = T0 + 80 * 24 * HOUR;
    const longSilent = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [`inst_storelong000${String(i).padStart(4, '0')}`, cut - 10 * 24 * HOUR]),
    );
    const recent = 'inst_storerecent00001';
    await firstStates({ ...longSilent, [recent]: cut - 4 * HOUR });

    // Act: a run's limit below the long-silent's number (one a bucket)
    const silent = await sweep.silentSince(cut, 8);

    // Assert: the one just silent is among them (oldest first, the limit went to the first buckets' long-silent)
    expect(silent).toHaveLength(8);
    expect(silent).toContain(recent);
    expect(await sweep.silentSince(cut - 5 * HOUR, 100)).not.toContain(recent);
  });

  it('gives the items without an expiry of a long-silent installation the expiry asked, and leaves the others', async () => {
    const quiet = 'inst_storesilent0001';
    const live = 'inst_storesilent0002';
    await batch(quiet, [server(T0)], 1);
    await batch(live, [server(T0 + 5 * HOUR)], 1);
    for (const id of [quiet, live])
      await documents.send(
        new PutCommand({ TableName: tableName, Item: { pk: `INST#${id}`, sk: 'ACK#f1#2026', note: 'seen' } }),
      );
    const stateTtl = (await item(quiet, 'STATE'))!['ttl'];
    const at = T0 + 91 * 86_400_000;

    const expired = await sweep.expireSilentRemains(T0 + 2 * HOUR, at, 10);
    const again = await sweep.expireSilentRemains(T0 + 2 * HOUR, at + HOUR, 10);

    expect(expired).toBeGreaterThanOrEqual(1);
    expect(again).toBe(0);
    expect((await item(quiet, 'ACK#f1#2026'))!['ttl']).toBe(Math.floor(at / 1000));
    expect((await item(quiet, 'STATE'))!['ttl']).toBe(stateTtl);
    expect((await item(live, 'ACK#f1#2026'))!['ttl']).toBeUndefined();
  });
});

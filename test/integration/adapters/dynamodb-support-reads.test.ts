/**
 * The support reads against the local cloud's real DynamoDB Local, on a table of their own with
 * the support table's key layout: the rules' own DynamoDbSupportStore writes state, findings and
 * snapshots, DynamoDbSupportReads reads them back (so the two cannot drift apart).
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbSupportReads } from '#lambdas/adapters/dynamodb-support-reads';
import { DynamoDbSupportStore, silentBucketOf } from '#lambdas/adapters/dynamodb-support-store';
import type { FindingRecord } from '#lambdas/core/rules/engine';
import { emptyState, type InstallationState } from '#lambdas/core/rules/state';
import { createSupportTable, type SupportTable } from '#test/support/support-table';
import { findingOf, snapshotOf } from '#test/support/support-fixtures';

jest.setTimeout(30_000);

const tableName = `support-reads-test-${process.pid}-${Date.now()}`;
const accountId = 'acc_supportreads01';
const installationId = 'inst_supportreads01';
let table: SupportTable;
let reads: DynamoDbSupportReads;
let store: DynamoDbSupportStore;
let documents: DynamoDBDocumentClient;

function stateWith(findings: readonly FindingRecord[], lastBeatAt: number): InstallationState {
  const trackers = Object.fromEntries(
    findings
      .filter((f) => f.status === 'open')
      .map((f) => [
        `${f.ruleId}|${f.subject}`,
        {
          hits: 1,
          clears: 0,
          open: {
            findingId: f.findingId,
            severity: f.severity,
            openedAt: f.openedAt,
            evidence: f.evidence,
            history: f.history,
          },
        },
      ]),
  );
  return { ...emptyState(installationId, accountId), lastBeatAt, trackers };
}

beforeAll(async () => {
  table = await createSupportTable(tableName);
  documents = table.documents;
  reads = new DynamoDbSupportReads(documents, tableName);
  store = new DynamoDbSupportStore(documents, tableName);
});

afterAll(async () => {
  await table?.drop();
});

describe('DynamoDbSupportReads', () => {
  const lastBeatAt = Date.parse('2026-03-02T09:00:00.000Z');
  const open = findingOf(installationId, accountId, { updatedAt: '2026-03-02T08:00:00.000Z' });
  const resolved = findingOf(installationId, accountId, {
    ruleId: 'dns-single',
    status: 'resolved',
    resolvedAt: '2026-03-02T07:00:00.000Z',
    updatedAt: '2026-03-02T07:00:00.000Z',
  });
  const memory = snapshotOf(installationId, accountId, 'hardware.memory', { totalBytes: 8, reservedBytes: 0 });

  beforeAll(async () => {
    await store.commit({
      state: stateWith([open, resolved], lastBeatAt),
      expectedVersion: 0,
      findings: [open, resolved],
      snapshots: [memory],
      careLevel: 'gold',
    });
  });

  it('reads the health of an installation and of the account’s installations', async () => {
    const expected = {
      installationId,
      accountId,
      lastBeatAt: '2026-03-02T09:00:00.000Z',
      careLevel: 'gold',
      openFindings: [
        {
          findingId: open.findingId,
          ruleId: open.ruleId,
          subject: open.subject,
          severity: 'warning',
          openedAt: open.openedAt,
        },
      ],
    };

    const [one, ofAccount, unknown] = await Promise.all([
      reads.installationHealth(installationId),
      reads.installationsOfAccount(accountId),
      reads.installationHealth('inst_doesnotexist0'),
    ]);

    expect(one).toEqual(expected);
    expect(ofAccount).toEqual([expected]);
    expect(unknown).toBeUndefined();
  });

  it('reads the snapshot, findings by installation and by account, filtered by status', async () => {
    const [snapshot, all, openOnly, ofAccount, resolvedOfAccount, one] = await Promise.all([
      reads.snapshot(installationId),
      reads.findings(installationId),
      reads.findings(installationId, { status: 'open' }),
      reads.findingsOfAccount(accountId),
      reads.findingsOfAccount(accountId, { status: 'resolved' }),
      reads.finding(installationId, resolved.findingId),
    ]);

    expect(snapshot).toEqual([memory]);
    expect(all).toHaveLength(2);
    expect(openOnly).toEqual([open]);
    expect(ofAccount).toEqual([open, resolved]);
    expect(resolvedOfAccount).toEqual([resolved]);
    expect(one).toEqual(resolved);
  });

  it('stores acknowledgements apart from the finding and reads them per finding, oldest first', async () => {
    const ack = (ackId: string, at: string) => ({
      ackId,
      findingId: open.findingId,
      installationId,
      accountId,
      at,
      by: 'sub-support-1',
      note: `note ${ackId}`,
    });

    await reads.acknowledge(ack('ack_2', '2026-03-02T10:05:00.000Z'));
    await reads.acknowledge(ack('ack_1', '2026-03-02T10:00:00.000Z'));
    await reads.acknowledge({ ...ack('ack_3', '2026-03-02T10:10:00.000Z'), findingId: resolved.findingId });

    expect((await reads.acknowledgements(installationId, open.findingId)).map((a) => a.ackId)).toEqual([
      'ack_1',
      'ack_2',
    ]);
    expect(await reads.acknowledgements(installationId)).toHaveLength(3);
    expect(await reads.finding(installationId, open.findingId)).toEqual(open);
  });
});

/** each installation's first state, its last beat at the time given */
async function firstStates(accountId: string, beats: Readonly<Record<string, number>>) {
  for (const [id, beatAt] of Object.entries(beats))
    await store.commit({
      state: { ...emptyState(id, accountId), lastBeatAt: beatAt },
      expectedVersion: 0,
      findings: [],
      snapshots: [],
      careLevel: 'basic',
    });
}

describe('the silence listing just after an index step', () => {
  it("lists the surely silent at once and the step's own key once half an hour of the step has passed", async () => {
    // Arrange: one installation silent since the step before, one since 5 minutes into this step
    const step = Date.parse('2026-04-01T03:00:00.000Z');
    const beats = { inst_bandlist00000001: step - 5 * 3_600_000, inst_bandlist00000002: step + 5 * 60_000 };
    await firstStates('acc_bandlist000001', beats);
    const listed = async (cut: number) => {
      const ids: string[] = [];
      for (let bucket = 0; bucket < reads.silenceBuckets; bucket++) {
        const page = await reads.healthBySilence(bucket, { beatBefore: new Date(cut).toISOString(), limit: 100 });
        ids.push(...page.installations.map((h) => h.installationId).filter((id) => id in beats));
      }
      return ids.sort();
    };

    // Act: 10 minutes into the step (the living still hold its key), then 40 minutes in
    const early = await listed(step + 10 * 60_000);
    const settled = await listed(step + 40 * 60_000);

    // Assert
    expect(early).toEqual(['inst_bandlist00000001']);
    expect(settled).toEqual(Object.keys(beats));
  });
});

describe('a silence listing cursor issued before the index keyed on 3 hours', () => {
  it('is accepted as a start position though no item holds its hourly key, and the listing goes on after it', async () => {
    // Arrange: in one bucket, three installations keyed on one 3-hour step and one on the next
    const step = Date.parse('2026-05-01T03:00:00.000Z');
    const ids = Array.from({ length: 400 }, (_, i) => `inst_oldcursor${String(i).padStart(6, '0')}`);
    const bucket = silentBucketOf(ids[0]!);
    const [first, second, third, later] = ids.filter((id) => silentBucketOf(id) === bucket);
    const beats = {
      [first!]: step + 10 * 60_000,
      [second!]: step + 70 * 60_000,
      [third!]: step + 130 * 60_000,
      [later!]: step + 4 * 3_600_000,
    };
    await firstStates('acc_oldcursor00001', beats);

    // Act: the position an hourly-keyed page ended on, after the second installation
    const page = await reads.healthBySilence(bucket, {
      after: { installationId: second!, lastBeatAt: new Date(step + 3_600_000).toISOString() },
      limit: 100,
    });

    // Assert: no error; rows keyed after the old position follow, those re-keyed before it are passed
    const listed = page.installations.map((h) => h.installationId).filter((id) => id in beats);
    expect(listed).toEqual([later]);
  });
});

describe('snapshots stored compressed', () => {
  const id = 'inst_supportsnaps01';
  const at = (minutes: number) => new Date(Date.parse('2026-03-02T09:00:00.000Z') + minutes * 60_000).toISOString();
  const commit = (
    version: number,
    snapshots: ReturnType<typeof snapshotOf>[],
    newest: InstallationState['newest'] = {},
  ) =>
    store.commit({
      state: { ...emptyState(id, accountId), version, lastBeatAt: Date.parse(at(30)), newest },
      expectedVersion: version,
      ...(version > 0 ? { previous: { ...emptyState(id, accountId), version, newest } } : {}),
      findings: [],
      snapshots,
      careLevel: 'gold',
    });

  it('are read back in the old shape, the newest of each type, plain items of before included', async () => {
    // Arrange: a plain item as written before, then counters and inventory compressed, then an older counters' write
    const oldDisks = snapshotOf(id, accountId, 'hardware.disks', { disks: [] }, at(0));
    await documents.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: `INST#${id}`,
          sk: 'SNAP#hardware.disks',
          ...oldDisks,
          type: 'snapshot',
          beatType: 'hardware.disks',
        },
      }),
    );
    const processes = snapshotOf(id, accountId, 'processes.running', { processes: [{ name: 'a', pid: 1 }] }, at(20));
    const acd = snapshotOf(id, accountId, 'ucx.acd', { queues: 3 }, at(20));
    const os = snapshotOf(id, accountId, 'software.os', { name: 'Windows Server 2022' }, at(20));
    await commit(0, [processes, acd, os]);
    const stale = snapshotOf(id, accountId, 'processes.running', { processes: [] }, at(5));
    await commit(1, [stale]);
    // a later batch without ucx.acd keeps the one stored
    const processesLater = snapshotOf(
      id,
      accountId,
      'processes.running',
      { processes: [{ name: 'b', pid: 2 }] },
      at(40),
    );
    await commit(2, [processesLater], { 'processes.running': Date.parse(at(20)), 'ucx.acd': Date.parse(at(20)) });

    // Act
    const snapshot = await reads.snapshot(id);
    const counters = await documents.send(
      new GetCommand({ TableName: tableName, Key: { pk: `INST#${id}`, sk: 'SNAP#counters' } }),
    );
    const inventory = await documents.send(
      new GetCommand({ TableName: tableName, Key: { pk: `INST#${id}`, sk: 'SNAP#inventory' } }),
    );

    // Assert
    const byType = (list: readonly { type: string }[]) => [...list].sort((a, b) => (a.type < b.type ? -1 : 1));
    expect(byType(snapshot)).toEqual(byType([oldDisks, processesLater, acd, os]));
    expect(counters.Item?.['snapshots']).toBeInstanceOf(Uint8Array);
    expect(inventory.Item?.['snapshots']).toBeInstanceOf(Uint8Array);
    expect(inventory.Item?.['data']).toBeUndefined();
  });
});

/**
 * What every SupportReadStore must do, driven through the port: the in-memory store the support
 * unit tests use and the DynamoDB support reads both run it. What support reads is written by the
 * rules Lambda, so each implementation brings `write`, one rules batch as that store receives it.
 */
import type { FindingRecord } from '#lambdas/core/rules/engine';
import type { SnapshotRecord } from '#lambdas/core/rules/ports';
import type { LicenceFacts } from '#lambdas/core/rules/rule';
import type { Acknowledgement, InstallationHealth, SupportReadStore } from '#lambdas/core/support/ports';
import { FixedClock, SequentialIds } from '#test/support/licensing-fixtures';
import { findingOf, snapshotOf } from '#test/support/support-fixtures';

/** One rules batch of an installation: its state after the batch, the findings and snapshots it wrote. */
export interface RulesBatch {
  readonly installationId: string;
  readonly accountId: string;
  /** the newest beat's time, epoch ms */
  readonly lastBeatAt: number;
  readonly careLevel: LicenceFacts['careLevel'];
  /** the findings the batch opened, changed or resolved; those still open are the state's open findings */
  readonly findings: readonly FindingRecord[];
  readonly snapshots: readonly SnapshotRecord[];
}

export interface SupportStoreUnderTest {
  readonly store: SupportReadStore;
  /** writes a batch as the rules Lambda writes it to this store */
  write(batch: RulesBatch): Promise<void>;
}

const HOUR_MS = 3_600_000;
/** the coarsest step the silence index may order by (the DynamoDB adapter's gsi1 keys on 3 hours) */
const INDEX_STEP_MS = 3 * HOUR_MS;
const MINUTE_MS = 60_000;
const byId = (a: { installationId: string }, b: { installationId: string }) =>
  a.installationId < b.installationId ? -1 : 1;
const byFindingId = (a: FindingRecord, b: FindingRecord) => (a.findingId < b.findingId ? -1 : 1);
const byType = (a: SnapshotRecord, b: SnapshotRecord) => (a.type < b.type ? -1 : 1);
const summaryOf = ({ findingId, ruleId, subject, severity, openedAt }: FindingRecord) => ({
  findingId,
  ruleId,
  subject,
  severity,
  openedAt,
});

export function supportReadStoreContract(
  name: string,
  makeStore: () => SupportStoreUnderTest | Promise<SupportStoreUnderTest>,
): void {
  describe(`${name} (SupportReadStore contract)`, () => {
    // ids stay unique across the tests, so implementations may share one table between them
    const ids = new SequentialIds();
    let clock: FixedClock;
    let subject: SupportStoreUnderTest;
    let store: SupportReadStore;

    beforeEach(async () => {
      subject = await makeStore();
      store = subject.store;
      clock = new FixedClock();
    });

    /** A batch of a new installation (of `accountId`, or a new account) that beat 17 minutes past the hour. */
    function batchOf(overrides: Partial<RulesBatch> = {}): RulesBatch {
      return {
        installationId: ids.id('inst_'),
        accountId: ids.id('acc_'),
        lastBeatAt: clock.now().getTime() + 17 * MINUTE_MS,
        careLevel: 'gold',
        findings: [],
        snapshots: [],
        ...overrides,
      };
    }

    const finding = (batch: Pick<RulesBatch, 'installationId' | 'accountId'>, overrides: Partial<FindingRecord> = {}) =>
      findingOf(batch.installationId, batch.accountId, { findingId: ids.id('fnd_'), ...overrides });

    function acknowledgementOf(f: FindingRecord, at: Date, note = 'called the customer'): Acknowledgement {
      return {
        ackId: ids.id('ack_'),
        findingId: f.findingId,
        installationId: f.installationId,
        accountId: f.accountId,
        at: at.toISOString(),
        by: 'sub-support-1',
        note,
      };
    }

    describe('installation health', () => {
      it('reads nothing of an installation or account the rules never wrote', async () => {
        // Act
        const reads = await Promise.all([
          store.installationHealth('inst_never'),
          store.installationsOfAccount('acc_never'),
          store.snapshot('inst_never'),
          store.findings('inst_never'),
          store.findingsOfAccount('acc_never'),
          store.finding('inst_never', 'fnd_never'),
          store.acknowledgements('inst_never'),
        ]);

        // Assert
        expect(reads).toEqual([undefined, [], [], [], [], undefined, []]);
      });

      it('reads the health of an installation: exact last beat, Care and its open findings', async () => {
        // Arrange
        const batch = batchOf({ careLevel: 'platinum' });
        const open = [
          finding(batch, { ruleId: 'db-express-cap', subject: 'UCX' }),
          finding(batch, { ruleId: 'disk-space', subject: 'C:', severity: 'critical' }),
        ];
        const resolved = finding(batch, {
          ruleId: 'service-down',
          status: 'resolved',
          resolvedAt: clock.now().toISOString(),
        });
        await subject.write({ ...batch, findings: [...open, resolved] });

        // Act
        const health = await store.installationHealth(batch.installationId);

        // Assert
        expect({ ...health, openFindings: undefined }).toEqual({
          installationId: batch.installationId,
          accountId: batch.accountId,
          lastBeatAt: new Date(batch.lastBeatAt).toISOString(),
          careLevel: 'platinum',
          openFindings: undefined,
        });
        expect([...(health?.openFindings ?? [])].sort((a, b) => (a.findingId < b.findingId ? -1 : 1))).toEqual(
          open.map(summaryOf),
        );
      });

      it("lists the account's installations, none of another account's, each with its exact last beat", async () => {
        // Arrange
        const first = batchOf();
        const second = batchOf({
          accountId: first.accountId,
          careLevel: 'basic',
          lastBeatAt: first.lastBeatAt + HOUR_MS,
        });
        const elsewhere = batchOf();
        for (const batch of [second, first, elsewhere]) await subject.write(batch);

        // Act
        const listed = await store.installationsOfAccount(first.accountId);

        // Assert
        expect([...listed].sort(byId)).toEqual(
          [first, second]
            .map(
              (b): InstallationHealth => ({
                installationId: b.installationId,
                accountId: b.accountId,
                lastBeatAt: new Date(b.lastBeatAt).toISOString(),
                careLevel: b.careLevel,
                openFindings: [],
              }),
            )
            .sort(byId),
        );
      });

      it('reads the health a later batch wrote', async () => {
        // Arrange
        const batch = batchOf();
        const f = finding(batch);
        await subject.write({ ...batch, findings: [f] });
        const later = batch.lastBeatAt + 5 * MINUTE_MS;

        // Act
        await subject.write({
          ...batch,
          lastBeatAt: later,
          careLevel: 'basic',
          findings: [{ ...f, status: 'resolved', resolvedAt: new Date(later).toISOString() }],
        });

        // Assert
        expect(await store.installationHealth(batch.installationId)).toEqual({
          installationId: batch.installationId,
          accountId: batch.accountId,
          lastBeatAt: new Date(later).toISOString(),
          careLevel: 'basic',
          openFindings: [],
        });
      });
    });

    describe('findings', () => {
      it("reads an installation's findings, all or by status, and one by its id", async () => {
        // Arrange
        const batch = batchOf();
        const open = finding(batch);
        const resolved = finding(batch, {
          ruleId: 'disk-space',
          subject: 'C:',
          status: 'resolved',
          resolvedAt: clock.now().toISOString(),
        });
        const other = batchOf({ accountId: batch.accountId });
        await subject.write({ ...batch, findings: [open, resolved] });
        await subject.write({ ...other, findings: [finding(other)] });

        // Act
        const all = await store.findings(batch.installationId);
        const onlyOpen = await store.findings(batch.installationId, { status: 'open' });
        const onlyResolved = await store.findings(batch.installationId, { status: 'resolved' });
        const one = await store.finding(batch.installationId, resolved.findingId);

        // Assert
        expect([...all].sort(byFindingId)).toEqual([open, resolved].sort(byFindingId));
        expect(onlyOpen).toEqual([open]);
        expect(onlyResolved).toEqual([resolved]);
        expect(one).toEqual(resolved);
        expect(await store.finding(other.installationId, open.findingId)).toBeUndefined();
      });

      it("reads an account's findings across its installations, all or by status", async () => {
        // Arrange
        const a = batchOf();
        const b = batchOf({ accountId: a.accountId });
        const elsewhere = batchOf();
        const openA = finding(a);
        const resolvedB = finding(b, { status: 'resolved', resolvedAt: clock.now().toISOString() });
        await subject.write({ ...a, findings: [openA] });
        await subject.write({ ...b, findings: [resolvedB] });
        await subject.write({ ...elsewhere, findings: [finding(elsewhere)] });

        // Act
        const all = await store.findingsOfAccount(a.accountId);
        const onlyOpen = await store.findingsOfAccount(a.accountId, { status: 'open' });

        // Assert
        expect([...all].sort(byFindingId)).toEqual([openA, resolvedB].sort(byFindingId));
        expect(onlyOpen).toEqual([openA]);
      });

      it('reads a finding as its latest write left it', async () => {
        // Arrange
        const batch = batchOf();
        const opened = finding(batch);
        await subject.write({ ...batch, findings: [opened] });
        const at = new Date(batch.lastBeatAt + MINUTE_MS).toISOString();
        const escalated: FindingRecord = {
          ...opened,
          severity: 'critical',
          updatedAt: at,
          history: [...opened.history, { at, event: 'escalated', severity: 'critical', evidence: { percent: 97 } }],
        };

        // Act
        await subject.write({ ...batch, lastBeatAt: batch.lastBeatAt + MINUTE_MS, findings: [escalated] });

        // Assert
        expect(await store.finding(batch.installationId, opened.findingId)).toEqual(escalated);
        expect(await store.findings(batch.installationId)).toEqual([escalated]);
      });
    });

    describe('snapshot', () => {
      it('reads the newest beat of each type a batch wrote, inventory and counters alike', async () => {
        // Arrange
        const batch = batchOf();
        const at = clock.now().toISOString();
        const snapshots = [
          snapshotOf(batch.installationId, batch.accountId, 'ucx.database_server', { edition: 'Express' }, at),
          snapshotOf(batch.installationId, batch.accountId, 'software.os', { name: 'Windows Server 2022' }, at),
          snapshotOf(batch.installationId, batch.accountId, 'ucx.database', { sizeBytes: 42 }, at),
          snapshotOf(batch.installationId, batch.accountId, 'processes.running', { count: 3 }, at),
        ];
        await subject.write({ ...batch, snapshots });

        // Act
        const read = await store.snapshot(batch.installationId);

        // Assert
        expect([...read].sort(byType)).toEqual([...snapshots].sort(byType));
      });

      it('keeps the newer beat of a type when an older one is written after it, and the types a later batch lacks', async () => {
        // Arrange
        const batch = batchOf();
        const { installationId, accountId } = batch;
        const t = (minutes: number) => new Date(clock.now().getTime() + minutes * MINUTE_MS).toISOString();
        const newerServer = snapshotOf(
          installationId,
          accountId,
          'ucx.database_server',
          { edition: 'Standard' },
          t(10),
        );
        const database = snapshotOf(installationId, accountId, 'ucx.database', { sizeBytes: 1 }, t(10));
        const processes = snapshotOf(installationId, accountId, 'processes.running', { count: 1 }, t(10));
        await subject.write({ ...batch, snapshots: [newerServer, database, processes] });

        // Act: a late inventory beat, and a batch with one counter type only
        const olderServer = snapshotOf(installationId, accountId, 'ucx.database_server', { edition: 'Express' }, t(5));
        const laterDatabase = snapshotOf(installationId, accountId, 'ucx.database', { sizeBytes: 2 }, t(20));
        await subject.write({ ...batch, snapshots: [olderServer, laterDatabase] });

        // Assert
        expect([...(await store.snapshot(installationId))].sort(byType)).toEqual(
          [newerServer, laterDatabase, processes].sort(byType),
        );
      });
    });

    describe('acknowledgements', () => {
      it("reads a finding's acknowledgements oldest first, and all of the installation's", async () => {
        // Arrange
        const batch = batchOf();
        const [f1, f2] = [finding(batch), finding(batch, { ruleId: 'disk-space', subject: 'C:' })];
        await subject.write({ ...batch, findings: [f1!, f2!] });
        const later = acknowledgementOf(f1!, clock.advance(HOUR_MS), 'second look');
        const earlier = acknowledgementOf(f1!, new Date(clock.now().getTime() - 30 * MINUTE_MS), 'first look');
        const onOther = acknowledgementOf(f2!, clock.now());

        // Act
        for (const ack of [later, onOther, earlier]) await store.acknowledge(ack);

        // Assert
        expect(await store.acknowledgements(batch.installationId, f1!.findingId)).toEqual([earlier, later]);
        const all = await store.acknowledgements(batch.installationId);
        expect(all).toHaveLength(3);
        expect(all.filter((a) => a.findingId === f1!.findingId)).toEqual([earlier, later]);
        expect(all).toContainEqual(onOther);
        expect(await store.acknowledgements(batchOf().installationId)).toEqual([]);
      });

      it('refuses the same acknowledgement twice, keeping the first', async () => {
        // Arrange
        const batch = batchOf();
        const f = finding(batch);
        await subject.write({ ...batch, findings: [f] });
        const ack = acknowledgementOf(f, clock.now());
        await store.acknowledge(ack);

        // Act
        const again = store.acknowledge({ ...ack, note: 'overwritten?' });

        // Assert
        await expect(again).rejects.toThrow();
        expect(await store.acknowledgements(batch.installationId)).toEqual([ack]);
      });
    });

    describe('silence index', () => {
      /** Every installation of `accountId` a walk of every bucket finds, page by page, as pages return them. */
      async function walk(accountId: string, page: { beatBefore?: string; limit: number }) {
        const buckets: InstallationHealth[][] = [];
        for (let bucket = 0; bucket < store.silenceBuckets; bucket++) {
          const found: InstallationHealth[] = [];
          let after: Parameters<SupportReadStore['healthBySilence']>[1]['after'];
          for (let pages = 0; pages < 1000; pages++) {
            const read = await store.healthBySilence(bucket, { ...page, ...(after ? { after } : {}) });
            found.push(...read.installations.filter((h) => h.accountId === accountId));
            if (!read.next) break;
            after = read.next;
          }
          buckets.push(found);
        }
        return buckets;
      }

      it('finds every installation that beat exactly once over all buckets, oldest beat first in each to the index step', async () => {
        // Arrange: ten installations an hour apart, the later ones of lower ids (so an index that
        // keys on a step of hours orders those of a step against their beats), written newest first
        const first = batchOf();
        const batches = Array.from({ length: 10 }, (_, n) =>
          batchOf({ accountId: first.accountId, lastBeatAt: first.lastBeatAt + (9 - n) * HOUR_MS }),
        ).reverse();
        for (const batch of [...batches].reverse()) await subject.write(batch);

        // Act
        const buckets = await walk(first.accountId, { limit: 2 });

        // Assert: each once, across pages of two
        const found = buckets.flat();
        expect(found.map((h) => h.installationId).sort()).toEqual(batches.map((b) => b.installationId).sort());
        for (const bucket of buckets) {
          const steps = bucket.map((h) => Math.floor(Date.parse(h.lastBeatAt!) / INDEX_STEP_MS));
          expect(steps).toEqual([...steps].sort((a, b) => a - b));
        }
        expect(found.find((h) => h.installationId === batches[3]!.installationId)).toEqual({
          installationId: batches[3]!.installationId,
          accountId: first.accountId,
          lastBeatAt: new Date(batches[3]!.lastBeatAt).toISOString(),
          careLevel: 'gold',
          openFindings: [],
        });
      });

      it('keeps only installations silent since `beatBefore`, to the exact beat', async () => {
        // Arrange: three installations that beat in one hour, before, at and after a cut two hours
        // into an index step (an adapter may leave the step's key unread until its first half hour has passed)
        const cut = Math.ceil(clock.now().getTime() / INDEX_STEP_MS) * INDEX_STEP_MS + 2 * HOUR_MS;
        const silent = batchOf({ lastBeatAt: cut - MINUTE_MS });
        const atCut = batchOf({ accountId: silent.accountId, lastBeatAt: cut });
        const beating = batchOf({ accountId: silent.accountId, lastBeatAt: cut + MINUTE_MS });
        for (const batch of [silent, atCut, beating]) await subject.write(batch);

        // Act
        const buckets = await walk(silent.accountId, { beatBefore: new Date(cut).toISOString(), limit: 1 });

        // Assert
        expect(buckets.flat().map((h) => h.installationId)).toEqual([silent.installationId]);
      });
    });
  });
}

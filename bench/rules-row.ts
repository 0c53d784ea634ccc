/**
 * Rules engine throughput: all 28 rules, `evaluateInstallation` in process, as the rules Lambda
 * calls it per installation and post: many installations, each posting once per cycle at the
 * default cadence (cadence.ts: 15 one-minute collections, inventory daily), state carried from one
 * batch to the next through its stored form (decoded before, encoded after each batch, as the
 * support store does). Beats per second per core = beats ÷ CPU seconds: of the engine alone (the
 * goal's measure), and of the whole work, the state's codec included (cpuMsPerBatch).
 *
 * The stored items are measured as DynamoDB bills them (dynamoItemBytes of the items the support
 * store writes: plain attributes, names included, and the deflated state): the STATE item every
 * batch writes, the STATE#APART item written when entries settle there, and the read and write units
 * they cost per installation batch; then again over the last day of a simulated week for a few
 * installations (full baselines and growth series, finding histories at their bound). The
 * workload re-draws each installation every batch, so its findings flap far more than a real
 * installation's: these figures are on the high side.
 */
import {
  countersToMerge,
  findingItemOf,
  needsTransaction,
  snapshotItemsOf,
  stateItemsOf,
  stateOfItems,
} from '../lambdas/adapters/dynamodb-support-store';
import { gsi2ReadAttributes } from '../lambdas/adapters/dynamodb-support-reads';
import { decodeSnapshotGroup, type StoredSnapshot } from '../lambdas/adapters/support-snapshot-codec';
import { cycleShortened, newestSnapshots, raisesAttention, snapshotsDue } from '../lambdas/core/rules/process-batch';
import type { FindingRecord } from '../lambdas/core/rules/engine';
import { dynamoItemBytes } from '../lambdas/adapters/dynamodb-item-size';
import { simulatedInstallation } from '../agent/collectors/simulated';
import { beatIdSource } from '../agent/sdk/beat-id';
import { INVENTORY_TYPES, prepareBeat } from '../agent/sdk/telemetry';
import { allRules } from '../lambdas/core/rules/catalogue';
import { evaluateInstallation, type BatchBeat } from '../lambdas/core/rules/engine';
import type { LicenceFacts } from '../lambdas/core/rules/rule';
import type { Beat } from '../lambdas/core/telemetry/catalogue';
import { licenceFacts } from '../test/support/rules-harness';
import { steadyProcesses } from '../test/support/steady-processes';
import { describeKinds, type RulesStoredMeasures } from './rules-stored';
import type { Row } from './stats';
import { cpuMs, median } from './stats';
import { defaultCycleSeconds, inventoryRefreshSeconds } from '../lambdas/core/telemetry/cadence';
import { roundsPerCycle, telemetryBatch } from './workload';

export interface RulesMeasures {
  /** the engine alone: `evaluateInstallation` over the batches (the goal's measure, as before) */
  beatsPerSecondPerCore: number;
  /** the rules Lambda's whole work per installation: the stored state read, evaluated, written */
  storedBeatsPerSecondPerCore: number;
  installations: number;
  batches: number;
  beats: number;
  /** CPU per installation batch: decode the stored state, evaluate, encode it (what the Lambda is billed for) */
  cpuMsPerBatch: number;
  /** of cpuMsPerBatch, decoding and encoding the stored state */
  stateCodecMsPerBatch: number;
  rules: number;
  /**
   * mean size of an installation's STATE item as DynamoDB bills it (attribute names included,
   * state deflated): read and written once per installation batch
   */
  stateBytes: number;
  /** the largest of those items */
  stateBytesMax: number;
  /** STATE item writes per installation batch */
  stateWriteShare: number;
  /**
   * mean size of the STATE#APART item when written (what batches left unchanged: findings with
   * their histories, baselines, growth series, inventory facts and watermarks)
   */
  apartStateBytes: number;
  /** STATE#APART writes per installation batch (when entries move there, after changing) */
  apartStateWriteShare: number;
  /** mean write units per installation batch, both items (1 per started KB; twice that in a transaction) */
  stateWriteUnits: number;
  /** mean read units per installation batch: one strongly consistent Query of both (1 per started 4 KB) */
  stateReadUnits: number;
  /**
   * mean write units per installation batch of everything the commit writes: STATE (a conditional
   * Put, or a transaction, 2×, with findings or STATE#APART), STATE#APART, findings, the snapshots
   * due (counters every 6 hours, with a finding raised and every batch while the cycle is
   * shortened, in one compressed item, as process-batch.ts decides; inventory as it arrives) and the index
   * writes (gsi1 and gsi2: a key change is 2, a projected attribute's change 1)
   */
  writeUnitsPerBatch: number;
  /** the same batches priced as the commit wrote them before: one transaction with a plain SNAP item per newest type, indexes every batch */
  writeUnitsPerBatchBefore: number;
  /** mean read units per installation batch: the state Query, and the counters' item when one of its types is missing (eventually consistent) */
  readUnitsPerBatch: number;
  /** the same workload over the last day of a simulated week (full baselines and growth series) */
  stateBytesAfterWeek: number;
  stateBytesAfterWeekMax: number;
  apartStateBytesAfterWeek: number;
  apartStateWriteShareAfterWeek: number;
  weekInstallations: number;
  /**
   * steady installations: each one simulated server throughout (the workload above re-draws every
   * installation each batch, so its inventory and findings change all the time), inventory sent
   * unchanged, counters every minute, a licence above its usage; over the last day of a week
   */
  steady: {
    installations: number;
    stateBytes: number;
    stateBytesMax: number;
    apartStateBytes: number;
    apartStateWriteShare: number;
    stateWriteUnits: number;
    stateReadUnits: number;
    writeUnitsPerBatch: number;
    writeUnitsPerBatchBefore: number;
    readUnitsPerBatch: number;
  };
}

const START = Date.parse('2026-11-02T00:00:00.000Z');
/** one post per cycle at the default cadence (cadence.ts), each carrying the cycle's collections */
const CYCLE_MS = defaultCycleSeconds * 1000;
const POSTS_PER_DAY = Math.round(inventoryRefreshSeconds / defaultCycleSeconds);
const KB = 1024;

type Items = ReturnType<typeof stateItemsOf>;

/** One installation as the support store keeps it, and what its writes and reads cost. */
interface Installation {
  readonly licence: LicenceFacts;
  state: Items['state'] | undefined;
  apart: Items['apart'];
  seq: number;
  batches: number;
  apartWrites: number;
  apartBytes: number;
  writeUnits: number;
  readUnits: number;
  /** everything a commit writes and reads (writeUnitsPerBatch, readUnitsPerBatch) */
  allWriteUnits: number;
  allWriteUnitsBefore: number;
  allReadUnits: number;
  /** the counters' snapshot as stored (merged when a batch lacks a type) */
  counters?: Uint8Array;
}

const fleetOf = (n: number, tag: string): Installation[] =>
  Array.from({ length: n }, (_, i) => ({
    licence: licenceFacts({
      installationId: `inst_${tag}${String(i).padStart(14 - tag.length, '0')}`,
      accountId: `acc_${tag}${String(i).padStart(15 - tag.length, '0')}`,
    }),
    state: undefined,
    apart: undefined,
    seq: 1_000_000,
    batches: 0,
    apartWrites: 0,
    apartBytes: 0,
    writeUnits: 0,
    readUnits: 0,
    allWriteUnits: 0,
    allWriteUnitsBefore: 0,
    allReadUnits: 0,
  }));

/** What the support store does around the engine: read the items, evaluate, build the items to write. */
function evaluateStored(installation: Installation, beats: readonly BatchBeat[], now: number) {
  const read = installation.state && stateOfItems(installation.state, installation.apart);
  const evaluated = evaluateInstallation({
    state: read?.state,
    rules: allRules,
    licence: installation.licence,
    beats,
    now,
  });
  // as process-batch.ts: the snapshots due, and when the counters' were written
  const { installationId, accountId } = installation.licence;
  const newest = newestSnapshots(accountId, installationId, beats, evaluated.state.newest);
  const due = snapshotsDue(
    newest,
    read?.state.snapshotsAt,
    evaluated.findings.some(raisesAttention) || cycleShortened(installation.licence),
  );
  const snapshotsAt = due.snapshotsAt ?? read?.state.snapshotsAt;
  const out = {
    ...evaluated,
    state: snapshotsAt !== undefined ? { ...evaluated.state, snapshotsAt } : evaluated.state,
  };
  const write = stateItemsOf(
    { state: out.state, expectedVersion: read?.state.version ?? 0, careLevel: installation.licence.careLevel },
    read,
  );
  const previousItem = installation.state;
  installation.state = write.state;
  if (write.apart) installation.apart = write.apart;
  return { out, write, read, newest, snapshots: due.snapshots, previousItem };
}

const units = (item: Record<string, unknown>) => Math.max(1, Math.ceil(dynamoItemBytes(item) / KB));
const pick = (item: Record<string, unknown>, names: readonly string[]) =>
  Object.fromEntries(names.filter((n) => item[n] !== undefined).map((n) => [n, item[n]]));
const GSI2_STATE = [...new Set([...gsi2ReadAttributes, 'pk', 'sk', 'gsi2pk', 'gsi2sk'])];
/** index writes of a STATE item replacing `before`: a key change is a delete and a put, a projected attribute's change one put */
function stateIndexUnits(before: Record<string, unknown> | undefined, after: Record<string, unknown>): number {
  let n = 0;
  if (after['gsi1sk'] !== undefined && after['gsi1sk'] !== before?.['gsi1sk'])
    n += before?.['gsi1sk'] !== undefined ? 2 : 1;
  const projected = (item: Record<string, unknown>) =>
    JSON.stringify(pick(item, GSI2_STATE), (_, v) => (v?.type === 'Buffer' ? v.data.join() : v));
  if (!before || projected(before) !== projected(after)) n += units(pick(after, GSI2_STATE));
  return n;
}
/** a finding's gsi2 entry: new (opened) is one put, an update moves its key (updatedAt): two */
const findingIndexUnits = (f: FindingRecord) => {
  const projected = units(pick(findingItemOf(f), GSI2_STATE));
  return f.history.length === 1 && f.history[0]!.event === 'opened' ? projected : 2 * projected;
};

/** evaluateStored, counting what the reads and writes cost */
function evaluateCounted(installation: Installation, beats: readonly BatchBeat[], now: number) {
  // one Query reads both items (the one apart even when the state no longer names it)
  const readBytes =
    (installation.state ? dynamoItemBytes(installation.state) : 0) +
    (installation.apart ? dynamoItemBytes(installation.apart) : 0);
  const { write, out, read, newest, snapshots, previousItem } = evaluateStored(installation, beats, now);
  installation.batches++;
  // everything the commit writes: snapshots (merged with the stored counters when a type is
  // missing: one eventually consistent GetItem), the state alone or in a transaction, indexes
  let readUnits = Math.ceil(readBytes / (4 * KB));
  const commit = { state: out.state, snapshots, findings: out.findings, ...(read ? { previous: read.state } : {}) };
  let stored: Record<string, StoredSnapshot> | undefined;
  if (countersToMerge(commit).length > 0 && installation.counters) {
    stored = decodeSnapshotGroup(installation.counters);
    readUnits += Math.ceil(installation.counters.length / (4 * KB)) / 2;
  }
  let all = 0;
  for (const item of snapshotItemsOf(commit, stored)) {
    all += units(item);
    if (item['snapshots'] instanceof Uint8Array) installation.counters = item['snapshots'];
  }
  const committed =
    units(write.state) + (write.apart ? units(write.apart) : 0) + sum2(out.findings, (f) => units(findingItemOf(f)));
  all += (needsTransaction(commit, write) ? 2 : 1) * committed;
  all += stateIndexUnits(previousItem, write.state) + sum2(out.findings, findingIndexUnits);
  installation.allWriteUnits += all;
  installation.allReadUnits += readUnits;
  // before: one transaction of the state, apart, findings and a plain SNAP item per newest type; the
  // exact lastBeatAt moved gsi1's key and changed gsi2's projection every batch
  const plainSnapshots = sum2(newest, (s) =>
    units({ pk: `INST#${s.installationId}`, sk: `SNAP#${s.type}`, ...s, type: 'snapshot', beatType: s.type }),
  );
  installation.allWriteUnitsBefore +=
    2 * (committed + plainSnapshots) + (previousItem ? 3 : 2) + sum2(out.findings, findingIndexUnits);
  installation.readUnits += Math.ceil(readBytes / (4 * KB));
  installation.writeUnits += Math.ceil(dynamoItemBytes(write.state) / KB);
  if (write.apart) {
    const bytes = dynamoItemBytes(write.apart);
    installation.apartWrites++;
    installation.apartBytes += bytes;
    installation.writeUnits += Math.ceil(bytes / KB);
  }
}

/**
 * A steady installation: one simulated server, its inventory as first collected, its counters live,
 * its processes healthy (as rules-write-units.test.ts: the simulator's own draws flap leak findings)
 */
function steadyInstallation(seed: number) {
  const collector = simulatedInstallation({ seed, products: [...STEADY_PRODUCTS], faults: [] });
  const nextId = beatIdSource();
  let inventory: Beat[] | undefined;
  let sequence = 0;
  return async (b: number): Promise<BatchBeat[]> => {
    const beats: Beat[] = [];
    for (let round = 0; round < roundsPerCycle(); round++) {
      const at = new Date(START + b * CYCLE_MS + round * 60_000 + ((seed * 37 + b * 11 + round * 7) % 1000));
      const collected = await collector.collect();
      const prepared: Beat[] = [];
      for (const c of collected) {
        const data = c.type === 'processes.running' ? steadyProcesses(c.data, round) : c.data;
        const beat = prepareBeat(c.type, data, at, nextId());
        if ('beat' in beat && beat.beat) prepared.push(beat.beat as unknown as Beat);
      }
      // inventory goes out on change and daily (agent/sdk/telemetry.ts); a server's inventory does not change here
      inventory ??= prepared.filter((beat) => INVENTORY_TYPES.has(beat.type));
      if (round === 0 && b % POSTS_PER_DAY === 0)
        beats.push(...inventory.map((beat) => ({ ...beat, id: nextId(), collectedAt: at.toISOString() }) as Beat));
      beats.push(...prepared.filter((beat) => !INVENTORY_TYPES.has(beat.type)));
    }
    return beats.map((beat) => ({ beat, shardId: 'shardId-000000000000', sequenceNumber: String(++sequence) }));
  };
}
const STEADY_PRODUCTS = ['attendant-console', 'call-recording', 'ivr', 'acd'] as const;

async function batchesFor(fleet: Installation[], b: number, processes?: number): Promise<BatchBeat[][]> {
  const batches: BatchBeat[][] = [];
  for (let i = 0; i < fleet.length; i++) {
    const list = await telemetryBatch({
      seed: i * 7919 + b + 1,
      start: START + b * CYCLE_MS,
      inventory: b % POSTS_PER_DAY === 0,
      ...(processes !== undefined ? { processes } : {}),
    });
    batches.push(
      list.map((beat) => ({ beat, shardId: 'shardId-000000000000', sequenceNumber: String(fleet[i]!.seq++) })),
    );
  }
  return batches;
}

const sum2 = <T>(list: readonly T[], f: (t: T) => number) => list.reduce((a, t) => a + f(t), 0);
const sum = (fleet: readonly Installation[], f: (i: Installation) => number) => fleet.reduce((a, i) => a + f(i), 0);
const sizesOf = (fleet: readonly Installation[]) => fleet.map((f) => dynamoItemBytes(f.state!));
const mean = (values: readonly number[]) => values.reduce((a, v) => a + v, 0) / values.length;

/** Runs `fleet` through batches [from, to), counting reads and writes after `countFrom`. */
async function run(fleet: Installation[], from: number, to: number, countFrom: number, processes?: number) {
  for (let b = from; b < to; b++) {
    const batches = await batchesFor(fleet, b, processes);
    const evaluate = b >= countFrom ? evaluateCounted : evaluateStored;
    for (const [i, installation] of fleet.entries()) evaluate(installation, batches[i]!, START + (b + 1) * CYCLE_MS);
  }
}

export async function measureRules(opts: {
  installations: number;
  batches: number;
  warmupBatches: number;
  /** installations of this workload taken through a simulated week. @default 2 */
  weekInstallations?: number;
  /** steady installations taken through a simulated week. @default 3 */
  steadyInstallations?: number;
}): Promise<RulesMeasures> {
  const fleet = fleetOf(opts.installations, 'bench');
  const total = opts.batches + opts.warmupBatches;
  const perRoundEngine: number[] = [];
  const perRoundStored: number[] = [];
  const perRoundCodec: number[] = [];
  let beats = 0;
  for (let b = 0; b < total; b++) {
    // Batches are built before the measured windows.
    const batches = await batchesFor(fleet, b);
    const now = START + (b + 1) * CYCLE_MS;
    // the engine alone, on the states read beforehand (the goal's measure), and the rules Lambda's
    // whole work per installation (read the items' state, evaluate, build the items to write), in
    // alternating order so that neither always runs with the other's warm caches
    const reads = fleet.map((f) => f.state && stateOfItems(f.state, f.apart));
    let count = 0;
    const engine = () =>
      cpuMs(async () => {
        for (let i = 0; i < fleet.length; i++)
          evaluateInstallation({
            state: reads[i]?.state,
            rules: allRules,
            licence: fleet[i]!.licence,
            beats: batches[i]!,
            now,
          });
      });
    const stored = () =>
      cpuMs(async () => {
        for (let i = 0; i < fleet.length; i++) count += evaluateStored(fleet[i]!, batches[i]!, now).out.evaluated;
      });
    let engineMs: number;
    let storedMs: number;
    if (b % 2 === 0) {
      engineMs = await engine();
      storedMs = await stored();
    } else {
      storedMs = await stored();
      engineMs = await engine();
    }
    // the codec alone, on the items just written: one read and one write per installation
    const codecMs = await cpuMs(async () => {
      for (const f of fleet) {
        const read = stateOfItems(f.state!, f.apart);
        stateItemsOf({ state: read.state, expectedVersion: 0, careLevel: 'gold' }, read);
      }
    });
    if (b >= opts.warmupBatches) {
      perRoundStored.push(storedMs / count);
      perRoundEngine.push(engineMs / count);
      perRoundCodec.push(codecMs / fleet.length);
      beats += count;
    }
  }
  const msPerBeat = median(perRoundStored);
  const engineMsPerBeat = median(perRoundEngine);
  // what reads and writes cost: two more batches, counted (the measured ones above are not slowed by counting)
  await run(fleet, total, total + 2, total);
  const sizes = sizesOf(fleet);

  // The steady state: a week of batches (fewer processes per beat: they do not change the state)
  const week = fleetOf(opts.weekInstallations ?? 2, 'week');
  const weekBatches = 7 * POSTS_PER_DAY;
  await run(week, 0, weekBatches, weekBatches - POSTS_PER_DAY, 40);
  const weekSizes = sizesOf(week);

  // Steady installations over a week, counted over the last day
  const steady = fleetOf(opts.steadyInstallations ?? 3, 'steady').map((installation, i) => ({
    ...installation,
    licence: { ...installation.licence, products: installation.licence.products.map((p) => ({ ...p, capacity: 50 })) },
    next: steadyInstallation(1_000_003 + i * 7_919),
  }));
  for (let b = 0; b < weekBatches; b++)
    for (const installation of steady)
      (b >= weekBatches - POSTS_PER_DAY ? evaluateCounted : evaluateStored)(
        installation,
        await installation.next(b),
        START + (b + 1) * CYCLE_MS,
      );
  const steadySizes = sizesOf(steady);
  const steadyBatches = sum(steady, (f) => f.batches);
  const steadyApartWrites = sum(steady, (f) => f.apartWrites);

  const apartWrites = sum(fleet, (f) => f.apartWrites);
  const counted = sum(fleet, (f) => f.batches);
  return {
    beatsPerSecondPerCore: 1000 / engineMsPerBeat,
    storedBeatsPerSecondPerCore: 1000 / msPerBeat,
    installations: opts.installations,
    batches: opts.batches,
    beats,
    cpuMsPerBatch: msPerBeat * (beats / (opts.batches * opts.installations)),
    stateCodecMsPerBatch: median(perRoundCodec),
    rules: allRules.length,
    stateBytes: mean(sizes),
    stateBytesMax: Math.max(...sizes),
    stateWriteShare: 1,
    apartStateBytes: apartWrites ? sum(fleet, (f) => f.apartBytes) / apartWrites : 0,
    apartStateWriteShare: apartWrites / counted,
    stateWriteUnits: sum(fleet, (f) => f.writeUnits) / counted,
    stateReadUnits: sum(fleet, (f) => f.readUnits) / counted,
    writeUnitsPerBatch: sum(fleet, (f) => f.allWriteUnits) / counted,
    writeUnitsPerBatchBefore: sum(fleet, (f) => f.allWriteUnitsBefore) / counted,
    readUnitsPerBatch: sum(fleet, (f) => f.allReadUnits) / counted,
    stateBytesAfterWeek: mean(weekSizes),
    stateBytesAfterWeekMax: Math.max(...weekSizes),
    apartStateBytesAfterWeek:
      sum(week, (f) => f.apartBytes) /
      Math.max(
        1,
        sum(week, (f) => f.apartWrites),
      ),
    apartStateWriteShareAfterWeek: sum(week, (f) => f.apartWrites) / sum(week, (f) => f.batches),
    weekInstallations: week.length,
    steady: {
      installations: steady.length,
      stateBytes: mean(steadySizes),
      stateBytesMax: Math.max(...steadySizes),
      apartStateBytes: steadyApartWrites ? sum(steady, (f) => f.apartBytes) / steadyApartWrites : 0,
      apartStateWriteShare: steadyApartWrites / steadyBatches,
      stateWriteUnits: sum(steady, (f) => f.writeUnits) / steadyBatches,
      stateReadUnits: sum(steady, (f) => f.readUnits) / steadyBatches,
      writeUnitsPerBatch: sum(steady, (f) => f.allWriteUnits) / steadyBatches,
      writeUnitsPerBatchBefore: sum(steady, (f) => f.allWriteUnitsBefore) / steadyBatches,
      readUnitsPerBatch: sum(steady, (f) => f.allReadUnits) / steadyBatches,
    },
  };
}

/** The goal's measure: the rules handler's whole stored path against DynamoDB Local. */
export const rulesStoredRow = (m: RulesStoredMeasures): Row => ({
  name: 'rules, stored path (handler, DynamoDB Local): beats/s per core',
  value: m.failures === 0 ? m.beatsPerSecondPerCore : null,
  unit: '',
  goal: { op: '>=', value: 20_000, unit: '' },
  detail:
    `${m.failures > 0 ? `NOT COUNTED, ${m.failures} records lost after 3 attempts (DynamoDB Local timed out on a loaded machine): ` : ''}` +
    `evaluate-rules handler, ${m.installations} steady installations × ${m.rounds} posts of the agent (${m.beats} beats) ` +
    `after ${m.warmupRounds} (${((m.warmupRounds * m.cycleSeconds) / 3600).toFixed(0)} h of cycles): ` +
    `${Math.round(m.beatsPerSecondPerCore).toLocaleString('en')} beats/s per core, ` +
    `${m.cpuMsPerPost.toFixed(2)} ms CPU per post (record decode, state codec, engine, DynamoDB and EventBridge clients); ` +
    `DynamoDB Local counted ${m.writeUnitsPerPost?.toFixed(2) ?? '?'} WRU (${describeKinds(m.writeUnitsByKind)}) and ` +
    `${m.readUnitsPerPost?.toFixed(2) ?? '?'} RRU per post (state ${m.stateReadUnitsPerPost?.toFixed(2) ?? '?'}, history ${m.historyReadUnitsPerPost?.toFixed(2) ?? '?'}); the fresh installations' posts ${m.firstRounds.warmup + 1}–` +
    `${m.firstRounds.warmup + m.firstRounds.rounds}: ${m.firstRounds.cpuMsPerPost.toFixed(2)} ms CPU, ` +
    `${m.firstRounds.writeUnitsPerPost?.toFixed(2) ?? '?'} WRU per post` +
    (m.retried ? `; ${m.retried} records retried after a timeout (their CPU counted)` : ''),
});

export const rulesRow = (m: RulesMeasures): Row => ({
  name: 'rules engine alone: beats/s per core',
  value: m.beatsPerSecondPerCore,
  unit: '',
  goal: { op: '>=', value: 20_000, unit: '' },
  detail:
    `${m.rules} rules, ${m.installations} installations × ${m.batches} batches, ${m.beats} beats; with the stored ` +
    `state read and written ${Math.round(m.storedBeatsPerSecondPerCore).toLocaleString('en')} beats/s per core, ` +
    `${m.cpuMsPerBatch.toFixed(2)} ms CPU per batch (state codec ${m.stateCodecMsPerBatch.toFixed(2)} ms); ` +
    `state item ${(m.stateBytes / KB).toFixed(2)} KB (max ${(m.stateBytesMax / KB).toFixed(2)}), item apart ` +
    `${(m.apartStateBytes / KB).toFixed(2)} KB in ${(m.apartStateWriteShare * 100).toFixed(0)} % of batches: ` +
    `${m.stateWriteUnits.toFixed(2)} WRU, ${m.stateReadUnits.toFixed(2)} RRU per batch; after a week ` +
    `${(m.stateBytesAfterWeek / KB).toFixed(2)} KB (max ${(m.stateBytesAfterWeekMax / KB).toFixed(2)}), apart ` +
    `${(m.apartStateBytesAfterWeek / KB).toFixed(2)} KB in ${(m.apartStateWriteShareAfterWeek * 100).toFixed(0)} %; ` +
    `a steady installation after a week: ${(m.steady.stateBytes / KB).toFixed(2)} KB (max ${(m.steady.stateBytesMax / KB).toFixed(2)}), ` +
    `apart ${(m.steady.apartStateBytes / KB).toFixed(2)} KB in ${(m.steady.apartStateWriteShare * 100).toFixed(1)} %: ` +
    `${m.steady.stateWriteUnits.toFixed(2)} WRU, ${m.steady.stateReadUnits.toFixed(2)} RRU per batch; everything the commit ` +
    `writes per batch ${m.writeUnitsPerBatch.toFixed(2)} WRU (before ${m.writeUnitsPerBatchBefore.toFixed(2)}), ` +
    `${m.readUnitsPerBatch.toFixed(2)} RRU; steady ${m.steady.writeUnitsPerBatch.toFixed(2)} WRU ` +
    `(before ${m.steady.writeUnitsPerBatchBefore.toFixed(2)}), ${m.steady.readUnitsPerBatch.toFixed(2)} RRU`,
});

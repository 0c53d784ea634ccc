/**
 * The regional support table (telemetry-derived data stays in its region). Layout:
 *   INST#<inst> / STATE               the rules' state of the installation (version-guarded): plain
 *                                     attributes for the indexes and support's reads, the rest
 *                                     deflated in `state` (support-state-codec.ts), written every
 *                                     batch: alone with a conditional Put (1 WRU), in a transaction
 *                                     only with STATE#APART. `beatAt` is the newest
 *                                     beat's time (no index projects it); gsi1sk is that time down
 *                                     to 3 hours, so a steady installation's write moves gsi1 once
 *                                     in 3 hours and never touches gsi2 (items written before
 *                                     also hold `lastBeatAt`, the time down to the hour, which
 *                                     gsi2 projects: gone at their next write)
 *   INST#<inst> / STATE#APART         the entries of that state a batch left unchanged (findings with
 *                                     their histories, baselines, growth series, inventory facts),
 *                                     deflated: written when entries move there, not every batch
 *                                     (one that changes a little is a patch in STATE); read with
 *                                     STATE in one Query
 *   INST#<inst> / SNAP#counters       the newest beat of every counter type, compressed together
 *                                     (support-snapshot-codec.ts), every 6 hours (cadence.ts),
 *                                     with a finding raised, every batch while the cycle is shortened
 *   INST#<inst> / SNAP#inventory      the newest beat of every inventory type, compressed together,
 *                                     as they arrive (sent on change and daily)
 *   INST#<inst> / SNAP#<beat type>    older items: one type's newest beat (compressed, or plain),
 *                                     still read. Snapshots are plain Puts, newest wins (a
 *                                     condition on `at`), before the state
 *   INST#<inst> / FINDING#<finding>   a finding with evidence and history, written when it changes,
 *                                     before the state (newest wins, a condition on `updatedAt`)
 *   INST#<inst> / ACK#<finding>#<at>  support's acknowledgement of a finding, with its note
 * GSIs: gsi1 `SILENT#<bucket>` / last beat time down to 3 hours — the missing-beat sweep reads
 * only the oldest entries of each bucket and judges those of the newest keys by `beatAt`; gsi2
 * `ACC#<account>` / `INST#…` or `FINDING#…` — support lists by account (the beat times from the table).
 * TTL (`ttl`, docs/retention.md): STATE and the snapshots expire SILENT_SUPPORT_DATA_DAYS after
 * their newest beat (each write moves it on), a resolved finding RESOLVED_FINDING_DAYS after it
 * was resolved; STATE#APART, open findings and acknowledgements, not rewritten with every beat,
 * get the expiry once the installation is silent that long (`expireSilentRemains`,
 * dynamodb-silent-installations.ts, from the missing-beat sweep); a closed account's eraser
 * deletes everything.
 */
import { createHash } from 'node:crypto';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { StateCommit, SupportStore } from '../core/rules/ports';
import { StateConflict } from '../core/rules/ports';
import type { InstallationState } from '../core/rules/state';
import type { FindingRecord } from '../core/rules/engine';
import { RESOLVED_FINDING_DAYS, SILENT_SUPPORT_DATA_DAYS, ttlAfterDays } from '../core/accounts/retention';
import { setBounded } from '../core/bounded-map';
import { rethrowThrottling, transactionConditionFailed } from './aws-errors';
import { dynamoItemBytes } from './dynamodb-item-size';
import { inventoryBeatTypes } from '../core/telemetry/catalogue';
import { defaultCycleSeconds } from '../core/telemetry/cadence';
import { decodeSnapshotGroup, encodeSnapshotGroup, type StoredSnapshot } from './support-snapshot-codec';
import {
  apartHashOf,
  decodeStoredState,
  encodeApart,
  encodeOpenFindings,
  encodeState,
  entry,
  patchOf,
  TornStateRead,
  type ApartPlacement,
  type ApartRead,
  type EntryPatch,
} from './support-state-codec';

/** Spreads the sweep's index over this many partitions so no single key gets hot. */
export const SILENT_BUCKETS = 8;
export const silentBucketOf = (installationId: string) =>
  createHash('sha256').update(installationId).digest()[0]! % SILENT_BUCKETS;

export const statePk = (installationId: string) => `INST#${installationId}`;
/** reads again when a read lands between the two items of a write, this many times */
const MAX_TORN_READS = 3;

const APART_SK = 'STATE#APART';
export const COUNTERS_SNAPSHOT_SK = 'SNAP#counters';
export const INVENTORY_SNAPSHOT_SK = 'SNAP#inventory';
/** gsi1's key step: a steady installation's key moves once in 3 hours (delete + put: 2 WRU), not every write */
export const SILENT_KEY_STEP_MS = 3 * 3_600_000;
/** what gsi1 keys on: the newest beat's time down to SILENT_KEY_STEP_MS, never after the beat */
export const silentKeyOf = (beatAt: number) => Math.floor(beatAt / SILENT_KEY_STEP_MS) * SILENT_KEY_STEP_MS;
/** two of the longest cycles: only after this much of a step has passed is the step's key held by the silent few */
export const SILENT_BAND_SETTLES_MS = 2 * defaultCycleSeconds * 1000;
export const idAfter = (prefix: string) =>
  z.pipe(
    z.string().check(z.startsWith(prefix)),
    z.transform((key) => key.slice(prefix.length)),
  );

/**
 * The STATE item as written now: the keys (its installation and account are read from them),
 * the version guard, what the indexes and support's reads use, and the deflated state.
 */
const compactStateItem = z.object({
  pk: idAfter('INST#'),
  gsi2pk: idAfter('ACC#'),
  version: z.int(),
  /** items written before: the newest beat time down to the hour, or exact when there is no beatAt */
  lastBeatAt: z.optional(z.number()),
  /** the exact newest beat time */
  beatAt: z.optional(z.number()),
  snapshotsAt: z.optional(z.number()),
  state: z.instanceof(Uint8Array),
  openFindings: z.optional(z.instanceof(Uint8Array)),
});
const apartItem = z.object({ state: z.instanceof(Uint8Array) });

/**
 * The STATE item as written before the stored form was compacted (deployed items keep it until
 * their installation's next batch rewrites them): everything as plain attributes, with the recent
 * beat ids that came before the watermark. The rule memory is opaque data.
 */
const legacyStateItem = z.object({
  installationId: z.string(),
  accountId: z.string(),
  version: z.int(),
  lastBeatAt: z.optional(z.number()),
  newest: z.record(z.string(), z.number()),
  memory: z.record(
    z.string(),
    z.object({
      series: z.record(z.string(), z.array(z.object({ t: z.number(), v: z.number() }))),
      facts: z.record(z.string(), z.unknown()),
    }),
  ),
  trackers: z.record(z.string(), z.looseObject({ hits: z.number(), clears: z.number() })),
  checkpoints: z.record(z.string(), z.string()),
  recentBeatIds: z.array(z.string()),
});

/** A state as read, with what the next commit needs to know of what is stored. */
export interface StoredState {
  readonly state: InstallationState;
  /** what was found in the STATE#APART item, if the STATE item goes with one */
  readonly apart: ApartRead | undefined;
  /** the STATE item's `openFindings`, written again as it is while no open finding changes */
  readonly openFindings?: Uint8Array;
}

/** The state from its STATE item and, when that names entries stored apart, its STATE#APART item. */
export function stateOfItems(item: Record<string, unknown>, apart: Record<string, unknown> | undefined): StoredState {
  if (item['state'] !== undefined) {
    const {
      pk,
      gsi2pk,
      state,
      openFindings,
      beatAt,
      lastBeatAt: indexed,
      snapshotsAt,
      version,
    } = compactStateItem.parse(item);
    const lastBeatAt = beatAt ?? indexed;
    const plain = {
      installationId: pk,
      accountId: gsi2pk,
      version,
      ...(lastBeatAt !== undefined ? { lastBeatAt } : {}),
    };
    const read = decodeStoredState(state, plain, apart && apartItem.parse(apart).state);
    return {
      ...read,
      ...(snapshotsAt !== undefined ? { state: { ...read.state, snapshotsAt } } : {}),
      ...(openFindings ? { openFindings } : {}),
    };
  }
  const { recentBeatIds, ...legacy } = legacyStateItem.parse(item);
  return {
    state: {
      ...(legacy as Omit<InstallationState, 'atNewest'>),
      atNewest: {},
      ...(recentBeatIds.length > 0 ? { legacyBeatIdPrefixes: recentBeatIds } : {}),
    },
    apart: undefined,
  };
}

/**
 * The entries of `state` against `previous` (the engine keeps an unchanged value's identity) and
 * what was read apart. `stay`: unchanged, read from apart (their value there is current).
 * `patches`: series and facts stored apart that changed a little, as patches of their value
 * there. `changedApart`: read from apart but changed more (slow entries: worth writing apart
 * again). `movable`: unchanged in STATE and worth storing apart (findings, watermarks, object
 * facts, long series; not a number or a short series). `memoryIds`: every fact and series, to
 * tell which of the blob apart were deleted.
 */
function placeEntries(previous: InstallationState, state: InstallationState, apart: ApartRead | undefined) {
  const fromApart = apart?.fromApart ?? new Set<string>();
  const stay = new Set<string>();
  const changedApart: string[] = [];
  const movable: string[] = [];
  const memoryIds = new Set<string>();
  const patches = new Map<string, EntryPatch>();
  const place = (id: string, unchanged: boolean, worth: boolean) => {
    if (fromApart.has(id)) unchanged ? stay.add(id) : changedApart.push(id);
    else if (worth && unchanged) movable.push(id);
  };
  // a series or fact is compared with its value apart: the same object stays, a small change is a patch
  const placeMemory = (id: string, value: unknown, unchanged: boolean, worth: boolean) => {
    if (!apart?.base.has(id)) return place(id, unchanged, worth);
    const base = apart.base.get(id);
    if (value === base) return stay.add(id);
    const patch = patchOf(id, base, value);
    if (patch) patches.set(id, patch);
    else if (fromApart.has(id)) changedApart.push(id);
    else if (worth && unchanged) movable.push(id);
  };
  for (const type in state.newest) {
    const t = type as keyof InstallationState['newest'];
    place(
      entry.watermark(type),
      state.newest[t] === previous.newest[t] && state.atNewest[t] === previous.atNewest[t],
      true,
    );
  }
  for (const ruleId in state.memory) {
    const { series, facts } = state.memory[ruleId]!;
    const was = previous.memory[ruleId];
    for (const key in series) {
      memoryIds.add(entry.series(ruleId, key));
      const points = series[key]!;
      placeMemory(entry.series(ruleId, key), points, points === was?.series[key], points.length >= MIN_APART_POINTS);
    }
    for (const key in facts) {
      const value = facts[key];
      memoryIds.add(entry.fact(ruleId, key));
      const unchanged = key in (was?.facts ?? {}) && value === was!.facts[key];
      placeMemory(entry.fact(ruleId, key), value, unchanged, typeof value === 'object' && value !== null);
    }
  }
  for (const key in state.trackers) {
    const { open, resolved } = state.trackers[key]!;
    if (!open && !resolved) continue;
    const was = previous.trackers[key];
    place(entry.findings(key), open === was?.open && resolved === was?.resolved, true);
  }
  return { stay, patches, changedApart, movable, memoryIds };
}
/** a series this short stays in the STATE item: naming it apart costs about as much */
const MIN_APART_POINTS = 4;

/**
 * The items a commit writes: the STATE item, every time, and now and then the STATE#APART item.
 * Entries read from apart that did not change stay there; a series or fact there that changed a
 * little goes in STATE as a patch of its value apart; everything else goes in STATE, a changed
 * value overriding the stale one apart, a deleted entry named. While that fits
 * STATE_ITEM_BUDGET nothing else is written. When it does not, the entries worth it that did not
 * change, and those that changed but had been apart (they change seldom), move apart together and
 * the blob apart is written again: not two batches in a row (what changes that often stays in
 * STATE). So the item written every 5 minutes holds what changes every 5 minutes (counters'
 * series, their watermarks, tracker counts) and the rest (findings with their histories,
 * baselines, growth series, inventory facts and watermarks) is written about when it changes,
 * several changes at once.
 */
export function stateItemsOf(
  c: Pick<StateCommit, 'state' | 'expectedVersion' | 'careLevel'>,
  read: StoredState | undefined,
) {
  const { state } = c;
  const pk = statePk(state.installationId);
  const version = c.expectedVersion + 1;
  const plain = {
    pk,
    sk: 'STATE',
    version,
    ...(state.lastBeatAt !== undefined ? { beatAt: state.lastBeatAt } : {}),
    ...(state.snapshotsAt !== undefined ? { snapshotsAt: state.snapshotsAt } : {}),
    careLevel: c.careLevel,
    ...(state.lastBeatAt !== undefined ? { ttl: ttlAfterDays(state.lastBeatAt, SILENT_SUPPORT_DATA_DAYS) } : {}),
    ...openFindingsOf(state, read),
    gsi2pk: `ACC#${state.accountId}`,
    gsi2sk: `INST#${state.installationId}`,
    ...(state.lastBeatAt !== undefined
      ? {
          gsi1pk: `SILENT#${silentBucketOf(state.installationId)}`,
          gsi1sk: new Date(silentKeyOf(state.lastBeatAt)).toISOString(),
        }
      : {}),
  };
  if (!read) return { state: { ...plain, state: encodeState(state) } };

  const { stay, patches, changedApart, movable, memoryIds } = placeEntries(read.state, state, read.apart);
  let apart: ApartPlacement | undefined;
  if (read.apart) {
    const deleted = new Set([...read.apart.stored].filter((id) => 'fs'.includes(id[0]!) && !memoryIds.has(id)));
    apart = {
      omit: patches.size > 0 ? new Set([...stay, ...patches.keys()]) : stay,
      hash: read.apart.hash,
      writtenAt: read.apart.writtenAt,
      ...(deleted.size > 0 ? { deleted } : {}),
      ...(patches.size > 0 ? { patches } : {}),
    };
  }
  const item = { ...plain, state: encodeState(state, apart) };
  const writtenLastBatch = read.apart !== undefined && read.apart.writtenAt === read.state.version;
  if (
    dynamoItemBytes(item) <= STATE_ITEM_BUDGET ||
    writtenLastBatch ||
    (movable.length === 0 && changedApart.length === 0 && patches.size === 0)
  )
    return { state: item };

  const omit = new Set([...stay, ...patches.keys(), ...changedApart, ...movable]);
  const blob = encodeApart(state, omit)!;
  return {
    state: { ...plain, state: encodeState(state, { omit, hash: apartHashOf(blob), writtenAt: version }) },
    apart: { pk, sk: APART_SK, state: blob },
  };
}
/**
 * `openFindings`, what support's lists read of the state (gsi2 projects it): absent when none is
 * open, the bytes read when the same findings are open as then (the engine keeps their identity).
 */
function openFindingsOf(state: InstallationState, read: StoredState | undefined): { openFindings?: Uint8Array } {
  if (read?.openFindings) {
    let same = true;
    let open = 0;
    for (const key in state.trackers) {
      const finding = state.trackers[key]!.open;
      if (!finding) continue;
      open++;
      if (finding !== read.state.trackers[key]?.open) same = false;
    }
    for (const key in read.state.trackers) if (read.state.trackers[key]!.open) open--;
    if (same && open === 0) return { openFindings: read.openFindings };
  }
  const openFindings = encodeOpenFindings(state);
  return openFindings ? { openFindings } : {};
}

/** the STATE item is kept within this (bytes as DynamoDB bills them: 1 write unit) */
export const STATE_ITEM_BUDGET = 1000;

/** installations whose last written items a store keeps (about 3 KB each as items) */
export const KEPT_STATES = 20_000;

/** The STATE item and the STATE#APART item it goes with, as stored. */
interface StateItems {
  readonly item: Record<string, unknown>;
  readonly apart: Record<string, unknown> | undefined;
}

export class DynamoDbSupportStore implements SupportStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** how many installations' last written items to keep for their next batch (0: read every batch) */
    private readonly keep = KEPT_STATES,
  ) {}

  /** what each state this store returned was read with (the next commit compares against it) */
  private readonly reads = new WeakMap<InstallationState, StoredState>();
  /** the items each returned state was decoded from: a commit that leaves STATE#APART keeps that one */
  private readonly sources = new WeakMap<InstallationState, StateItems>();
  /**
   * The items this store last wrote per installation, least recently used first: a shard's batches
   * come to one sandbox in turn, so the next batch's state is decoded from them instead of read
   * (docs/proactive-support.md "Rules state"). The version guard catches any other writer.
   */
  private readonly written = new Map<string, StateItems>();

  /**
   * One strongly consistent Query reads the STATE item and, beside it, the STATE#APART item
   * (billed together: one read unit up to 4 KB). A read that lands between the two items of a
   * write does not match (TornStateRead) and is read again.
   */
  async getState(installationId: string): Promise<InstallationState | undefined> {
    const kept = this.written.get(installationId);
    if (kept) {
      this.written.delete(installationId);
      try {
        const state = this.decoded(kept);
        this.kept(installationId, kept);
        return state;
      } catch (error) {
        // a commit whose STATE#APART this store never saw: read both from the table
        if (!(error instanceof TornStateRead)) throw error;
      }
    }
    for (let attempt = 0; ; attempt++) {
      let items: Record<string, unknown>[];
      try {
        const out = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :state)',
            ExpressionAttributeValues: { ':pk': statePk(installationId), ':state': 'STATE' },
            ConsistentRead: true,
          }),
        );
        items = out.Items ?? [];
      } catch (error) {
        return rethrowThrottling(error, 'The support store');
      }
      const stateItem = items.find((item) => item['sk'] === 'STATE');
      if (!stateItem) return undefined;
      try {
        return this.decoded({ item: stateItem, apart: items.find((item) => item['sk'] === APART_SK) });
      } catch (error) {
        if (!(error instanceof TornStateRead) || attempt >= MAX_TORN_READS) throw error;
      }
    }
  }

  /**
   * The snapshots due and the changed findings first (plain Puts, newest wins: a write that lands
   * after the state's would be lost if the Lambda died between the two and the retried batch found
   * nothing to evaluate; the retry writes the same items again), then the state, version-guarded:
   * a conditional Put (1×), a transaction (2×) only when STATE#APART must change with it (the
   * STATE item names the blob apart it goes with).
   */
  async commit(c: StateCommit): Promise<void> {
    const { state } = c;
    await Promise.all([this.writeSnapshots(c), this.writeFindings(c.findings)]);
    const write = stateItemsOf(c, c.previous && this.reads.get(c.previous));
    // A state read is replaced only at its version, a new one only where none is: an item deleted
    // meanwhile (a closed account's eraser) is not written back from a kept state.
    const guard = c.previous
      ? {
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': c.expectedVersion },
        }
      : { ConditionExpression: 'attribute_not_exists(pk)' };
    const id = state.installationId;
    // Unknown until the write answers; kept again below once it has.
    this.written.delete(id);
    const written = {
      item: write.state,
      apart: write.apart ?? (c.previous && this.sources.get(c.previous)?.apart),
    };
    if (!needsTransaction(c, write)) {
      try {
        await this.client.send(new PutCommand({ TableName: this.tableName, Item: write.state, ...guard }));
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') throw new StateConflict(state.installationId);
        rethrowThrottling(error, 'The support store');
      }
      this.kept(id, written);
      return;
    }
    const items = [
      { Put: { TableName: this.tableName, Item: write.state, ...guard } },
      ...(write.apart ? [{ Put: { TableName: this.tableName, Item: write.apart } }] : []),
    ];
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (transactionConditionFailed(error)) throw new StateConflict(state.installationId);
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
      if (
        (error as Error).name === 'TransactionCanceledException' &&
        reasons?.some((r) => r.Code === 'TransactionConflict')
      ) {
        throw new StateConflict(state.installationId);
      }
      rethrowThrottling(error, 'The support store');
    }
    this.kept(id, written);
  }

  private decoded(items: StateItems): InstallationState {
    const read = stateOfItems(items.item, items.apart);
    this.reads.set(read.state, read);
    this.sources.set(read.state, items);
    return read.state;
  }

  private kept(installationId: string, items: StateItems): void {
    setBounded(this.written, installationId, items, this.keep);
  }

  /**
   * Each finding that changed, on its own: a finding's history only grows, so the record with the
   * later `updatedAt` wins, and the same record written again (a retried batch) passes.
   */
  private async writeFindings(findings: StateCommit['findings']): Promise<void> {
    await Promise.all(
      findings.map(async (f) => {
        try {
          await this.client.send(
            new PutCommand({
              TableName: this.tableName,
              Item: findingItemOf(f),
              ConditionExpression: 'attribute_not_exists(#updatedAt) OR #updatedAt <= :updatedAt',
              ExpressionAttributeNames: { '#updatedAt': 'updatedAt' },
              ExpressionAttributeValues: { ':updatedAt': f.updatedAt },
            }),
          );
        } catch (error) {
          // a later record of the finding is stored already (a batch that overtook this one)
          if ((error as Error).name === 'ConditionalCheckFailedException') return;
          rethrowThrottling(error, 'The support store');
        }
      }),
    );
  }

  /**
   * The counters' item and the inventory's replace what is stored, each merged with it (one
   * GetItem) only when a type of its kind the state has seen is missing from this batch.
   */
  private async writeSnapshots(c: StateCommit): Promise<void> {
    if (c.snapshots.length === 0) return;
    const [counters, inventory] = await Promise.all([
      countersToMerge(c).length > 0 ? this.storedGroup(c, COUNTERS_SNAPSHOT_SK) : undefined,
      inventoryToMerge(c).length > 0 ? this.storedGroup(c, INVENTORY_SNAPSHOT_SK) : undefined,
    ]);
    await Promise.all(
      snapshotItemsOf(c, counters, inventory).map(async (item) => {
        try {
          await this.client.send(
            new PutCommand({
              TableName: this.tableName,
              Item: item,
              ConditionExpression: 'attribute_not_exists(#at) OR #at < :at',
              ExpressionAttributeNames: { '#at': 'at' },
              ExpressionAttributeValues: { ':at': item.at },
            }),
          );
        } catch (error) {
          // a newer snapshot is stored already (a retry, or a batch that overtook this one)
          if ((error as Error).name === 'ConditionalCheckFailedException') return;
          rethrowThrottling(error, 'The support store');
        }
      }),
    );
  }

  /** a group snapshot item as stored (eventually consistent: a batch's own earlier write is long since visible) */
  private async storedGroup(c: StateCommit, sk: string): Promise<Record<string, StoredSnapshot> | undefined> {
    const out = await this.client
      .send(new GetCommand({ TableName: this.tableName, Key: { pk: statePk(c.state.installationId), sk } }))
      .catch((error: unknown) => rethrowThrottling(error, 'The support store'));
    const bytes = out.Item?.['snapshots'];
    return bytes instanceof Uint8Array ? decodeSnapshotGroup(bytes) : undefined;
  }
}

/** a transaction (2× write units) only when STATE#APART must change with the state (findings go alone, before) */
export const needsTransaction = (_c: Pick<StateCommit, 'findings'>, write: { apart?: unknown }) =>
  write.apart !== undefined;

export function findingItemOf(f: FindingRecord) {
  return {
    pk: statePk(f.installationId),
    sk: `FINDING#${f.findingId}`,
    type: 'finding',
    ...f,
    ...(f.status === 'resolved' && f.resolvedAt
      ? { ttl: ttlAfterDays(Date.parse(f.resolvedAt), RESOLVED_FINDING_DAYS) }
      : {}),
    gsi2pk: `ACC#${f.accountId}`,
    gsi2sk: `FINDING#${f.updatedAt}#${f.findingId}`,
  };
}

/** counter types the state has seen that this commit's counters' snapshot lacks (kept from the stored one) */
export function countersToMerge(c: Pick<StateCommit, 'snapshots' | 'previous'>): string[] {
  return typesToMerge(c, false);
}

/** inventory types the state has seen that this commit's inventory snapshot lacks (kept from the stored one) */
export function inventoryToMerge(c: Pick<StateCommit, 'snapshots' | 'previous'>): string[] {
  return typesToMerge(c, true);
}

function typesToMerge(c: Pick<StateCommit, 'snapshots' | 'previous'>, inventory: boolean): string[] {
  const written = new Set<string>(
    c.snapshots.filter((s) => inventoryBeatTypes.has(s.type) === inventory).map((s) => s.type),
  );
  if (written.size === 0 || !c.previous) return [];
  return Object.keys(c.previous.newest).filter(
    (type) => inventoryBeatTypes.has(type as never) === inventory && !written.has(type),
  );
}

/**
 * The snapshot items of a commit: the counters' item and the inventory's, each every type of its
 * kind deflated together and merged with the one read (`stored`, `storedInventory`) for the types
 * this batch lacks. Inventory is sent on change and once a day: the daily resend of some fifteen
 * types is one item (about 3 WRU) where an item per type cost 15; items of one type written before
 * are still read (newest per type wins). `at` (epoch ms of the newest collectedAt) is what the
 * newest-wins condition compares.
 */
export function snapshotItemsOf(
  c: Pick<StateCommit, 'snapshots' | 'state'>,
  stored?: Record<string, StoredSnapshot>,
  storedInventory?: Record<string, StoredSnapshot>,
) {
  const pk = statePk(c.state.installationId);
  const counters: Record<string, StoredSnapshot> = {};
  const inventory: Record<string, StoredSnapshot> = {};
  for (const s of c.snapshots)
    (inventoryBeatTypes.has(s.type) ? inventory : counters)[s.type] = {
      beatId: s.beatId,
      collectedAt: s.collectedAt,
      data: s.data,
    };
  const items: (Record<string, unknown> & { at: number })[] = [];
  const groupItem = (sk: string, group: Record<string, StoredSnapshot>, kept?: Record<string, StoredSnapshot>) => {
    if (Object.keys(group).length === 0) return;
    for (const [type, snapshot] of Object.entries(kept ?? {})) group[type] ??= snapshot;
    const at = Math.max(...Object.values(group).map((s) => Date.parse(s.collectedAt)));
    items.push({
      pk,
      sk,
      type: 'snapshots',
      accountId: c.state.accountId,
      at,
      ttl: ttlAfterDays(at, SILENT_SUPPORT_DATA_DAYS),
      snapshots: encodeSnapshotGroup(group),
    });
  };
  groupItem(INVENTORY_SNAPSHOT_SK, inventory, storedInventory);
  groupItem(COUNTERS_SNAPSHOT_SK, counters, stored);
  return items;
}

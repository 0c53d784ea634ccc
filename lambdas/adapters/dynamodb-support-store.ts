/**
 * The regional support table (telemetry-derived data stays in its region). Layout:
 *   INST#<inst> / STATE               the rules' state of the installation (version-guarded): plain
 *                                     attributes for the indexes and support's reads, the rest
 *                                     deflated in `state` (support-state-codec.ts), written every batch
 *   INST#<inst> / STATE#FINDINGS      the findings its trackers hold, with their histories, deflated,
 *                                     once a batch leaves them unchanged (until then they ride in STATE):
 *                                     not written again until they change; read with STATE in one Query
 *   INST#<inst> / SNAP#<beat type>    the newest beat of each type (support's snapshot)
 *   INST#<inst> / FINDING#<finding>   a finding with evidence and history
 *   INST#<inst> / ACK#<finding>#<at>  support's acknowledgement of a finding, with its note
 * GSIs: gsi1 `SILENT#<bucket>` / last beat time — the missing-beat sweep reads only the oldest
 * entries of each bucket; gsi2 `ACC#<account>` / `INST#…` or `FINDING#…` — support lists by account.
 */
import { createHash } from 'node:crypto';
import { QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { SnapshotRecord, StateCommit, SupportStore } from '../core/rules/ports';
import { StateConflict } from '../core/rules/ports';
import { findingIdOf } from '../core/rules/lifecycle';
import type { Severity } from '../core/rules/rule';
import type { OpenFindingSummary } from '../core/support/ports';
import type { InstallationState } from '../core/rules/state';
import type { FindingRecord } from '../core/rules/engine';
import { rethrowThrottling } from './aws-errors';
import {
  decodeStoredState,
  encodeFindings,
  encodeState,
  findingsHashOf,
  TornStateRead,
  type FindingsPlacement,
} from './support-state-codec';

/** Spreads the sweep's index over this many partitions so no single key gets hot. */
export const SILENT_BUCKETS = 8;
export const silentBucketOf = (installationId: string) =>
  createHash('sha256').update(installationId).digest()[0]! % SILENT_BUCKETS;

const statePk = (installationId: string) => `INST#${installationId}`;
/** reads again when a read lands between the two items of a write, this many times */
const MAX_TORN_READS = 3;

const FINDINGS_SK = 'STATE#FINDINGS';
const idAfter = (prefix: string) =>
  z.string().startsWith(prefix).transform((key) => key.slice(prefix.length));

/**
 * The STATE item as written now: the keys (its installation and account are read from them),
 * the version guard, what the indexes and support's reads use, and the deflated state.
 */
const compactStateItem = z.object({
  pk: idAfter('INST#'),
  gsi2pk: idAfter('ACC#'),
  version: z.number().int(),
  lastBeatAt: z.number().optional(),
  state: z.instanceof(Uint8Array),
});
const findingsItem = z.object({ findings: z.instanceof(Uint8Array) });

/**
 * The STATE item as written before the stored form was compacted (deployed items keep it until
 * their installation's next batch rewrites them): everything as plain attributes, with the recent
 * beat ids that came before the watermark. The rule memory is opaque data.
 */
const legacyStateItem = z.object({
  installationId: z.string(),
  accountId: z.string(),
  version: z.number().int(),
  lastBeatAt: z.number().optional(),
  newest: z.record(z.string(), z.number()),
  memory: z.record(
    z.string(),
    z.object({
      series: z.record(z.string(), z.array(z.object({ t: z.number(), v: z.number() }))),
      facts: z.record(z.string(), z.unknown()),
    }),
  ),
  trackers: z.record(z.string(), z.object({ hits: z.number(), clears: z.number() }).passthrough()),
  checkpoints: z.record(z.string(), z.string()),
  recentBeatIds: z.array(z.string()),
});

/** A state as read, with what the next commit needs to know of what is stored. */
export interface StoredState {
  readonly state: InstallationState;
  /** where its findings were: inline in the STATE item, apart (and which blob), or nowhere */
  readonly findings: FindingsPlacement | undefined;
}

/** The state from its STATE item and, when the trackers hold findings, its STATE#FINDINGS item. */
export function stateOfItems(
  item: Record<string, unknown>,
  findings: Record<string, unknown> | undefined,
): StoredState {
  if (item['state'] !== undefined) {
    const { pk, gsi2pk, state, ...plain } = compactStateItem.parse(item);
    return decodeStoredState(
      state,
      { installationId: pk, accountId: gsi2pk, ...plain },
      findings && findingsItem.parse(findings).findings,
    );
  }
  const { recentBeatIds, ...legacy } = legacyStateItem.parse(item);
  return {
    state: {
      ...(legacy as Omit<InstallationState, 'atNewest'>),
      atNewest: {},
      ...(recentBeatIds.length > 0 ? { legacyBeatIdPrefixes: recentBeatIds } : {}),
    },
    findings: { inline: true },
  };
}

/** true when a tracker holds an open or resolved finding the previous state did not hold as such */
function findingsChanged(previous: InstallationState, next: InstallationState): boolean {
  for (const key in next.trackers) {
    const { open, resolved } = next.trackers[key]!;
    const before = previous.trackers[key];
    if ((open && open !== before?.open) || (resolved && resolved !== before?.resolved)) return true;
  }
  return false;
}

/**
 * The items a commit writes. The STATE item, every time; the findings the trackers hold go inline
 * in it when they changed in this batch (or it is not known what was stored), and apart, in the
 * STATE#FINDINGS item, once a batch leaves them unchanged: written once then, and not again until
 * they change. A finding opens, changes severity or resolves now and then; the state changes every
 * batch, and the findings with their histories are most of its bytes.
 */
export function stateItemsOf(
  c: Pick<StateCommit, 'state' | 'expectedVersion' | 'careLevel'>,
  read: StoredState | undefined,
) {
  const { state } = c;
  const pk = statePk(state.installationId);
  let placement: FindingsPlacement | undefined;
  let findings: { pk: string; sk: string; findings: Buffer } | undefined;
  const hasFindings = Object.values(state.trackers).some((t) => t.open || t.resolved);
  if (!hasFindings) placement = undefined;
  else if (!read?.findings || findingsChanged(read.state, state)) placement = { inline: true };
  else if ('hash' in read.findings) placement = read.findings;
  else {
    const blob = encodeFindings(state)!;
    placement = { hash: findingsHashOf(blob) };
    findings = { pk, sk: FINDINGS_SK, findings: blob };
  }
  return {
    state: {
      pk,
      sk: 'STATE',
      version: c.expectedVersion + 1,
      ...(state.lastBeatAt !== undefined ? { lastBeatAt: state.lastBeatAt } : {}),
      careLevel: c.careLevel,
      openFindings: openFindingsOf(state),
      gsi2pk: `ACC#${state.accountId}`,
      gsi2sk: `INST#${state.installationId}`,
      ...(state.lastBeatAt !== undefined
        ? { gsi1pk: `SILENT#${silentBucketOf(state.installationId)}`, gsi1sk: new Date(state.lastBeatAt).toISOString() }
        : {}),
      state: encodeState(state, placement),
    },
    ...(findings ? { findings } : {}),
  };
}

/**
 * The open findings as the state item's `openFindings` holds them (support's lists read it, gsi2
 * projects it): one string each, `<severity initial>|<openedAt>|<finding id>|<rule id>|<subject>`,
 * the id left empty when findingIdOf gives it (it does unless the finding came from elsewhere). An
 * object per finding took 130 bytes of an item written every 5 minutes; this takes about half.
 */
export function openFindingsOf(state: InstallationState): string[] {
  const out: string[] = [];
  for (const key in state.trackers) {
    const open = state.trackers[key]!.open;
    if (!open) continue;
    const bar = key.indexOf('|');
    const ruleId = key.slice(0, bar);
    const subject = key.slice(bar + 1);
    const id = open.findingId === findingIdOf(state.installationId, ruleId, subject, open.openedAt) ? '' : open.findingId;
    out.push(`${open.severity[0]}|${open.openedAt}|${id}|${ruleId}|${subject}`);
  }
  return out;
}

const severityOfInitial: Record<string, Severity> = { i: 'info', w: 'warning', c: 'critical' };

/** One entry of `openFindings` read back; undefined when it is not one. */
export function openFindingOfEntry(installationId: string, entry: string): OpenFindingSummary | undefined {
  const parts = entry.split('|');
  const severity = severityOfInitial[parts[0]!];
  if (!severity || parts.length < 5) return undefined;
  const [, openedAt, id, ruleId] = parts as [string, string, string, string];
  const subject = parts.slice(4).join('|');
  return { findingId: id || findingIdOf(installationId, ruleId, subject, openedAt), ruleId, subject, severity, openedAt };
}

export class DynamoDbSupportStore implements SupportStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** what each state this store returned was read with (the next commit compares against it) */
  private readonly reads = new WeakMap<InstallationState, StoredState>();

  /**
   * One strongly consistent Query reads the STATE item and, beside it, the STATE#FINDINGS item
   * (billed together: one read unit up to 4 KB). A read that lands between the two items of a
   * write does not match (TornStateRead) and is read again.
   */
  async getState(installationId: string): Promise<InstallationState | undefined> {
    for (let attempt = 0; ; attempt++) {
      let items;
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
        const read = stateOfItems(stateItem, items.find((item) => item['sk'] === FINDINGS_SK));
        this.reads.set(read.state, read);
        return read.state;
      } catch (error) {
        if (!(error instanceof TornStateRead) || attempt >= MAX_TORN_READS) throw error;
      }
    }
  }

  async commit(c: StateCommit): Promise<void> {
    const { state } = c;
    const write = stateItemsOf(c, c.previous && this.reads.get(c.previous));
    const items = [
      {
        Put: {
          TableName: this.tableName,
          Item: write.state,
          ConditionExpression: 'attribute_not_exists(pk) OR #version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': c.expectedVersion },
        },
      },
      ...(write.findings ? [{ Put: { TableName: this.tableName, Item: write.findings } }] : []),
      ...c.findings.map((f) => ({ Put: { TableName: this.tableName, Item: this.findingItem(f) } })),
      ...c.snapshots.map((s) => ({ Put: { TableName: this.tableName, Item: this.snapshotItem(s) } })),
    ];
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
      if ((error as Error).name === 'TransactionCanceledException' && reasons?.[0]?.Code === 'ConditionalCheckFailed') {
        throw new StateConflict(state.installationId);
      }
      if (
        (error as Error).name === 'TransactionCanceledException' &&
        reasons?.some((r) => r.Code === 'TransactionConflict')
      ) {
        throw new StateConflict(state.installationId);
      }
      rethrowThrottling(error, 'The support store');
    }
  }

  async silentSince(before: number, limit: number): Promise<string[]> {
    const beforeIso = new Date(before).toISOString();
    const ids: string[] = [];
    for (let bucket = 0; bucket < SILENT_BUCKETS && ids.length < limit; bucket++) {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :before',
          ExpressionAttributeValues: { ':pk': `SILENT#${bucket}`, ':before': beforeIso },
          Limit: limit - ids.length,
        }),
      );
      for (const item of out.Items ?? []) ids.push(z.object({ pk: idAfter('INST#') }).parse(item).pk);
    }
    return ids;
  }

  private findingItem(f: FindingRecord) {
    return {
      pk: statePk(f.installationId),
      sk: `FINDING#${f.findingId}`,
      type: 'finding',
      ...f,
      gsi2pk: `ACC#${f.accountId}`,
      gsi2sk: `FINDING#${f.updatedAt}#${f.findingId}`,
    };
  }

  private snapshotItem(s: SnapshotRecord) {
    return { pk: statePk(s.installationId), sk: `SNAP#${s.type}`, ...s, type: 'snapshot', beatType: s.type };
  }
}

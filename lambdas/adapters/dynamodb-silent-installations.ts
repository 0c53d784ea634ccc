/**
 * The missing-beat sweep's reads of the support table (the layout: dynamodb-support-store.ts):
 * which installations fell silent, from gsi1 without a scan, and the expiry of what a long-silent
 * one leaves without one. Apart from the store so the rules' stream consumer does not bundle it.
 */
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { SilentInstallations } from '../core/rules/ports';
import { rethrowThrottling } from './aws-errors';
import { batchGetAll } from './dynamodb-batch-get';
import {
  idAfter,
  SILENT_BAND_SETTLES_MS,
  SILENT_BUCKETS,
  SILENT_KEY_STEP_MS,
  silentKeyOf,
  statePk,
} from './dynamodb-support-store';

/**
 * The gsi1 keys to read for installations silent since `before`: all below it once its step has
 * settled, only the surely silent (keyed a whole step before) until then, when the step's key is
 * still held by every installation that has not beaten in it yet. Keys above `surelySilentKey`
 * are judged by the exact beat.
 */
export function silenceCut(before: number): { op: '<' | '<='; key: string; surelySilentKey: string } {
  // a beat keyed at or before this was before `before` (an hourly key of an item written before too)
  const surelySilentKey = new Date(before - SILENT_KEY_STEP_MS).toISOString();
  return before - silentKeyOf(before) >= SILENT_BAND_SETTLES_MS
    ? { op: '<', key: new Date(before).toISOString(), surelySilentKey }
    : { op: '<=', key: surelySilentKey, surelySilentKey };
}

export class DynamoDbSilentInstallations implements SilentInstallations {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async expireSilentRemains(before: number, at: number, limit: number): Promise<number> {
    const ttl = Math.floor(at / 1000);
    let expired = 0;
    for (const installationId of await this.silentSince(before, limit)) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await this.client
          .send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: 'pk = :pk',
              FilterExpression: 'attribute_not_exists(#ttl)',
              ProjectionExpression: 'pk, sk',
              ExpressionAttributeNames: { '#ttl': 'ttl' },
              ExpressionAttributeValues: { ':pk': statePk(installationId) },
              ExclusiveStartKey: startKey,
            }),
          )
          .catch((error: unknown) => rethrowThrottling(error, 'The support store'));
        for (const item of page.Items ?? []) {
          try {
            await this.client.send(
              new UpdateCommand({
                TableName: this.tableName,
                Key: { pk: item['pk'], sk: item['sk'] },
                UpdateExpression: 'SET #ttl = :ttl',
                // never creates an item, never shortens an expiry written meanwhile
                ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#ttl)',
                ExpressionAttributeNames: { '#ttl': 'ttl' },
                ExpressionAttributeValues: { ':ttl': ttl },
              }),
            );
            expired++;
          } catch (error) {
            if ((error as Error).name !== 'ConditionalCheckFailedException')
              rethrowThrottling(error, 'The support store');
          }
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
    return expired;
  }

  /**
   * gsi1 keys on the last beat down to SILENT_KEY_STEP_MS, so `gsi1sk < before` finds every
   * installation silent since `before` and, among the keys within a step of it, some that beat
   * since (just after a step, every one that has not beaten since): those are judged by their
   * STATE item's exact `beatAt` (one eventually consistent BatchGetItem of the times only, half a
   * read unit each), so what is returned, and counted against `limit`, is silent. Those are read
   * only once SILENT_BAND_SETTLES_MS of their step has passed, when the living have moved on to the
   * next key: a fleet is never read whole, and silence is found at most that much later.
   *
   * The most recently silent first, the buckets taking turns: those are the ones whose silence the
   * tick rules still grade. Oldest first, a fleet with more than `limit` long-silent installations
   * (retired servers, telemetry switched off) had every run spend its limit on them, and one that
   * fell silent since was never evaluated.
   */
  async silentSince(before: number, limit: number): Promise<string[]> {
    const below = silenceCut(before);
    const surelySilentIso = below.surelySilentKey;
    const ids: string[] = [];
    // the buckets still to read, each with where its walk goes on (undefined before its first page)
    const next = new Map<number, Record<string, unknown> | undefined>(
      Array.from({ length: SILENT_BUCKETS }, (_, bucket) => [bucket, undefined]),
    );
    while (ids.length < limit && next.size > 0) {
      const share = Math.ceil((limit - ids.length) / next.size);
      for (const [bucket, startKey] of [...next]) {
        if (ids.length >= limit) break;
        const out = await this.client
          .send(
            new QueryCommand({
              TableName: this.tableName,
              IndexName: 'gsi1',
              KeyConditionExpression: `gsi1pk = :pk AND gsi1sk ${below.op} :below`,
              ExpressionAttributeValues: { ':pk': `SILENT#${bucket}`, ':below': below.key },
              ScanIndexForward: false,
              Limit: Math.min(share, limit - ids.length),
              ExclusiveStartKey: startKey,
            }),
          )
          .catch((error: unknown) => rethrowThrottling(error, 'The support store'));
        const entries = (out.Items ?? []).map((item) => silentEntry.parse(item));
        const judged = await beatTimesOf(
          this.client,
          this.tableName,
          entries.filter((e) => e.gsi1sk > surelySilentIso).map((e) => e.pk),
        );
        for (const { pk, gsi1sk } of entries) {
          const beatAt = gsi1sk > surelySilentIso ? judged.get(pk) : undefined;
          if (gsi1sk <= surelySilentIso || (beatAt !== undefined && beatAt < before)) ids.push(pk);
        }
        if (out.LastEvaluatedKey) next.set(bucket, out.LastEvaluatedKey);
        else next.delete(bucket);
      }
    }
    return ids.slice(0, limit);
  }
}

/** an entry of gsi1: its installation and key */
const silentEntry = z.object({ pk: idAfter('INST#'), gsi1sk: z.string() });
/** the beat times of a STATE item (items written before beatAt hold the exact time in lastBeatAt) */
const beatTimesItem = z.object({
  pk: idAfter('INST#'),
  beatAt: z.optional(z.number()),
  lastBeatAt: z.optional(z.number()),
});

/**
 * The exact newest beat time of each of these installations' STATE items (those that have one), by
 * installation: one eventually consistent BatchGetItem of the times only, half a read unit each.
 */
export async function beatTimesOf(
  client: DynamoDBDocumentClient,
  tableName: string,
  installationIds: readonly string[],
): Promise<Map<string, number>> {
  if (installationIds.length === 0) return new Map();
  const items = await batchGetAll(
    client,
    tableName,
    installationIds.map((id) => ({ pk: statePk(id), sk: 'STATE' })),
    ['pk', 'beatAt', 'lastBeatAt'],
  ).catch((error: unknown) => rethrowThrottling(error, 'The support store'));
  const beats = new Map<string, number>();
  for (const item of items) {
    const { pk, beatAt, lastBeatAt } = beatTimesItem.parse(item);
    const at = beatAt ?? lastBeatAt;
    if (at !== undefined) beats.set(pk, at);
  }
  return beats;
}

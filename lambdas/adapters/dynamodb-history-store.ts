/**
 * The history in the regional support table, beside the installation's state and findings (its
 * partition, so closing the account erases it with the rest):
 *   INST#<inst> / HIST#<resolution s>#<block start, epoch ms, 13 digits>[#<content hash>]
 * `b` the block (history-block-codec.ts), `ttl` when its newest point leaves the tier. Each item is
 * written once with a Put (never updated: an update is charged the larger of old and new item);
 * one Query of a key range reads a chart's range of one tier.
 */
import { createHash } from 'node:crypto';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { BlockWrite, HistoryBlock, HistoryStore } from '../core/history/ports';
import { blockSpanMs, type Tier } from '../core/history/tiers';
import { rethrowThrottling } from './aws-errors';
import { batchWrite } from './dynamodb-batch-write';
import { decodeBlock, encodeBlock } from './history-block-codec';

const pkOf = (installationId: string) => `INST#${installationId}`;
/** a key below every item of the tier starting at `start` or later (a content hash follows the start) */
const skOf = (tier: Tier, start: number) =>
  `HIST#${tier.resolutionSeconds}#${String(Math.max(0, start)).padStart(13, '0')}`;
/** when the block's newest point leaves the tier */
const ttlOf = (tier: Tier, start: number) => Math.floor((start + blockSpanMs(tier) + tier.keepMs) / 1000);

const storedBlock = z.object({ sk: z.string(), b: z.instanceof(Uint8Array) });

export class DynamoDbHistoryStore implements HistoryStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putBlocks(
    installationId: string,
    tier: Tier,
    blocks: readonly HistoryBlock[],
    options?: { readonly byContent?: boolean },
  ): Promise<void> {
    try {
      await Promise.all(
        this.itemsOf({ installationId, tier, blocks, ...(options ? { options } : {}) }).map((Item) =>
          this.client.send(new PutCommand({ TableName: this.tableName, Item })),
        ),
      );
    } catch (error) {
      rethrowThrottling(error, 'The support store');
    }
  }

  async putMany(writes: readonly BlockWrite[]): Promise<ReadonlyMap<string, unknown>> {
    // one key once: BatchWriteItem refuses a request naming a key twice (a post re-sent within
    // the batch gives the same blocks, so the same items)
    const items = new Map<string, Record<string, unknown>>();
    for (const item of writes.flatMap((write) => this.itemsOf(write))) items.set(`${item.pk}|${item.sk}`, item);
    const unwritten = await batchWrite(
      this.client,
      this.tableName,
      [...items.values()].map((Item) => ({ PutRequest: { Item } })),
    );
    const failed = new Map<string, unknown>();
    for (const { request, reason } of unwritten) {
      const pk = 'PutRequest' in request ? String(request.PutRequest.Item['pk']) : '';
      failed.set(pk.slice('INST#'.length), reason);
    }
    return failed;
  }

  private itemsOf({ installationId, tier, blocks, options }: BlockWrite) {
    const resolutionMs = tier.resolutionSeconds * 1000;
    return blocks.map((block) => {
      const b = encodeBlock(block.start, resolutionMs, block.series);
      const sk = skOf(tier, block.start);
      return {
        pk: pkOf(installationId),
        sk: options?.byContent ? `${sk}#${createHash('sha256').update(b).digest('hex').slice(0, 12)}` : sk,
        b,
        ttl: ttlOf(tier, block.start),
      };
    });
  }

  async blockBefore(installationId: string, tier: Tier, before: number): Promise<HistoryBlock | undefined> {
    try {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': pkOf(installationId),
            ':from': skOf(tier, 0),
            ':to': skOf(tier, before),
          },
          ProjectionExpression: 'sk, b',
          ScanIndexForward: false,
          Limit: 1,
        }),
      );
      const item = page.Items?.[0];
      return item ? this.blockOf(item, tier) : undefined;
    } catch (error) {
      return rethrowThrottling(error, 'The support store');
    }
  }

  private blockOf(item: Record<string, unknown>, tier: Tier): HistoryBlock {
    const { sk, b } = storedBlock.parse(item);
    const start = Number(sk.split('#')[2]);
    return { start, series: decodeBlock(start, tier.resolutionSeconds * 1000, b) };
  }

  async blocks(
    installationId: string,
    tier: Tier,
    from: number,
    to: number,
    options?: { readonly consistent?: boolean },
  ): Promise<HistoryBlock[]> {
    const out: HistoryBlock[] = [];
    let startKey: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: {
              ':pk': pkOf(installationId),
              ':from': skOf(tier, from),
              ':to': skOf(tier, to),
            },
            ProjectionExpression: 'sk, b',
            ...(options?.consistent ? { ConsistentRead: true } : {}),
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        for (const item of page.Items ?? []) out.push(this.blockOf(item, tier));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    } catch (error) {
      rethrowThrottling(error, 'The support store');
    }
    return out;
  }
}

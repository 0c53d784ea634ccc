/**
 * The fleet's finding counters on the regional support table (fleet-overview.ts):
 *   FLEET / DAY#<YYYY-MM-DD>   per `<ruleId>|<severity>`: `o:` opened, `r:` resolved, `n:` net open change
 *   FLEET / OPEN               per `<ruleId>|<severity>`: `n:` findings open now
 *   FLEETFACTS / <installation>   suiteVersion, sqlEdition (and the beat time of each), written when an
 *                              inventory beat says one (on change and daily), expiring with the
 *                              installation's support data; the overview reads the partition
 * Counters are ADDs, one UpdateItem per item per rules invocation (a whole batch's changes summed), so
 * the writers are at most the consumer's reserved concurrency, far below a partition's 1,000 writes
 * a second: one unsharded partition (docs/proactive-support.md "Fleet overview"). Days expire after 40.
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { SILENT_SUPPORT_DATA_DAYS, ttlAfterDays } from '../core/accounts/retention';
import type {
  Counts,
  DayCounters,
  FleetCounterStore,
  FleetTally,
  InstallationFacts,
} from '../core/support/fleet-overview';
import type { FleetFactsReader } from '../core/support/ports';
import { hasErrorName, rethrowThrottling } from './aws-errors';
import { batchGetAll } from './dynamodb-batch-get';
import { queryAll } from './dynamodb-query-all';

const FACTS_PK = 'FLEETFACTS';
const factsItem = z.object({ suiteVersion: z.optional(z.string()), sqlEdition: z.optional(z.string()) });

const PK = 'FLEET';
const OPEN_SK = 'OPEN';
const DAY_PREFIX = 'DAY#';
const KEPT_DAYS = 40;

function addExpression(fields: readonly (readonly [prefix: string, counts: Counts])[]) {
  const names: Record<string, string> = {};
  const values: Record<string, number> = {};
  const adds: string[] = [];
  for (const [prefix, counts] of fields)
    for (const [key, n] of Object.entries(counts)) {
      if (n === 0) continue;
      const i = adds.length;
      names[`#a${i}`] = `${prefix}${key}`;
      values[`:a${i}`] = n;
      adds.push(`#a${i} :a${i}`);
    }
  return { names, values, adds };
}

function countsOf(item: Record<string, unknown>, prefix: string): Counts {
  const counts: Counts = {};
  for (const [name, value] of Object.entries(item))
    if (name.startsWith(prefix) && typeof value === 'number') counts[name.slice(prefix.length)] = value;
  return counts;
}

export class DynamoDbFleetCounters implements FleetCounterStore, FleetFactsReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async add(day: string, tally: FleetTally): Promise<void> {
    const daily = addExpression([
      ['o:', tally.opened],
      ['r:', tally.resolved],
      ['n:', tally.net],
    ]);
    const open = addExpression([['n:', tally.net]]);
    const expiresAt = ttlAfterDays(Date.parse(`${day}T00:00:00Z`), KEPT_DAYS);
    await Promise.all([
      daily.adds.length > 0 &&
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: PK, sk: `${DAY_PREFIX}${day}` },
            UpdateExpression: `SET #ttl = :ttl ADD ${daily.adds.join(', ')}`,
            ExpressionAttributeNames: { ...daily.names, '#ttl': 'ttl' },
            ExpressionAttributeValues: { ...daily.values, ':ttl': expiresAt },
          }),
        ),
      open.adds.length > 0 &&
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: PK, sk: OPEN_SK },
            UpdateExpression: `ADD ${open.adds.join(', ')}`,
            ExpressionAttributeNames: open.names,
            ExpressionAttributeValues: open.values,
          }),
        ),
    ]);
  }

  async putFacts(facts: InstallationFacts, now: number): Promise<void> {
    // One field at a time, each only over an older beat's (a late inventory beat changes nothing).
    const fields = [
      ['suiteVersion', 'suiteAt', facts.suiteVersion, facts.suiteAt],
      ['sqlEdition', 'editionAt', facts.sqlEdition, facts.editionAt],
    ] as const;
    await Promise.all(
      fields.map(async ([field, atField, value, at]) => {
        if (value === undefined || at === undefined) return;
        try {
          await this.client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: { pk: FACTS_PK, sk: facts.installationId },
              UpdateExpression: 'SET #f = :v, #at = :at, #ttl = :ttl',
              ConditionExpression: 'attribute_not_exists(#at) OR #at < :at',
              ExpressionAttributeNames: { '#f': field, '#at': atField, '#ttl': 'ttl' },
              ExpressionAttributeValues: {
                ':v': value,
                ':at': at,
                ':ttl': ttlAfterDays(now, SILENT_SUPPORT_DATA_DAYS),
              },
            }),
          );
        } catch (error) {
          if (!hasErrorName(error, 'ConditionalCheckFailedException')) throw error;
        }
      }),
    );
  }

  async facts(): Promise<{ suiteVersion?: string; sqlEdition?: string }[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': FACTS_PK },
      ProjectionExpression: 'suiteVersion, sqlEdition',
    }).catch((error: unknown) => rethrowThrottling(error, 'The support store'));
    return items.map((item) => {
      const { suiteVersion, sqlEdition } = factsItem.parse(item);
      return { ...(suiteVersion && { suiteVersion }), ...(sqlEdition && { sqlEdition }) };
    });
  }

  async factsOf(
    installationIds: readonly string[],
  ): Promise<Map<string, { suiteVersion?: string; sqlEdition?: string }>> {
    const items = await batchGetAll(
      this.client,
      this.tableName,
      installationIds.map((sk) => ({ pk: FACTS_PK, sk })),
      ['sk', 'suiteVersion', 'sqlEdition'],
    );
    const found = new Map<string, { suiteVersion?: string; sqlEdition?: string }>();
    for (const item of items) {
      const { suiteVersion, sqlEdition } = factsItem.parse(item);
      found.set(String(item['sk']), { ...(suiteVersion && { suiteVersion }), ...(sqlEdition && { sqlEdition }) });
    }
    return found;
  }

  async read(fromDay: string, toDay: string): Promise<{ days: DayCounters[]; open: Counts }> {
    // DAY#… sorts before OPEN: one Query from the first day to OPEN reads both
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :open',
      ExpressionAttributeValues: { ':pk': PK, ':from': `${DAY_PREFIX}${fromDay}`, ':open': OPEN_SK },
    }).catch((error: unknown) => rethrowThrottling(error, 'The support store'));
    const days = items
      .filter(
        (i) => typeof i['sk'] === 'string' && i['sk'].startsWith(DAY_PREFIX) && i['sk'] <= `${DAY_PREFIX}${toDay}`,
      )
      .map((i) => ({
        day: (i['sk'] as string).slice(DAY_PREFIX.length),
        opened: countsOf(i, 'o:'),
        resolved: countsOf(i, 'r:'),
        net: countsOf(i, 'n:'),
      }));
    const open = items.find((i) => i['sk'] === OPEN_SK);
    return { days, open: open ? countsOf(open, 'n:') : {} };
  }
}

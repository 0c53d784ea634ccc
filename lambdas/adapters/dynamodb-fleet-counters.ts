/**
 * The fleet's finding counters on the regional support table (fleet-overview.ts):
 *   FLEET / DAY#<YYYY-MM-DD>   per `<ruleId>|<severity>`: `o:` opened, `r:` resolved, `n:` net open change
 *   FLEET / OPEN               per `<ruleId>|<severity>`: `n:` findings open now
 * Counters are ADDs, one UpdateItem per item per rules invocation (a whole batch's changes summed), so
 * the writers are at most the consumer's reserved concurrency, far below a partition's 1,000 writes
 * a second: one unsharded partition (docs/proactive-support.md "Fleet overview"). Days expire after 40.
 */
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ttlAfterDays } from '../core/accounts/retention';
import type { Counts, DayCounters, FleetCounterStore, FleetTally } from '../core/support/fleet-overview';
import { rethrowThrottling } from './aws-errors';

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

export class DynamoDbFleetCounters implements FleetCounterStore {
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

  async read(fromDay: string, toDay: string): Promise<{ days: DayCounters[]; open: Counts }> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        // DAY#… sorts before OPEN: one Query from the first day to OPEN reads both
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :open',
            ExpressionAttributeValues: { ':pk': PK, ':from': `${DAY_PREFIX}${fromDay}`, ':open': OPEN_SK },
            ...(start && { ExclusiveStartKey: start }),
          }),
        );
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
    } catch (error) {
      rethrowThrottling(error, 'The support store');
    }
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

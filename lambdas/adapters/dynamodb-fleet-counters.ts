/**
 * The fleet's finding counters and installation facts on the regional support table, as the
 * overview and support's lists read them; the layout and the writes: dynamodb-fleet-counter-writes.ts.
 */
import * as z from 'zod/mini';
import type { Counts, DayCounters, FleetCounterStore } from '../core/support/fleet-overview';
import type { FleetFactsReader } from '../core/support/ports';
import { rethrowThrottling } from './aws-errors';
import { batchGetAll } from './dynamodb-batch-get';
import { DAY_PREFIX, DynamoDbFleetCounterWrites, FACTS_PK, OPEN_SK, PK } from './dynamodb-fleet-counter-writes';
import { queryAll } from './dynamodb-query-all';

const factsItem = z.object({ suiteVersion: z.optional(z.string()), sqlEdition: z.optional(z.string()) });

function countsOf(item: Record<string, unknown>, prefix: string): Counts {
  const counts: Counts = {};
  for (const [name, value] of Object.entries(item))
    if (name.startsWith(prefix) && typeof value === 'number') counts[name.slice(prefix.length)] = value;
  return counts;
}

export class DynamoDbFleetCounters extends DynamoDbFleetCounterWrites implements FleetCounterStore, FleetFactsReader {
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

/**
 * The fleet's finding counters on the regional support table (fleet-overview.ts), as the rules
 * write them (dynamodb-fleet-counters.ts adds the overview's reads):
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
import { SILENT_SUPPORT_DATA_DAYS, ttlAfterDays } from '../core/accounts/retention';
import type { Counts, FleetCounterStore, FleetTally, InstallationFacts } from '../core/support/fleet-overview';
import { hasErrorName } from './aws-errors';

export const FACTS_PK = 'FLEETFACTS';
export const PK = 'FLEET';
export const OPEN_SK = 'OPEN';
export const DAY_PREFIX = 'DAY#';
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

export class DynamoDbFleetCounterWrites implements Pick<FleetCounterStore, 'add' | 'putFacts'> {
  constructor(
    protected readonly client: DynamoDBDocumentClient,
    protected readonly tableName: string,
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
}

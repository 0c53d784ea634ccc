/**
 * Every Smart Account's id, a page at a time, for the shortfall sweep: a Scan of the licensing
 * table (one parallel-scan segment of it when a part is given) keeping only the
 * `ACC#<account>/META` items. No index lists all accounts, and one read of the table a day, spread
 * over the hourly runs, costs less than keeping one (docs/licensing.md).
 */
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { AccountIdSource, SweepPart } from '../core/licensing/shortfall-enforcement';
import { rethrowThrottling } from './aws-errors';

const itemSchema = z.object({ pk: z.string().check(z.startsWith('ACC#')) });
const cursorSchema = z.record(z.string(), z.string());

export class DynamoDbAccountIds implements AccountIdSource {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async listAccountIds(cursor?: string, part?: SweepPart): Promise<{ accountIds: string[]; cursor?: string }> {
    const page = await this.client
      .send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'sk = :meta AND begins_with(pk, :acc)',
          ProjectionExpression: 'pk',
          ExpressionAttributeValues: { ':meta': 'META', ':acc': 'ACC#' },
          ...(part ? { Segment: part.segment, TotalSegments: part.totalSegments } : {}),
          ...(cursor
            ? { ExclusiveStartKey: cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))) }
            : {}),
        }),
      )
      .catch((error: unknown) => rethrowThrottling(error, 'The licensing table'));
    return {
      accountIds: (page.Items ?? []).map((item) => itemSchema.parse(item).pk.slice('ACC#'.length)),
      ...(page.LastEvaluatedKey
        ? { cursor: Buffer.from(JSON.stringify(page.LastEvaluatedKey), 'utf8').toString('base64url') }
        : {}),
    };
  }
}

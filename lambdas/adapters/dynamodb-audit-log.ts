/** Reads an account's audit trail from the licensing table's `AUDIT#<account> / <at>#<event>` items, newest first. */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import {
  AUDIT_READ_BOUNDS,
  type AuditEventsRead,
  type AuditLogReader,
  type AuditRange,
} from '../core/licensing/list-audit-events';
import type { AuditEvent } from '../core/licensing/model';
import { rethrowThrottling } from './aws-errors';

const auditItemSchema = z.object({
  accountId: z.string(),
  at: z.string(),
  eventId: z.string(),
  actor: z.object({
    kind: z.enum(['backoffice', 'support', 'reseller', 'customer', 'installation', 'system']),
    id: z.string(),
  }),
  action: z.string(),
  details: z.record(z.string(), z.unknown()),
});

/** Sorts after every `<at>#<eventId>` of the same instant. */
const HIGHEST = '\uffff';

export class DynamoDbAuditLog implements AuditLogReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** the most one call reads: Query calls, and items evaluated (before the action filter) */
    private readonly bounds: { pages: number; items: number } = AUDIT_READ_BOUNDS,
  ) {}

  async auditEvents(accountId: string, range: AuditRange): Promise<AuditEventsRead> {
    const pk = `AUDIT#${accountId}`;
    const lowest = range.from ?? '0';
    const highest = `${range.to ?? '9999'}#${HIGHEST}`;
    // The cursor is the client's to send with any range, and DynamoDB refuses a start key outside
    // the key condition: one below the range leaves nothing to read, one above it starts at the top.
    if (range.after !== undefined && range.after < lowest) return { events: [], more: false };
    const after = range.after !== undefined && range.after <= highest ? range.after : undefined;
    const events: AuditEvent[] = [];
    let startKey: Record<string, unknown> | undefined = after ? { pk, sk: after } : undefined;
    // One extra event tells whether another page exists; the action filter applies after each
    // page is read, so a filtered page may need several reads: as many as the bounds allow.
    let reads = 0;
    let evaluated = 0;
    // Filtered, a read evaluates its share of the bound at least: the filter may keep few of them.
    const share = Math.ceil(this.bounds.items / this.bounds.pages);
    const wanted = () => {
      const missing = range.limit + 1 - events.length;
      return range.action ? Math.max(missing, share) : missing;
    };
    do {
      const page = await this.client
        .send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: {
              ':pk': pk,
              ':from': lowest,
              ':to': highest,
              ...(range.action ? { ':action': range.action } : {}),
            },
            ...(range.action
              ? { FilterExpression: '#action = :action', ExpressionAttributeNames: { '#action': 'action' } }
              : {}),
            ScanIndexForward: false,
            Limit: Math.min(wanted(), this.bounds.items - evaluated),
            ExclusiveStartKey: startKey,
          }),
        )
        .catch((error: unknown) => rethrowThrottling(error, 'The audit log'));
      for (const item of page.Items ?? []) {
        const { accountId: acc, at, eventId, actor, action, details } = auditItemSchema.parse(item);
        events.push({ accountId: acc, at, eventId, actor, action, details });
      }
      reads++;
      evaluated += page.ScannedCount ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey && events.length <= range.limit && reads < this.bounds.pages && evaluated < this.bounds.items);
    if (events.length > range.limit) return { events: events.slice(0, range.limit), more: true };
    // Stopped at the bound with the page short: the next page starts after the last item read.
    if (startKey) return { events, more: true, resumeAfter: z.string().parse(startKey.sk) };
    return { events, more: false };
  }
}

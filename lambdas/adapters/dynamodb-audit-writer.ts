/** Appends one audit event to the licensing table's `AUDIT#<account> / <at>#<event>` items (read by DynamoDbAuditLog). */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../core/licensing/model';
import type { AuditWriter } from '../core/presence/deps';
import { licensingPk } from '../shared/licensing-table-keys';

/** The audit log's item: every writer of audit events puts this shape (the vendor events read `type`). */
export const auditItem = (event: AuditEvent) => ({
  pk: licensingPk('audit', event.accountId),
  sk: `${event.at}#${event.eventId}`,
  type: 'audit' as const,
  ...event,
});

export class DynamoDbAuditWriter implements AuditWriter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async append(event: AuditEvent): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: auditItem(event),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }
}

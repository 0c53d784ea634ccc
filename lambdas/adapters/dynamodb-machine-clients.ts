/**
 * The vendor's machine clients on the licensing table (docs/back-office.md):
 *   CLIENT#<id> / META   name, scopes, createdBy, createdAt, revokedAt; gsi1 CLIENTS / <createdAt>#<id>
 * each written in one transaction with its audit item (`AUDIT#ops`).
 */
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll } from './dynamodb-query-all';
import * as z from 'zod/mini';
import { machineScopes, type MachineClientRecord, type MachineClientStore } from '../core/accounts/machine-clients';
import type { AuditEvent } from '../core/licensing/model';
import { auditItem } from './dynamodb-audit-writer';
import { hasErrorName } from './aws-errors';

const clientKey = (id: string) => ({ pk: `CLIENT#${id}`, sk: 'META' });
const recordSchema = z.object({
  clientId: z.string(),
  name: z.string(),
  scopes: z.array(z.enum(machineScopes)),
  createdBy: z.string(),
  createdAt: z.string(),
  revokedAt: z.optional(z.string()),
});
const parse = (item: Record<string, unknown>): MachineClientRecord => {
  const { revokedAt, ...rest } = recordSchema.parse(item);
  return { ...rest, ...(revokedAt && { revokedAt }) };
};

export class DynamoDbMachineClients implements MachineClientStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private auditPut(event: AuditEvent) {
    return {
      Put: {
        TableName: this.tableName,
        Item: auditItem(event),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  async get(clientId: string): Promise<MachineClientRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: clientKey(clientId), ConsistentRead: true }),
    );
    return Item ? parse(Item) : undefined;
  }

  async list(): Promise<MachineClientRecord[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': 'CLIENTS' },
      ScanIndexForward: false,
    });
    return items.map(parse);
  }

  async put(record: MachineClientRecord, audit: AuditEvent): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: {
                ...clientKey(record.clientId),
                type: 'machine-client',
                gsi1pk: 'CLIENTS',
                gsi1sk: `${record.createdAt}#${record.clientId}`,
                ...record,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          this.auditPut(audit),
        ],
      }),
    );
  }

  async revoke(clientId: string, at: string, audit: AuditEvent): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: clientKey(clientId),
                UpdateExpression: 'SET revokedAt = :at',
                ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
                ExpressionAttributeValues: { ':at': at },
              },
            },
            this.auditPut(audit),
          ],
        }),
      );
      return true;
    } catch (error) {
      // Unknown or already revoked: revoking again changes nothing (idempotent).
      if (hasErrorName(error, 'TransactionCanceledException')) return false;
      throw error;
    }
  }
}

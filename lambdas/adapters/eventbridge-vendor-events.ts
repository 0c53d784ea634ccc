/**
 * Publishes the vendor's licence and account events (core/events/vendor-events.ts) from the audit
 * log's write path: a middleware on the DynamoDB client sees every successful write that puts an
 * `type: 'audit'` item (PutItem, TransactWriteItems, BatchWriteItem), whoever wrote it, and puts the
 * events it maps to on the vendor bus. After the write, so an event never announces what was not
 * stored; a bus failure is logged with the events and does not undo the write (docs/events.md).
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod/mini';
import { vendorEventsOf, type VendorEvent } from '../core/events/vendor-events';
import type { AuditEvent } from '../core/licensing/model';

const PUT_EVENTS_MAX = 10;

const auditItemSchema = z.object({
  type: z.literal('audit'),
  accountId: z.string(),
  at: z.string(),
  eventId: z.string(),
  actor: z.object({
    kind: z.enum(['backoffice', 'support', 'reseller', 'customer', 'installation', 'system']),
    id: z.string(),
  }),
  action: z.string(),
  details: z._default(z.record(z.string(), z.unknown()), {}),
});

type Marshalled = Record<string, AttributeValue>;
const isAuditItem = (item: Marshalled | undefined): item is Marshalled => item?.type?.S === 'audit';

/** The audit items a write request puts, as the SDK sends them (marshalled). */
export function auditItemsOf(commandName: string, input: Record<string, unknown>): AuditEvent[] {
  const items: (Marshalled | undefined)[] = [];
  if (commandName === 'PutItemCommand') items.push(input.Item as Marshalled);
  if (commandName === 'TransactWriteItemsCommand')
    for (const t of (input.TransactItems ?? []) as { Put?: { Item?: Marshalled } }[]) items.push(t.Put?.Item);
  if (commandName === 'BatchWriteItemCommand')
    for (const requests of Object.values(
      (input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item?: Marshalled } }[]>,
    ))
      for (const r of requests) items.push(r.PutRequest?.Item);
  return items.filter(isAuditItem).flatMap((item) => {
    const parsed = auditItemSchema.safeParse(unmarshall(item));
    if (!parsed.success) return [];
    const { type: _type, ...event } = parsed.data;
    return [event];
  });
}

export interface VendorEventLog {
  error(message: string, details: Record<string, unknown>): void;
  warn(message: string, details: Record<string, unknown>): void;
}

export class EventBridgeVendorEvents {
  constructor(
    private readonly busName: string,
    private readonly eventBridge: Pick<EventBridgeClient, 'send'>,
    private readonly log: VendorEventLog,
  ) {}

  /** Maps and puts the audit events' vendor events; never throws (the write they announce is done). */
  async publish(audits: readonly AuditEvent[]): Promise<void> {
    const events: VendorEvent[] = [];
    for (const audit of audits) {
      const { events: mapped, skipped } = vendorEventsOf(audit);
      events.push(...mapped);
      if (skipped.length > 0)
        this.log.warn('audit event not published: it does not fit its schema', { eventId: audit.eventId, skipped });
    }
    for (let i = 0; i < events.length; i += PUT_EVENTS_MAX) {
      const failed = await this.put(events.slice(i, i + PUT_EVENTS_MAX));
      if (failed.length > 0)
        this.log.error('vendor events not published', {
          busName: this.busName,
          events: failed.map((e) => ({ source: e.source, detailType: e.detailType, detail: e.detail })),
        });
    }
  }

  /** Puts a batch, retrying rejected entries twice; answers what was never accepted. */
  private async put(batch: VendorEvent[]): Promise<VendorEvent[]> {
    let pending = batch;
    for (let attempt = 0; pending.length > 0 && attempt < 3; attempt++) {
      let out: PutEventsCommandOutput;
      try {
        out = await this.eventBridge.send(
          new PutEventsCommand({
            Entries: pending.map((e) => ({
              EventBusName: this.busName,
              Source: e.source,
              DetailType: e.detailType,
              Detail: JSON.stringify(e.detail),
              Time: new Date(e.time),
            })),
          }),
        );
      } catch {
        continue;
      }
      pending = pending.filter((_, index) => out.Entries?.[index]?.ErrorCode);
    }
    return pending;
  }
}

/**
 * Publishes after every successful write of the client that puts audit items. At the build step
 * the document client's input is already marshalled, so plain and document commands look the same.
 */
export function publishAuditEventsOf(
  client: DynamoDBDocumentClient,
  events: EventBridgeVendorEvents,
): DynamoDBDocumentClient {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const audits = auditItemsOf(context.commandName ?? '', args.input as Record<string, unknown>);
      if (audits.length > 0) await events.publish(audits);
      return result;
    },
    { step: 'build', name: 'ucxVendorEvents', override: true },
  );
  return client;
}

let eventBridge: EventBridgeClient | undefined;
/** The EventBridge client the vendor events use (module singleton). */
export const vendorEventBridgeClient = () => (eventBridge ??= new EventBridgeClient({}));

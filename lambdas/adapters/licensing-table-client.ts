/**
 * The document client for the licensing table. Only the functions that may write audit items get
 * VENDOR_EVENT_BUS_NAME (`mayWriteAuditItems`, lib/routes.ts), so only their bundles need the vendor
 * events (docs/events.md): the rest use `dynamoDocumentClient()` and go without them.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { logger, traced } from '../shared/powertools';
import { dynamoDocumentClient } from './aws-clients';
import { EventBridgeVendorEvents, publishAuditEventsOf, vendorEventBridgeClient } from './eventbridge-vendor-events';

let publishing = false;

/**
 * `dynamoDocumentClient()`, the same singleton, with VENDOR_EVENT_BUS_NAME set (functions that may
 * write audit items) publishing every audit item it writes to the vendor's bus
 * (eventbridge-vendor-events.ts), whichever adapter writes it. Attached on the first call, before
 * any adapter built on it can write.
 */
export function licensingTableClient(): DynamoDBDocumentClient {
  const client = dynamoDocumentClient();
  if (!publishing) {
    publishing = true;
    const vendorBus = process.env.VENDOR_EVENT_BUS_NAME;
    if (vendorBus)
      publishAuditEventsOf(client, new EventBridgeVendorEvents(vendorBus, traced(vendorEventBridgeClient()), logger));
  }
  return client;
}

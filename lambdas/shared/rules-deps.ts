/** Composition root of the proactive-support Lambdas. */
import { dynamoDocumentClient } from '../adapters/aws-clients';
import { DynamoDbLicensingReads } from '../adapters/dynamodb-licensing-reads';
import { DynamoDbSupportStore } from '../adapters/dynamodb-support-store';
import { EventBridgeNotificationBus } from '../adapters/eventbridge-notification-bus';
import { CachedLicenceFacts } from '../adapters/licence-facts';
import { allRules } from '../core/rules/catalogue';
import type { StreamDeps } from '../core/rules/evaluate-installations';
import { DynamoDbHistoryStore } from '../adapters/dynamodb-history-store';
import { required } from './env';

let deps: StreamDeps | undefined;

export function rulesDeps(): StreamDeps {
  deps ??= {
    store: new DynamoDbSupportStore(dynamoDocumentClient(), required('SUPPORT_TABLE_NAME')),
    bus: new EventBridgeNotificationBus(required('EVENT_BUS_NAME')),
    licences: new CachedLicenceFacts(new DynamoDbLicensingReads(dynamoDocumentClient(), required('TABLE_NAME'))),
    rules: allRules,
    history: new DynamoDbHistoryStore(dynamoDocumentClient(), required('SUPPORT_TABLE_NAME')),
  };
  return deps;
}

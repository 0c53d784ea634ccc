/** Composition root of the proactive-support Lambdas: the rules' deps, and the stream consumer's with the history store. */
import { dynamoDocumentClient } from '../adapters/aws-clients';
import { DynamoDbLicensingReads } from '../adapters/dynamodb-licensing-reads';
import { DynamoDbSupportStore } from '../adapters/dynamodb-support-store';
import { EventBridgeNotificationBus } from '../adapters/eventbridge-notification-bus';
import { CachedLicenceFacts } from '../adapters/licence-facts';
import { allRules } from '../core/rules/catalogue';
import type { RulesDeps } from '../core/rules/process-batch';
import { required } from './env';

let deps: RulesDeps | undefined;

/** The sweep's: it evaluates with no beats, so it records no history. */
export function rulesDeps(): RulesDeps {
  deps ??= {
    store: new DynamoDbSupportStore(dynamoDocumentClient(), required('SUPPORT_TABLE_NAME')),
    bus: new EventBridgeNotificationBus(required('EVENT_BUS_NAME')),
    licences: new CachedLicenceFacts(new DynamoDbLicensingReads(dynamoDocumentClient(), required('TABLE_NAME'))),
    rules: allRules,
  };
  return deps;
}

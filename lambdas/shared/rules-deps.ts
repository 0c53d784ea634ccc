/** Composition root of the proactive-support Lambdas: the rules' deps (the stream consumer's and the sweep's add theirs). */
import { dynamoDocumentClient } from '../adapters/aws-clients';
import { DynamoDbInstallationRead } from '../adapters/dynamodb-installation-read';
import { DynamoDbSupportStore } from '../adapters/dynamodb-support-store';
import { EventBridgeNotificationBus } from '../adapters/eventbridge-notification-bus';
import { CachedLicenceFacts } from '../adapters/licence-facts';
import { allRules } from '../core/rules/catalogue';
import type { RulesDeps } from '../core/rules/process-batch';
import { required } from './env';

let deps: RulesDeps | undefined;

export function rulesDeps(): RulesDeps {
  deps ??= {
    store: new DynamoDbSupportStore(dynamoDocumentClient(), required('SUPPORT_TABLE_NAME')),
    bus: new EventBridgeNotificationBus(required('EVENT_BUS_NAME')),
    licences: new CachedLicenceFacts(new DynamoDbInstallationRead(dynamoDocumentClient(), required('TABLE_NAME'))),
    rules: allRules,
  };
  return deps;
}

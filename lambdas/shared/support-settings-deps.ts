/** Composition root of support's settings, the back office's advisory tables and the fleet overview. */
import { dynamoDocumentClient } from '../adapters/aws-clients';
import { DynamoDbAdvisories } from '../adapters/dynamodb-advisories';
import { DynamoDbAuditWriter } from '../adapters/dynamodb-audit-writer';
import { DynamoDbFleetCounters } from '../adapters/dynamodb-fleet-counters';
import { DynamoDbLicensingReads } from '../adapters/dynamodb-licensing-reads';
import { DynamoDbRuleSettings } from '../adapters/dynamodb-rule-settings';
import { DynamoDbSupportReads } from '../adapters/dynamodb-support-reads';
import { randomIds } from '../adapters/random-ids';
import { systemClock } from '../core/ports';
import { allRules } from '../core/rules/catalogue';
import type { AdvisoryDeps } from '../core/support/advisory-tables';
import type { FleetDeps } from '../core/support/fleet-overview';
import type { RuleSettingsDeps } from '../core/support/rule-settings';
import { required } from './env';
import { servingRegion } from './licensing-deps';

let deps: (RuleSettingsDeps & AdvisoryDeps & FleetDeps) | undefined;

export function supportSettingsDeps(): RuleSettingsDeps & AdvisoryDeps & FleetDeps {
  const client = dynamoDocumentClient();
  deps ??= {
    settings: new DynamoDbRuleSettings(client, required('SUPPORT_TABLE_NAME')),
    advisories: new DynamoDbAdvisories(client, required('TABLE_NAME')),
    counters: new DynamoDbFleetCounters(client, required('SUPPORT_TABLE_NAME')),
    store: new DynamoDbSupportReads(client, required('SUPPORT_TABLE_NAME')),
    accounts: new DynamoDbLicensingReads(client, required('TABLE_NAME')),
    audit: new DynamoDbAuditWriter(client, required('TABLE_NAME')),
    rules: allRules,
    clock: systemClock,
    ids: randomIds,
    here: servingRegion(),
  };
  return deps;
}

/** Composition root of support's settings, the back office's advisory tables and the fleet overview. */
import { dynamoDocumentClient } from '../adapters/aws-clients';
import { licensingTableClient } from '../adapters/licensing-table-client';
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
import { servingRegion } from './serving-region';

let deps: (RuleSettingsDeps & AdvisoryDeps & FleetDeps) | undefined;

export function supportSettingsDeps(): RuleSettingsDeps & AdvisoryDeps & FleetDeps {
  deps ??= {
    settings: new DynamoDbRuleSettings(dynamoDocumentClient(), required('SUPPORT_TABLE_NAME')),
    advisories: new DynamoDbAdvisories(licensingTableClient(), required('TABLE_NAME')),
    counters: new DynamoDbFleetCounters(dynamoDocumentClient(), required('SUPPORT_TABLE_NAME')),
    store: new DynamoDbSupportReads(dynamoDocumentClient(), required('SUPPORT_TABLE_NAME')),
    accounts: new DynamoDbLicensingReads(licensingTableClient(), required('TABLE_NAME')),
    audit: new DynamoDbAuditWriter(licensingTableClient(), required('TABLE_NAME')),
    rules: allRules,
    clock: systemClock,
    ids: randomIds,
    here: servingRegion(),
  };
  return deps;
}
